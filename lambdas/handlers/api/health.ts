import { taskQueueUrlsFromEnv } from '../../tasks/task-queues';
import { checkHealth, sharedFor } from '../../operations/health';
import { apiHandler } from '../../http/api-handler';
import { route } from './health.route';
import { serviceRpc } from '../../platform/database';
import { json } from '../../http/responses';
import { sqs } from '../../platform/sqs-client';
import { OPERATIONS } from '../../platform/system-config';

const queueUrls = taskQueueUrlsFromEnv();

// One check serves the requests of OPERATIONS.health.resultReuseMs in this execution environment.
const currentHealth = sharedFor(
  () =>
    checkHealth({
      // A client that cannot even be created (no key) is a database that cannot be reached.
      rpc: async (fn, args) => (await serviceRpc())(fn, args),
      sqs,
      queueUrls,
      timeoutMs: OPERATIONS.health.checkTimeoutMs,
    }),
  OPERATIONS.health.resultReuseMs,
);

/**
 * GET /health, public: up or down, nothing an outsider could use. 503 when a dependency is down, so
 * load balancers and uptime checks read the status code alone. Not cacheable by clients; at most one
 * dependency check per OPERATIONS.health.resultReuseMs per execution environment.
 */
export const handler = apiHandler(route, async () => {
  const health = await currentHealth();
  return json(health.status === 'healthy' ? 200 : 503, health, { 'cache-control': 'no-store' });
});
