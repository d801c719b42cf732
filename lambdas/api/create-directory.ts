import { apiHandler } from '../shared/api-handler';
import { actorOf, parseBody, rpcOrClientError } from '../shared/api-requests';
import { createDirectorySchema } from '../shared/api-schemas';
import { json } from '../shared/http';
import { logger } from '../shared/powertools';

/** POST /directories (admin): a new directory; a slug already taken is 409. */
export const handler = apiHandler('POST /directories', async (event, _context, { principal, rpc }) => {
  const body = parseBody(event, createDirectorySchema);
  const directory = await rpcOrClientError(
    rpc<{ id: string; slug: string }>('create_directory', { p_directory: body, p_actor: actorOf(principal) }),
  );
  logger.info('Directory created', { directory_id: directory.id, slug: directory.slug });
  return json(201, directory, { location: `/directories/${directory.id}/mapping` });
});
