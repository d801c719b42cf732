import { taskQueueUrlsFromEnv } from '../jobs/task-queues';
import { redriveDeadLetters } from '../operations/redrive';
import { apiHandler } from '../shared/api-handler';
import { route } from './admin-dlq-redrive.route';
import { actorOf, rpcOrClientError } from '../shared/api-requests';
import { json } from '../shared/http';
import { logger } from '../shared/powertools';
import { sqs } from '../shared/sqs-client';

const queueUrls = taskQueueUrlsFromEnv();

/**
 * POST /admin/dlq/redrive (admin): the same redriveDeadLetters as the dlq-redrive Lambda; the admin
 * key is the requester written to the audit trail (redrive_dead_letters -> queue_history).
 */
export const handler = apiHandler(route, async (event, _context, { principal, rpc, body }) => {
  const result = await rpcOrClientError(
    redriveDeadLetters({ rpc, sqs, queueUrls, log: logger }, { ...body, requested_by: actorOf(principal) }),
  );
  return json(200, result);
});
