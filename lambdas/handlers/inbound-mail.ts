import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { SESEvent } from 'aws-lambda';
import { parseAllowedHosts } from '../browser/ssrf-guard';
import { receiveMail, type ReceivedMail } from '../mail/receive-mail';
import { serviceRpc } from '../platform/database';
import { optionalEnv, requireEnv } from '../platform/env';
import { invokedHandler } from '../platform/lambda-handler';
import { logger, metrics } from '../platform/powertools';
import { s3 } from '../platform/s3-client';
import { sqs } from '../platform/sqs-client';
import { sendTaskMessages } from '../tasks/send-task-messages';
import { taskQueueUrlsFromEnv } from '../tasks/task-queues';

const mailBucket = requireEnv('MAIL_BUCKET');
const objectPrefix = optionalEnv('MAIL_OBJECT_PREFIX') ?? 'inbound/';
const mailDomain = requireEnv('MAIL_DOMAIN');
const queueUrls = taskQueueUrlsFromEnv();
// Set only by the local runtime (the demo site's host:port): its links qualify as the directory's.
const localOrigins = parseAllowedHosts(optionalEnv('SUBMITTER_ALLOWED_HOSTS'));

async function readRaw(key: string, maxBytes: number): Promise<Uint8Array | null> {
  const { GetObjectCommand } = await import('@aws-sdk/client-s3');
  const object = await s3.send(new GetObjectCommand({ Bucket: mailBucket, Key: key }));
  if (!object.Body) throw new Error(`Mail object ${key} has no body`);
  if (object.ContentLength !== undefined && object.ContentLength > maxBytes) {
    (object.Body as { destroy?: () => void }).destroy?.();
    return null;
  }
  const bytes = await object.Body.transformToByteArray();
  return bytes.byteLength > maxBytes ? null : bytes;
}

/**
 * SES receipt rule -> this Lambda (an Event invocation, after the S3 action stored the message): each
 * record is one received mail. A throw makes Lambda retry the invocation (SES invokes asynchronously);
 * mail already recorded is skipped by its message id, so a retry never records or wakes twice.
 */
export const handler = invokedHandler(async (event: SESEvent): Promise<{ mails: ReceivedMail[] }> => {
  const records = Array.isArray(event?.Records) ? event.Records : [];
  if (records.length === 0 || records.some((r) => r?.eventSource !== 'aws:ses')) {
    throw new Error('Not an SES receipt event');
  }
  const rpc = await serviceRpc();
  const mails: ReceivedMail[] = [];
  for (const record of records) {
    mails.push(
      await receiveMail(
        {
          rpc,
          readRaw,
          sendTask: async (message) => {
            const sent = await sendTaskMessages({ sqs, queueUrls, log: logger }, [message]);
            if (!sent.has(message.task_id)) throw new Error('The task queue did not take the message');
          },
          mailDomain,
          objectPrefix,
          localOrigins,
          count: (metric) => metrics.addMetric(metric, MetricUnit.Count, 1),
          log: logger,
        },
        record,
      ),
    );
  }
  return { mails };
});
