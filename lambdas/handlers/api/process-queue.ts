import { apiHandler } from '../../http/api-handler';
import { route } from './process-queue.route';
import { HttpError, json } from '../../http/responses';
import { logger } from '../../platform/powertools';
import { RpcError } from '../../platform/rpc';
import { sqs } from '../../platform/sqs-client';
import type { Priority } from '../../platform/system-config';
import { enqueueTasks } from '../../jobs/create-job';
import { taskQueueUrlsFromEnv } from '../../tasks/task-queues';

const queueUrls = taskQueueUrlsFromEnv();

/**
 * POST /queue/{customerId} (staff): process the customer's queue, i.e. send the pending tasks of its
 * oldest unfinished job that still has any (never sent, or left behind by a failed send).
 */
export const handler = apiHandler(route, async (event, _context, { rpc, params }) => {
  const customerId = params.customerId;
  let next: { job_id: string | null; priority?: Priority; task_ids: string[] };
  try {
    next = await rpc('take_next_pending_job', { p_customer_id: customerId });
  } catch (error) {
    if (error instanceof RpcError && error.code === 'P0002') {
      throw new HttpError(404, 'not_found', `Customer ${customerId} not found`);
    }
    throw error;
  }
  if (next.job_id === null || next.priority === undefined) {
    return json(200, { job_id: null, tasks_enqueued: 0 });
  }
  const sent = await enqueueTasks(
    { rpc, sqs, queueUrls, log: logger },
    next.job_id,
    next.priority,
    next.task_ids,
  );
  logger.info('Customer queue processed', { job_id: next.job_id, tasks_enqueued: sent });
  return json(200, { job_id: next.job_id, priority: next.priority, tasks_enqueued: sent });
});
