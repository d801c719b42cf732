import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { ChangeMessageVisibilityCommand, GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import middy from '@middy/core';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { s3, sqs } from '../shared/aws-clients';
import { requireEnv } from '../shared/env';
import { logger, metrics } from '../shared/powertools';
import { rpcThrough } from '../shared/rpc';
import { supabaseClient } from '../shared/supabase';
import { TASKS } from '../shared/system-config';
import { taskMessageSchema, type TaskMessage } from '../shared/task-message';
import { closeBrowser } from './browser';
import { classifyError } from './form-filler';
import { processTask, RetryScheduled } from './process-task';
import { submitInBrowser } from './submit-in-browser';

const screenshotBucket = requireEnv('SCREENSHOT_BUCKET');
/** One worker per execution environment: the lease owner written on every claim. */
const workerId = `submitter:${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
const processor = new BatchProcessor(EventType.SQS);

/** SQS event records carry the queue's ARN; ChangeMessageVisibility needs its URL. Looked up once. */
const queueUrls = new Map<string, Promise<string>>();
function queueUrlOf(queueArn: string): Promise<string> {
  let url = queueUrls.get(queueArn);
  if (!url) {
    const [, , , , accountId, queueName] = queueArn.split(':');
    url = sqs
      .send(new GetQueueUrlCommand({ QueueName: queueName, QueueOwnerAWSAccountId: accountId }))
      .then((result) => {
        if (!result.QueueUrl) throw new Error(`No URL for queue ${queueArn}`);
        return result.QueueUrl;
      });
    url.catch(() => queueUrls.delete(queueArn));
    queueUrls.set(queueArn, url);
  }
  return url;
}

/** A message that is not a task cannot succeed by retrying: it fails until the DLQ takes it. */
function parseMessage(record: SQSRecord): TaskMessage {
  let body: unknown;
  try {
    body = JSON.parse(record.body);
  } catch {
    throw new Error(`Message ${record.messageId} is not JSON`);
  }
  const parsed = taskMessageSchema.safeParse(body);
  if (!parsed.success) {
    throw new Error(`Message ${record.messageId} is not a task message: ${parsed.error.issues[0]?.message}`);
  }
  return parsed.data;
}

async function recordHandler(record: SQSRecord): Promise<void> {
  const message = parseMessage(record);
  logger.appendKeys({ task_id: message.task_id, job_id: message.job_id, priority: message.priority });
  const rpc = rpcThrough(await supabaseClient());
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
      retryLater: async (delaySeconds) => {
        await sqs.send(
          new ChangeMessageVisibilityCommand({
            QueueUrl: await queueUrlOf(record.eventSourceARN),
            ReceiptHandle: record.receiptHandle,
            VisibilityTimeout: delaySeconds,
          }),
        );
      },
      classify: classifyError,
      log: logger,
      backoff: TASKS.retryBackoff,
    },
    message,
  ).catch((error: unknown) => {
    metrics.addMetric(
      error instanceof RetryScheduled ? 'TaskRetryScheduled' : 'TaskError',
      MetricUnit.Count,
      1,
    );
    throw error; // reported as a batch item failure: the queue keeps the message
  });
  const outcome = disposition.kind === 'finished' ? disposition.status : disposition.kind;
  metrics.addMetric(`Task_${outcome}`, MetricUnit.Count, 1);
}

const submitBatch = async (event: SQSEvent, context: Context) => {
  const rpc = rpcThrough(await supabaseClient());
  await rpc('record_worker_heartbeat', { p_worker_id: workerId, p_status: 'running' }).catch(() => undefined);
  try {
    // Records run in parallel, each in its own browser context of the one warm browser.
    return await processPartialResponse(event, recordHandler, processor, {
      context,
      throwOnFullBatchFailure: false,
    });
  } finally {
    await rpc('record_worker_heartbeat', { p_worker_id: workerId, p_status: 'idle' }).catch(() => undefined);
  }
};

export const handler = middy(submitBatch)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics));

/** Closes the warm browser; the local runtime calls it on stop (Lambda just freezes the process). */
export const shutdown = closeBrowser;
