import { apiHandler } from '../shared/api-handler';
import { json } from '../shared/http';

/** GET /metrics (any key): jobs and tasks by status, today's outcomes, backlog and pauses per priority. */
export const handler = apiHandler('GET /metrics', async (_event, _context, { rpc }) => {
  const metrics = await rpc<unknown>('api_metrics', {});
  return json(200, metrics, { 'cache-control': 'no-store' });
});
