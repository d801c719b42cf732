import { apiHandler } from '../../http/api-handler';
import { route } from './metrics.route';
import { customerScope } from '../../http/auth';
import { json } from '../../http/responses';

/**
 * GET /metrics (any key): jobs and tasks by status, today's outcomes, backlog and pauses per priority.
 * A customer key gets its own jobs' figures only (scope "customer"); staff and admin see everything.
 */
export const handler = apiHandler(route, async (_event, _context, { rpc, principal }) => {
  const metrics = await rpc<unknown>('api_metrics', { p_customer_id: customerScope(principal) });
  return json(200, metrics, { 'cache-control': 'no-store' });
});
