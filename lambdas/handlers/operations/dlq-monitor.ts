import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { monitorDeadLetters, type DlqMonitorResult } from '../../operations/dead-letters';
import { serviceRpc } from '../../platform/database';
import { optionalEnv, requireEnv } from '../../platform/env';
import { readAlertRetry } from '../../operations/settings';
import { scheduledHandler } from '../../platform/lambda-handler';
import { logger, metrics } from '../../platform/powertools';
import { slackWebhookFromEnv } from '../../operations/slack';
import { sqs } from '../../platform/sqs-client';
import { METRIC_NAMES } from '../../platform/system-config';

const dlqUrl = requireEnv('DLQ_URL');
const postToSlack = slackWebhookFromEnv();
const links = { runbookBaseUrl: optionalEnv('RUNBOOK_BASE_URL'), dashboardUrl: optionalEnv('DASHBOARD_URL') };
const alertRetry = readAlertRetry();

/**
 * The DLQ monitor, on an EventBridge schedule (OPERATIONS.dlqMonitor.intervalSeconds): records and
 * alerts every dead-lettered message once. Slack being down is not a failed run (the alerts wait in
 * the outbox and DlqAlertsFailed counts it); the database or SQS being unreachable is.
 */
const monitor = async (): Promise<DlqMonitorResult> => {
  const rpc = await serviceRpc();
  const result = await monitorDeadLetters({ rpc, sqs, dlqUrl, postToSlack, links, alertRetry, log: logger });
  metrics.addMetric(METRIC_NAMES.dlqMessagesRecorded, MetricUnit.Count, result.recorded);
  metrics.addMetric(METRIC_NAMES.dlqAlertsSent, MetricUnit.Count, result.alertsSent);
  metrics.addMetric(METRIC_NAMES.dlqAlertsFailed, MetricUnit.Count, result.alertsFailed);
  metrics.addMetric(METRIC_NAMES.dlqRecordFailed, MetricUnit.Count, result.recordFailed);
  logger.info('DLQ check finished', { ...result });
  return result;
};

export const handler = scheduledHandler(METRIC_NAMES.dlqMonitorRun, monitor);
