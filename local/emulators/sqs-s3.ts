/**
 * Emulates: Amazon SQS and Amazon S3, through fauxqs (an SQS/S3 wire-compatible server) driven by the
 * real AWS SDK.
 * Reproduces: the queues of the queue stack with the same attributes and redrive policy, the buckets,
 * visibility timeouts, delays, DLQ redrive, and persistence across restarts (SQLite under the data dir).
 * Leaves out: IAM, KMS encryption (accepted, not applied), bucket policies and lifecycle rules.
 */
import { mkdir } from 'node:fs/promises';
import { BucketAlreadyOwnedByYou, CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  SetQueueAttributesCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { startFauxqs } from 'fauxqs';
import { ACCOUNTS, BUCKETS, PRIORITIES, QUEUES, type Priority } from '../../lambdas/platform/system-config';

export const LOCAL_REGION = 'us-east-1';
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
export const LOCAL_SCREENSHOT_BUCKET = `${BUCKETS.screenshots.namePrefix}-local`;
/** Where the retention job archives queue_history (ARCHIVE_BUCKET). */
export const LOCAL_ARCHIVE_BUCKET = 'directorybolt-history-archive-local';
/** Customers' logos (ASSETS_BUCKET). */
export const LOCAL_ASSETS_BUCKET = `${BUCKETS.assets.namePrefix}-local`;
/** Received mail, as SES's S3 action stores it (MAIL_BUCKET). */
export const LOCAL_MAIL_BUCKET = `${ACCOUNTS.mail.namePrefix}-local`;

export interface LocalQueue {
  name: string;
  url: string;
  arn: string;
}

export interface LocalAws {
  endpoint: string;
  sqs: SQSClient;
  s3: S3Client;
  queues: Record<Priority, LocalQueue>;
  dlq: LocalQueue;
  screenshotBucket: string;
  archiveBucket: string;
  assetsBucket: string;
  mailBucket: string;
  stop(): Promise<void>;
}

/**
 * Starts fauxqs (an SQS/S3 wire-compatible emulator) and creates the same queues, with the same
 * attributes and redrive policy, as the CDK queue stack: both read lambdas/platform/system-config.
 * Resources are created through the real AWS SDK, exactly as a deployment would call the service.
 * With `dataDir`, fauxqs keeps queues, messages (waiting, delayed, in flight) and objects in SQLite
 * there, so a restart finds them again, as SQS and S3 keep them across any restart of ours.
 */
export async function startLocalAws(options: { port?: number; dataDir?: string } = {}): Promise<LocalAws> {
  if (options.dataDir) await mkdir(options.dataDir, { recursive: true });
  const server = await startFauxqs({
    port: options.port ?? 0,
    logger: false,
    host: 'localhost',
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
  });
  const endpoint = `http://127.0.0.1:${server.port}`;
  const clientConfig = { endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
  const sqs = new SQSClient(clientConfig);
  const s3 = new S3Client({ ...clientConfig, forcePathStyle: true });

  const stop = async () => {
    sqs.destroy();
    s3.destroy();
    await server.stop();
  };
  let dlq: LocalQueue;
  const queues = {} as Record<Priority, LocalQueue>;
  try {
    dlq = await createQueue(sqs, endpoint, QUEUES.dlq.name, {
      MessageRetentionPeriod: String(QUEUES.dlqRetentionPeriodSeconds),
    });
    for (const priority of PRIORITIES) {
      queues[priority] = await createQueue(sqs, endpoint, QUEUES.tasks[priority].name, {
        VisibilityTimeout: String(QUEUES.visibilityTimeoutSeconds),
        MessageRetentionPeriod: String(QUEUES.retentionPeriodSeconds),
        ReceiveMessageWaitTimeSeconds: String(QUEUES.receiveWaitTimeSeconds),
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: dlq.arn,
          maxReceiveCount: QUEUES.maxReceiveCount,
        }),
      });
    }
    for (const bucket of [
      LOCAL_SCREENSHOT_BUCKET,
      LOCAL_ARCHIVE_BUCKET,
      LOCAL_ASSETS_BUCKET,
      LOCAL_MAIL_BUCKET,
    ]) {
      await createBucket(s3, bucket);
    }
  } catch (error) {
    // A server that could not be set up is not left running.
    await stop();
    throw error;
  }

  return {
    endpoint,
    sqs,
    s3,
    queues,
    dlq,
    screenshotBucket: LOCAL_SCREENSHOT_BUCKET,
    archiveBucket: LOCAL_ARCHIVE_BUCKET,
    assetsBucket: LOCAL_ASSETS_BUCKET,
    mailBucket: LOCAL_MAIL_BUCKET,
    stop,
  };
}

/** Creates a bucket; one kept from an earlier run (dataDir) is ours already. */
async function createBucket(s3: S3Client, bucket: string): Promise<void> {
  try {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  } catch (error) {
    if (!(error instanceof BucketAlreadyOwnedByYou)) throw error;
  }
}

async function createQueue(
  sqs: SQSClient,
  endpoint: string,
  name: string,
  attributes: Record<string, string>,
): Promise<LocalQueue> {
  let created: { QueueUrl?: string };
  try {
    created = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  } catch (error) {
    // Kept from an earlier run (dataDir) with other attributes: the system config changed since.
    // SQS's JSON protocol names it AWS.SimpleQueueService.QueueNameExists.
    if (!String((error as { name?: string }).name).endsWith('QueueNameExists')) throw error;
    created = await sqs.send(new GetQueueUrlCommand({ QueueName: name }));
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl: created.QueueUrl, Attributes: attributes }));
  }
  if (!created.QueueUrl) throw new Error(`Queue ${name} was not created`);
  // fauxqs names queues `sqs.<region>.<host>`, which needs wildcard DNS; the same path on the
  // endpoint itself addresses the same queue and keeps the SDK on the endpoint it was given.
  const QueueUrl = `${endpoint}${new URL(created.QueueUrl).pathname}`;
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
  );
  const arn = Attributes?.QueueArn;
  if (!arn) throw new Error(`Queue ${name} has no ARN`);
  return { name, url: QueueUrl, arn };
}
