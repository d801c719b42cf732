import { apiHandler } from '../../http/api-handler';
import { route } from './admin-dlq.route';
import { json } from '../../http/responses';
import { API_SURFACE } from '../../platform/system-config';

/** GET /admin/dlq (admin): the recorded dead letters (the alert outbox), newest first. */
export const handler = apiHandler(route, async (_event, _context, { rpc }) => {
  const deadLetters = await rpc<unknown[]>('list_dead_letters', { p_limit: API_SURFACE.deadLettersListed });
  return json(200, { dead_letters: deadLetters });
});
