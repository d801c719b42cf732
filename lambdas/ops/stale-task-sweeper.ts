import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { sweepStaleTasks, type SweepResult } from '../operations/stale-tasks';
import { serviceRpc } from '../shared/database';
import { requireEnv } from '../shared/env';
import { readSweeperThresholds } from '../shared/ops-settings';
import { logger, metrics } from '../shared/powertools';
import { sqs } from '../shared/sqs-client';
import { METRIC_NAMES } from '../shared/system-config';

const queueUrls = {
  p1: requireEnv('TASK_QUEUE_URL_P1'),
  p2: requireEnv('TASK_QUEUE_URL_P2'),
  p3: requireEnv('TASK_QUEUE_URL_P3'),
};
const thresholds = readSweeperThresholds();

/**
 * The stale-task sweeper, on an EventBridge schedule (OPERATIONS.sweeper.intervalSeconds).
 * A run that cannot reach the database throws, so the Lambda's Errors metric and the
 * "sweeper not running" alarm (SweeperRun missing) both see it.
 */
const sweep = async (): Promise<SweepResult> => {
  const rpc = await serviceRpc();
  const result = await sweepStaleTasks({ rpc, sqs, queueUrls, thresholds, log: logger });
  metrics.addMetric(METRIC_NAMES.sweeperRun, MetricUnit.Count, 1);
  metrics.addMetric(METRIC_NAMES.staleTasksRequeued, MetricUnit.Count, result.requeued);
  metrics.addMetric(METRIC_NAMES.staleTasksFailed, MetricUnit.Count, result.failed);
  metrics.addMetric(METRIC_NAMES.staleTasksNeedVerification, MetricUnit.Count, result.needsVerification);
  metrics.addMetric(METRIC_NAMES.staleTasksSendFailed, MetricUnit.Count, result.sendFailed);
  metrics.addMetric(METRIC_NAMES.staleWorkers, MetricUnit.Count, result.staleWorkers.length);
  logger.info('Sweep finished', {
    requeued: result.requeued,
    requeue_skipped: result.requeueSkipped,
    send_failed: result.sendFailed,
    failed: result.failed,
    needs_verification: result.needsVerification,
    stale_workers: result.staleWorkers.length,
    queues: result.queues,
  });
  return result;
};

export const handler = middy(sweep)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics));
