import { apiHandler } from '../../http/api-handler';
import { route } from './resubmit-listing.route';
import { actorOf, notFound, rpcOrClientError } from '../../http/requests';
import { HttpError, json } from '../../http/responses';
import { logger } from '../../platform/powertools';
import { sqs } from '../../platform/sqs-client';
import type { Priority } from '../../platform/system-config';
import { enqueueTasks } from '../../jobs/create-job';
import { taskQueueUrlsFromEnv } from '../../tasks/task-queues';

const queueUrls = taskQueueUrlsFromEnv();

type ResubmitOutcome =
  | {
      outcome: 'resubmitted';
      generation: number;
      previous_generation: number;
      job: { job_id: string; priority: Priority; created_at: string; tasks: { task_id: string }[] };
    }
  | { outcome: 'not_found' }
  | { outcome: 'conflict'; reason: string; holder: unknown };

/**
 * POST /customers/{id}/listings/{directoryId}/resubmit (staff): the one way to submit a business to a
 * directory again once it is listed there (the directory lost the listing, the business changed its
 * facts). It bumps the listing's generation, creates a one-directory job that submits it and sends its
 * message; who asked and why is in queue_history. 409 while the current submission is still in
 * flight, 404 when the business was never submitted there (create a job instead).
 */
export const handler = apiHandler(route, async (event, _context, { principal, rpc, params, body }) => {
  const customerId = params.id;
  const directoryId = params.directoryId;

  const result = await rpcOrClientError(
    rpc<ResubmitOutcome>('resubmit_listing', {
      p_customer_id: customerId,
      p_directory_id: directoryId,
      p_reason: body.reason,
      p_actor: actorOf(principal),
      p_priority: body.priority ?? null,
    }),
  );
  if (result.outcome === 'not_found') {
    throw notFound(`Listing of customer ${customerId} on directory ${directoryId}`);
  }
  if (result.outcome === 'conflict') throw new HttpError(409, 'conflict', result.reason);

  const { job } = result;
  const enqueued = await enqueueTasks(
    { rpc, sqs, queueUrls, log: logger },
    job.job_id,
    job.priority,
    job.tasks.map((task) => task.task_id),
  );
  logger.info('Listing resubmitted', {
    customer_id: customerId,
    directory_id: directoryId,
    job_id: job.job_id,
    generation: result.generation,
  });
  return json(
    201,
    {
      job_id: job.job_id,
      priority: job.priority,
      created_at: job.created_at,
      generation: result.generation,
      previous_generation: result.previous_generation,
      tasks_enqueued: enqueued,
    },
    { location: `/jobs/${job.job_id}` },
  );
});
