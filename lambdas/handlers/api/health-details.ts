import { taskQueueUrlsFromEnv } from '../../tasks/task-queues';
import { healthDetails } from '../../operations/health';
import { apiHandler } from '../../http/api-handler';
import { route } from './health-details.route';
import { cloudwatch as cloudwatchClient } from '../../platform/cloudwatch-client';
import { serviceRpc } from '../../platform/database';
import { optionalEnv, requireEnv } from '../../platform/env';
import { json } from '../../http/responses';
import { readSweeperThresholds } from '../../operations/settings';
import { sqs } from '../../platform/sqs-client';
import { OPERATIONS } from '../../platform/system-config';

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
