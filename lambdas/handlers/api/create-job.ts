import { apiHandler } from '../../http/api-handler';
import { route } from './create-job.route';
import { customerScope, principalRef } from '../../http/auth';
import { HttpError, json } from '../../http/responses';
import { logger } from '../../platform/powertools';
import { sqs } from '../../platform/sqs-client';
import { createAndEnqueueJob } from '../../jobs/create-job';
import { idempotencyKey } from '../../jobs/job-headers';
import { taskQueueUrlsFromEnv } from '../../tasks/task-queues';

const queueUrls = taskQueueUrlsFromEnv();

/**
 * POST /jobs: create a job for a customer's directories and enqueue one task per directory.
 * With Idempotency-Key, a retry replays the first answer (Idempotent-Replayed: true); the same key
 * with another body is 422. Customer keys create jobs for their own customer only, at their tier.
 */
export const handler = apiHandler(route, async (event, _context, { principal, rpc, body: request }) => {
  const key = idempotencyKey(event);

  const scope = customerScope(principal);
  if (scope !== null && request.customer_id !== scope) {
    // Another customer's id is "not found", as for its jobs: its existence is not revealed.
    throw new HttpError(404, 'not_found', `customer_id: customer ${request.customer_id} not found`);
  }
  if (scope !== null && request.priority !== undefined) {
    throw new HttpError(403, 'forbidden', "priority: set by the customer's tier; only staff may choose it");
  }

  const outcome = await createAndEnqueueJob(
    { rpc, sqs, queueUrls, log: logger },
    request,
    key === undefined ? undefined : { principal: principalRef(principal), key },
  );
  if (outcome.kind === 'conflict') {
    throw new HttpError(
      422,
      'idempotency_key_reused',
      'Idempotency-Key: already used with a different request body',
    );
  }
  const job = outcome.job;
  if (outcome.kind === 'replayed') {
    return json(outcome.statusCode, job, { location: `/jobs/${job.job_id}`, 'idempotent-replayed': 'true' });
  }
  logger.info('Job created', { job_id: job.job_id, tasks: job.tasks_total, priority: job.priority });
  return json(201, job, { location: `/jobs/${job.job_id}` });
});
