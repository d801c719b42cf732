import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { taskQueueUrlsFromEnv } from '../../tasks/task-queues';
import { sweepStaleTasks, type SweepResult } from '../../operations/stale-tasks';
import { serviceRpc } from '../../platform/database';
import { readSweeperThresholds } from '../../operations/settings';
import { scheduledHandler } from '../../platform/lambda-handler';
import { logger, metrics } from '../../platform/powertools';
import { sqs } from '../../platform/sqs-client';
import { METRIC_NAMES } from '../../platform/system-config';

const queueUrls = taskQueueUrlsFromEnv();
const thresholds = readSweeperThresholds();

/**
 * The stale-task sweeper, on an EventBridge schedule (OPERATIONS.sweeper.intervalSeconds).
 * A run that cannot reach the database throws, so the Lambda's Errors metric and the
 * "sweeper not running" alarm (SweeperRun missing) both see it.
 */
const sweep = async (): Promise<SweepResult> => {
  const rpc = await serviceRpc();
  const result = await sweepStaleTasks({ rpc, sqs, queueUrls, thresholds, log: logger });
  metrics.addMetric(METRIC_NAMES.staleTasksRequeued, MetricUnit.Count, result.requeued);
  metrics.addMetric(METRIC_NAMES.staleTasksFailed, MetricUnit.Count, result.failed);
  metrics.addMetric(METRIC_NAMES.staleTasksNeedVerification, MetricUnit.Count, result.needsVerification);
  metrics.addMetric(METRIC_NAMES.staleTasksSendFailed, MetricUnit.Count, result.sendFailed);
  metrics.addMetric(METRIC_NAMES.staleWorkers, MetricUnit.Count, result.staleWorkers.length);
  metrics.addMetric(METRIC_NAMES.verificationTimedOut, MetricUnit.Count, result.verificationTimedOut);
  metrics.addMetric(METRIC_NAMES.tasksAwaitingVerification, MetricUnit.Count, result.awaitingVerification);
  logger.info('Sweep finished', {
    requeued: result.requeued,
    requeue_skipped: result.requeueSkipped,
    send_failed: result.sendFailed,
    failed: result.failed,
    needs_verification: result.needsVerification,
    stale_workers: result.staleWorkers.length,
    verification_timed_out: result.verificationTimedOut,
    awaiting_verification: result.awaitingVerification,
    queues: result.queues,
  });
  return result;
};

export const handler = scheduledHandler(METRIC_NAMES.sweeperRun, sweep);
