import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { ChangeMessageVisibilityCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { taskQueueUrlsFromEnv } from '../tasks/task-queues';
import { serviceRpc } from '../platform/database';
import { requireEnv } from '../platform/env';
import { logger, metrics } from '../platform/powertools';
import { s3 } from '../platform/s3-client';
import { sqsHandler } from '../platform/sqs-handler';
import { sqs } from '../platform/sqs-client';
import { METRIC_NAMES, PRIORITIES, QUEUES, SUBMITTER, TASKS } from '../platform/system-config';
import { taskMessageSchema, type TaskMessage } from '../tasks/task-message';
import { closeBrowser } from '../browser/browser';
import { classifyFailure } from '../tasks/failure-class';
import { processTask, RetryScheduled, type Disposition } from '../tasks/process-task';
import { ssrfGuard, submitInBrowser } from '../browser/submit-in-browser';
import type { LookupPort } from '../tasks/listing-lookup';

const screenshotBucket = requireEnv('SCREENSHOT_BUCKET');
/** One worker per execution environment: the lease owner written on every claim. */
const workerId = `submitter:${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
/** Largest verification answer read; a listings lookup is a few KiB. */
const LOOKUP_MAX_BYTES = 1024 * 1024;
/** Verification lookups are requests to directories too: the browser's SSRF guard checks them. */
const lookup: LookupPort = (url) =>
  ssrfGuard.fetch(url, { timeoutMs: SUBMITTER.navigationTimeoutMs, maxBytes: LOOKUP_MAX_BYTES });

/**
 * SQS event records carry the queue's ARN; ChangeMessageVisibility and SendMessage need its URL. The
 * stacks give the URLs (the same TASK_QUEUE_URL_* the API gets), so no lookup is needed, and an
 * emulator's own URL scheme (GetQueueUrl answers) never leaks in.
 */
const queueUrls = taskQueueUrlsFromEnv();
function queueUrlOf(queueArn: string): string {
  const queueName = queueArn.split(':')[5];
  const priority = PRIORITIES.find((p) => QUEUES.tasks[p].name === queueName);
  if (!priority) throw new Error(`Record from an unknown queue ${queueArn}`);
  return queueUrls[priority];
}

async function submitTask(message: TaskMessage, record: SQSRecord): Promise<void> {
  logger.appendKeys({ task_id: message.task_id, job_id: message.job_id, priority: message.priority });
  const rpc = await serviceRpc();
  const disposition = await processTask(
    {
      rpc,
      workerId,
      submit: submitInBrowser,
      storeScreenshot: async (key, png) => {
        await s3.send(
          new PutObjectCommand({ Bucket: screenshotBucket, Key: key, Body: png, ContentType: 'image/png' }),
        );
      },
      // Waiting that must spend neither an attempt nor a receive count: a fresh delayed copy of the
      // message; this delivery then succeeds and is deleted.
      defer: async (delaySeconds) => {
        await sqs.send(
          new SendMessageCommand({
            QueueUrl: queueUrlOf(record.eventSourceARN),
            MessageBody: record.body,
            DelaySeconds: delaySeconds,
          }),
        );
      },
      retryLater: async (delaySeconds) => {
        await sqs.send(
          new ChangeMessageVisibilityCommand({
            QueueUrl: queueUrlOf(record.eventSourceARN),
            ReceiptHandle: record.receiptHandle,
            VisibilityTimeout: delaySeconds,
          }),
        );
      },
      classify: classifyFailure,
      lookup,
      count: (metric) => metrics.addMetric(metric, MetricUnit.Count, 1),
      log: logger,
      backoff: TASKS.retryBackoff,
    },
    message,
  ).catch((error: unknown) => {
    metrics.addMetric(
      error instanceof RetryScheduled ? METRIC_NAMES.taskRetryScheduled : METRIC_NAMES.taskError,
      MetricUnit.Count,
      1,
    );
    throw error; // reported as a batch item failure: the queue keeps the message
  });
  const outcome = outcomeMetric(disposition);
  if (outcome) metrics.addMetric(outcome, MetricUnit.Count, 1);
}

/** The metric a delivery's outcome counts under (METRIC_NAMES: the alarms and dashboard read them). */
function outcomeMetric(disposition: Disposition): string | undefined {
  switch (disposition.kind) {
    case 'finished':
      return {
        submitted: METRIC_NAMES.taskSubmitted,
        needs_manual: METRIC_NAMES.taskNeedsManual,
        failed: METRIC_NAMES.taskFailed,
      }[disposition.status];
    case 'waiting':
      return METRIC_NAMES.taskAwaitingVerification;
    case 'skipped':
      return METRIC_NAMES.taskSkipped;
    case 'lease_lost':
      return METRIC_NAMES.taskLeaseLost;
    case 'deferred':
      return undefined; // processTask already counted it as METRIC_NAMES.taskDeferred
  }
}

// Records run in parallel, each in its own browser context of the one warm browser; a message that is
// not a task fails alone (a batch item failure) until the DLQ takes it.
export const handler = sqsHandler(taskMessageSchema, submitTask, {
  describe: 'a task message',
  aroundBatch: async (processBatch) => {
    const rpc = await serviceRpc();
    // Written alongside the claims rather than before them: it is a liveness note for operators
    // (GET /admin/workers), not a guard, so the records need not wait for it. Awaited before 'idle'
    // so the two notes land in that order.
    const running = rpc('record_worker_heartbeat', { p_worker_id: workerId, p_status: 'running' }).catch(
      () => undefined,
    );
    try {
      return await processBatch();
    } finally {
      await running;
      await rpc('record_worker_heartbeat', { p_worker_id: workerId, p_status: 'idle' }).catch(
        () => undefined,
      );
    }
  },
});

/** Closes the warm browser; the local runtime calls it on stop (Lambda just freezes the process). */
export const shutdown = closeBrowser;
