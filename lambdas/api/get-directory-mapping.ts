import { apiHandler } from '../shared/api-handler';
import { notFound } from '../shared/api-requests';
import { json, pathUuid } from '../shared/http';

/** GET /directories/{id}/mapping (staff): the stored field mapping; null means fields are detected. */
export const handler = apiHandler('GET /directories/{id}/mapping', async (event, _context, { rpc }) => {
  const id = pathUuid(event, 'id');
  const mapping = await rpc<unknown>('get_directory_mapping', { p_directory_id: id });
  if (mapping === null) throw notFound(`Directory ${id}`);
  return json(200, mapping);
});
