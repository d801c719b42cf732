import { apiHandler } from '../../http/api-handler';
import { route } from './create-directory.route';
import { actorOf, rpcOrClientError } from '../../http/requests';
import { directorySchemaAllowing } from '../../http/schemas';
import { optionalEnv } from '../../platform/env';
import { json } from '../../http/responses';
import { logger } from '../../platform/powertools';
import { parseAllowedHosts } from '../../browser/ssrf-guard';

// The route's body schema, widened to the loopback sites of SUBMITTER_ALLOWED_HOSTS. Read once at load;
// set only by the local runtime (its test sites on loopback). Unset in AWS, where it is the route's own
// schema (the one documented and given to API Gateway): a directory's form is on a public web address.
const createDirectorySchema = directorySchemaAllowing(
  parseAllowedHosts(optionalEnv('SUBMITTER_ALLOWED_HOSTS')),
);

/**
 * POST /directories (admin): a new directory, answered as GET /directories/{id} reads it (its
 * `account` included); a slug already taken is 409.
 */
export const handler = apiHandler(
  { ...route, body: createDirectorySchema },
  async (event, _context, { principal, rpc, body }) => {
    const directory = await rpcOrClientError(
      rpc<{ id: string; slug: string }>('create_directory', {
        p_directory: body,
        p_actor: actorOf(principal),
      }),
    );
    logger.info('Directory created', {
      directory_id: directory.id,
      slug: directory.slug,
      account: body.account != null,
    });
    return json(201, directory, { location: `/directories/${directory.id}/mapping` });
  },
);
