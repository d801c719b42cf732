import { taskQueueUrlsFromEnv } from '../../tasks/task-queues';
import { redriveDeadLetters } from '../../operations/redrive';
import { apiHandler } from '../../http/api-handler';
import { route } from './admin-dlq-redrive.route';
import { actorOf, rpcOrClientError } from '../../http/requests';
import { json } from '../../http/responses';
import { logger } from '../../platform/powertools';
import { sqs } from '../../platform/sqs-client';

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
