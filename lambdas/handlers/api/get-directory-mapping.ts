import { apiHandler } from '../../http/api-handler';
import { route } from './get-directory-mapping.route';
import { notFound } from '../../http/requests';
import { json } from '../../http/responses';
import { etag } from '../../http/if-match';

/**
 * GET /directories/{id}/mapping (staff): the stored field mapping; null means fields are detected.
 * The ETag is the directory's version (If-Match for PUT .../mapping).
 */
export const handler = apiHandler(route, async (event, _context, { rpc, params }) => {
  const id = params.id;
  const mapping = await rpc<{ version: number } | null>('get_directory_mapping', { p_directory_id: id });
  if (mapping === null) throw notFound(`Directory ${id}`);
  return json(200, mapping, { etag: etag(mapping.version) });
});
