import { apiHandler } from '../../http/api-handler';
import { route } from './update-job.route';
import { customerScope } from '../../http/auth';
import { HttpError, json } from '../../http/responses';
import { logger } from '../../platform/powertools';
import { sqs } from '../../platform/sqs-client';
import type { Priority } from '../../platform/system-config';
import { enqueueTasks } from '../../jobs/create-job';
import { etag, expectedVersion } from '../../jobs/job-headers';
import { taskQueueUrlsFromEnv } from '../../tasks/task-queues';

const queueUrls = taskQueueUrlsFromEnv();

type UpdateOutcome =
  | {
      outcome: 'updated';
      job: { job_id: string; priority: Priority; version: number };
      resend_task_ids: string[];
    }
  | { outcome: 'not_found' }
  | { outcome: 'version_mismatch'; current_version: number }
  | { outcome: 'not_patchable'; current_version: number; reason: string };

/**
 * PATCH /jobs/{id} with optimistic locking: If-Match must carry the current ETag (428 without it,
 * 412 when stale). Patchable: notes (any time) and priority (staff only, while the job is pending;
 * its unclaimed tasks are then also sent to the new priority's queue).
 */
export const handler = apiHandler(
  route,
  async (event, _context, { principal, rpc, params, body: changes }) => {
    const id = params.id;
    const version = expectedVersion(event);
    const scope = customerScope(principal);
    if (scope !== null && changes.priority !== undefined) {
      throw new HttpError(403, 'forbidden', "priority: set by the customer's tier; only staff may change it");
    }

    const result = await rpc<UpdateOutcome>('update_job', {
      p_job_id: id,
      p_expected_version: version,
      p_changes: changes,
      p_customer_id: scope,
    });
    switch (result.outcome) {
      case 'not_found':
        throw new HttpError(404, 'not_found', `Job ${id} not found`);
      case 'version_mismatch':
        throw new HttpError(
          412,
          'precondition_failed',
          `If-Match: the job is at version ${result.current_version}; read it again and retry`,
          { etag: etag(result.current_version) },
        );
      case 'not_patchable':
        throw new HttpError(409, 'conflict', result.reason, { etag: etag(result.current_version) });
      case 'updated':
        break;
    }
    if (result.resend_task_ids.length > 0) {
      const sent = await enqueueTasks(
        { rpc, sqs, queueUrls, log: logger },
        result.job.job_id,
        result.job.priority,
        result.resend_task_ids,
      );
      logger.info('Job re-prioritised', { job_id: id, priority: result.job.priority, tasks_sent: sent });
    }
    return json(200, result.job, { etag: etag(result.job.version) });
  },
);
