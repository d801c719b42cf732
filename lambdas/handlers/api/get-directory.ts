import { apiHandler } from '../../http/api-handler';
import { route } from './get-directory.route';
import { notFound } from '../../http/requests';
import { json } from '../../http/responses';
import { etag } from '../../http/if-match';

/**
 * GET /directories/{id} (staff): one directory as it is managed (limits, verification rule, account,
 * breaker), with its version as ETag for PATCH /directories/{id} and PUT /directories/{id}/mapping.
 */
export const handler = apiHandler(route, async (event, _context, { rpc, params }) => {
  const id = params.id;
  const directory = await rpc<{ version: number } | null>('get_directory', { p_directory_id: id });
  if (directory === null) throw notFound(`Directory ${id}`);
  return json(200, directory, { etag: etag(directory.version) });
});
