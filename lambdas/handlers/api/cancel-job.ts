import { apiHandler } from '../../http/api-handler';
import { route } from './cancel-job.route';
import { customerScope } from '../../http/auth';
import { HttpError, json } from '../../http/responses';
import { logger } from '../../platform/powertools';
import { etag } from '../../jobs/job-headers';

type CancelOutcome =
  | { outcome: 'cancelled'; job: { version: number }; tasks_cancelled: number; tasks_running: number }
  | { outcome: 'already_finished'; job: { status: string; version: number } }
  | { outcome: 'not_found' };

/**
 * POST /jobs/{id}/cancel: unclaimed tasks fail as cancelled (their queued messages are skipped);
 * tasks already in a browser finish and are counted. A finished job is 409.
 */
export const handler = apiHandler(route, async (_event, _context, { principal, rpc, params, body }) => {
  const id = params.id;
  const result = await rpc<CancelOutcome>('cancel_job', {
    p_job_id: id,
    p_customer_id: customerScope(principal),
    p_reason: body.reason ?? null,
  });
  if (result.outcome === 'not_found') throw new HttpError(404, 'not_found', `Job ${id} not found`);
  if (result.outcome === 'already_finished') {
    throw new HttpError(409, 'conflict', `Job ${id} is already ${result.job.status}`, {
      etag: etag(result.job.version),
    });
  }
  logger.info('Job cancelled', { job_id: id, tasks_cancelled: result.tasks_cancelled });
  return json(200, result, { etag: etag(result.job.version) });
});
