import { apiHandler } from '../../http/api-handler';
import { route } from './admin-pauses.route';
import { json } from '../../http/responses';

/** GET /admin/pauses (admin): the processing pauses in force. */
export const handler = apiHandler(route, async (_event, _context, { rpc }) => {
  return json(200, { pauses: await rpc<unknown[]>('list_processing_pauses', {}) });
});
