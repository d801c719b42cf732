import { apiHandler } from '../shared/api-handler';
import { notFound } from '../shared/api-requests';
import { json, pathUuid } from '../shared/http';
import { etag } from '../shared/if-match';

/**
 * GET /directories/{id} (staff): one directory as it is managed (limits, verification rule, breaker),
 * with its version as ETag for PATCH /directories/{id} and PUT /directories/{id}/mapping.
 */
export const handler = apiHandler('GET /directories/{id}', async (event, _context, { rpc }) => {
  const id = pathUuid(event, 'id');
  const directory = await rpc<{ version: number } | null>('get_directory', { p_directory_id: id });
  if (directory === null) throw notFound(`Directory ${id}`);
  return json(200, directory, { etag: etag(directory.version) });
});
