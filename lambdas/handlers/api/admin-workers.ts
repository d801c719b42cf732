import { apiHandler } from '../../http/api-handler';
import { route } from './admin-workers.route';
import { json } from '../../http/responses';
import { OPERATIONS } from '../../platform/system-config';

/** GET /admin/workers (admin): every worker's last heartbeat, marked active, stale or inactive. */
export const handler = apiHandler(route, async (_event, _context, { rpc }) => {
  // The sweeper's threshold: the same silence that makes health_details count a worker stale.
  const workers = await rpc<unknown[]>('list_workers', {
    p_stale_seconds: OPERATIONS.sweeper.staleWorkerSeconds,
  });
  return json(200, { workers, stale_after_seconds: OPERATIONS.sweeper.staleWorkerSeconds });
});
