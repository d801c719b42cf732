import { apiHandler } from '../shared/api-handler';
import { actorOf, parseBody, rpcOrClientError } from '../shared/api-requests';
import { directorySchemaAllowing } from '../shared/api-schemas';
import { optionalEnv } from '../shared/env';
import { json } from '../shared/http';
import { logger } from '../shared/powertools';
import { parseAllowedHosts } from '../submitter/ssrf-guard';

// Read once at load. Set only by the local runtime (its test sites on loopback); unset in AWS, where
// a directory's form must be on a public web address.
const createDirectorySchema = directorySchemaAllowing(
  parseAllowedHosts(optionalEnv('SUBMITTER_ALLOWED_HOSTS')),
);

/** POST /directories (admin): a new directory; a slug already taken is 409. */
export const handler = apiHandler('POST /directories', async (event, _context, { principal, rpc }) => {
  const body = parseBody(event, createDirectorySchema);
  const directory = await rpcOrClientError(
    rpc<{ id: string; slug: string }>('create_directory', { p_directory: body, p_actor: actorOf(principal) }),
  );
  logger.info('Directory created', { directory_id: directory.id, slug: directory.slug });
  return json(201, directory, { location: `/directories/${directory.id}/mapping` });
});
