import { apiHandler } from '../shared/api-handler';
import { notFound } from '../shared/api-requests';
import { json, pathUuid } from '../shared/http';
import { etag } from '../shared/if-match';

/**
 * GET /directories/{id}/mapping (staff): the stored field mapping; null means fields are detected.
 * The ETag is the directory's version (If-Match for PUT .../mapping).
 */
export const handler = apiHandler('GET /directories/{id}/mapping', async (event, _context, { rpc }) => {
  const id = pathUuid(event, 'id');
  const mapping = await rpc<{ version: number } | null>('get_directory_mapping', { p_directory_id: id });
  if (mapping === null) throw notFound(`Directory ${id}`);
  return json(200, mapping, { etag: etag(mapping.version) });
});
