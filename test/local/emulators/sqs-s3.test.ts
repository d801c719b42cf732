/**
 * Local queues across restarts: fauxqs with a data directory (local/emulators/sqs-s3.ts, as `npm start` runs it
 * beside its embedded database) keeps the task queues' messages and the buckets' objects.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import {
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
} from '@aws-sdk/client-sqs';
import { startLocalAws, type LocalAws } from '../../../local/emulators/sqs-s3';
import { QUEUES } from '../../../lambdas/platform/system-config';

let dataDir: string;
let aws: LocalAws | undefined;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'directorybolt-queues-'));
});
afterAll(async () => {
  await aws?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

it('a restart with the same data directory finds the queued messages and stored objects again', async () => {
  aws = await startLocalAws({ dataDir });
  const body = JSON.stringify({ task_id: 'kept-across-restarts', job_id: 'j', priority: 'p2' });
  await aws.sqs.send(new SendMessageCommand({ QueueUrl: aws.queues.p2.url, MessageBody: body }));
  await aws.s3.send(
    new PutObjectCommand({ Bucket: aws.screenshotBucket, Key: 'screenshots/proof.png', Body: 'png' }),
  );
  await aws.stop();

  // A new emulator on another port, as after Ctrl-C and `npm start` again.
  aws = await startLocalAws({ dataDir });
  const { Messages = [] } = await aws.sqs.send(
    new ReceiveMessageCommand({ QueueUrl: aws.queues.p2.url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
  );
  expect(Messages.map((m) => m.Body)).toEqual([body]);
  const object = await aws.s3.send(
    new GetObjectCommand({ Bucket: aws.screenshotBucket, Key: 'screenshots/proof.png' }),
  );
  expect(await object.Body?.transformToString()).toBe('png');
});

it('a kept queue whose attributes the system config no longer matches is brought up to date', async () => {
  await aws?.stop();
  aws = await startLocalAws({ dataDir });
  await aws.sqs.send(
    new SetQueueAttributesCommand({ QueueUrl: aws.queues.p3.url, Attributes: { VisibilityTimeout: '7' } }),
  );
  await aws.stop();

  aws = await startLocalAws({ dataDir });
  const { Attributes = {} } = await aws.sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: aws.queues.p3.url, AttributeNames: ['VisibilityTimeout'] }),
  );
  expect(Attributes.VisibilityTimeout).toBe(String(QUEUES.visibilityTimeoutSeconds));
});

it('without a data directory the queues start empty (the in-memory default)', async () => {
  await aws?.stop();
  aws = await startLocalAws();
  const { Messages = [] } = await aws.sqs.send(
    new ReceiveMessageCommand({ QueueUrl: aws.queues.p2.url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
  );
  expect(Messages).toEqual([]);
});
