import { taskQueueUrlsFromEnv } from '../jobs/task-queues';
import { healthDetails } from '../operations/health';
import { apiHandler } from '../shared/api-handler';
import { route } from './health-details.route';
import { cloudwatch as cloudwatchClient } from '../shared/cloudwatch-client';
import { serviceRpc } from '../shared/database';
import { optionalEnv, requireEnv } from '../shared/env';
import { json } from '../shared/http';
import { readSweeperThresholds } from '../shared/ops-settings';
import { sqs } from '../shared/sqs-client';
import { OPERATIONS } from '../shared/system-config';

const queueUrls = taskQueueUrlsFromEnv();
const dlqUrl = requireEnv('DLQ_URL');
const thresholds = readSweeperThresholds();
// CloudWatch is asked only where the stacks configured it (they set the alarms' name prefix and grant
// cloudwatch:DescribeAlarms/GetMetricData); elsewhere those fields say "unavailable".
const alarmNamePrefix = optionalEnv('ALARM_NAME_PREFIX');
const cloudwatch = alarmNamePrefix ? { client: cloudwatchClient, alarmNamePrefix } : undefined;

/** GET /health/details (API key): what on-call looks at first; 503 when the database or a queue is down. */
export const handler = apiHandler(route, async () => {
  const details = await healthDetails({
    rpc: async (fn, args) => (await serviceRpc())(fn, args),
    sqs,
    queueUrls,
    dlqUrl,
    thresholds,
    cloudwatch,
    timeoutMs: OPERATIONS.health.checkTimeoutMs,
  });
  return json(details.status === 'healthy' ? 200 : 503, details, { 'cache-control': 'no-store' });
});
