/**
 * local/emulators/sqs-event-source.ts against real fauxqs (local/emulators/sqs-s3.ts creates the task queues and DLQ as the CDK
 * queue stack does) through the real @aws-sdk/client-sqs.
 */
import { createHash } from 'node:crypto';
import {
  ChangeMessageVisibilityCommand,
  GetQueueAttributesCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { LOCAL_REGION, startLocalAws, type LocalAws, type LocalQueue } from '../../../local/emulators/sqs-s3';
import {
  startSqsEventSource,
  type SqsEventSource,
  type SqsHandler,
} from '../../../local/emulators/sqs-event-source';
import { QUEUES } from '../../../lambdas/platform/system-config';

let aws: LocalAws;
let source: SqsEventSource | undefined;
const errors: unknown[] = [];

beforeEach(async () => {
  errors.length = 0;
  aws = await startLocalAws();
});
afterEach(async () => {
  await source?.stop();
  source = undefined;
  await aws?.stop();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits for a condition; the test's own timeout bounds it, so nothing here asserts on time. */
async function until(condition: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await condition())) await sleep(20);
}

function start(
  queue: LocalQueue,
  handler: SqsHandler,
  settings: { batchSize?: number; maximumConcurrency?: number; functionTimeoutMs?: number } = {},
): SqsEventSource {
  source = startSqsEventSource({
    sqs: aws.sqs,
    queueUrl: queue.url,
    queueArn: queue.arn,
    region: LOCAL_REGION,
    functionName: 'submitter-test',
    handler,
    batchSize: settings.batchSize ?? 1,
    maximumConcurrency: settings.maximumConcurrency ?? 1,
    functionTimeoutMs: settings.functionTimeoutMs ?? 5_000,
    waitTimeSeconds: 1,
    onError: (error) => errors.push(error),
  });
  return source;
}

async function send(queue: LocalQueue, bodies: string[]): Promise<string[]> {
  const { Successful } = await aws.sqs.send(
    new SendMessageBatchCommand({
      QueueUrl: queue.url,
      Entries: bodies.map((body, index) => ({ Id: String(index), MessageBody: body })),
    }),
  );
  return (Successful ?? []).map((entry) => entry.MessageId ?? '');
}

async function queueCounts(queue: LocalQueue): Promise<{ visible: number; notVisible: number }> {
  const { Attributes } = await aws.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queue.url,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return {
    visible: Number(Attributes?.ApproximateNumberOfMessages),
    notVisible: Number(Attributes?.ApproximateNumberOfMessagesNotVisible),
  };
}

/** Makes a received message visible again after `seconds`, instead of the queue's 12 minutes. */
async function shortenVisibility(queue: LocalQueue, receiptHandle: string, seconds: number): Promise<void> {
  await aws.sqs.send(
    new ChangeMessageVisibilityCommand({
      QueueUrl: queue.url,
      ReceiptHandle: receiptHandle,
      VisibilityTimeout: seconds,
    }),
  );
}

describe('sqs event source', () => {
  it('delivers records in the SQS event shape', async () => {
    // Prepare
    const queue = aws.queues.p3;
    const body = JSON.stringify({ taskId: 't-1', directoryId: 'd-1' });
    const sent = await aws.sqs.send(
      new SendMessageCommand({
        QueueUrl: queue.url,
        MessageBody: body,
        MessageAttributes: { priority: { DataType: 'String', StringValue: 'p3' } },
      }),
    );
    const events: SQSEvent[] = [];
    // Act
    start(queue, async (event) => {
      events.push(event);
    });
    await until(() => events.length > 0);
    // Assess
    expect(queue.name).toBe(QUEUES.tasks.p3.name);
    expect(events[0]!.Records).toHaveLength(1);
    const record = events[0]!.Records[0]!;
    expect(record.messageId).toBe(sent.MessageId);
    expect(typeof record.receiptHandle).toBe('string');
    expect(record.receiptHandle.length).toBeGreaterThan(0);
    expect(record.body).toBe(body);
    expect(record.md5OfBody).toBe(createHash('md5').update(body).digest('hex'));
    expect(record.attributes.ApproximateReceiveCount).toBe('1');
    expect(Number(record.attributes.SentTimestamp)).toBeGreaterThan(0);
    expect(record.messageAttributes.priority).toEqual({ stringValue: 'p3', dataType: 'String' });
    expect(record.eventSource).toBe('aws:sqs');
    expect(record.eventSourceARN).toBe(queue.arn);
    expect(record.eventSourceARN).toMatch(new RegExp(`:${QUEUES.tasks.p3.name}$`));
    expect(record.awsRegion).toBe(LOCAL_REGION);
  });

  it('respects the batch size', async () => {
    // Prepare
    const queue = aws.queues.p2;
    const bodies = ['m1', 'm2', 'm3', 'm4', 'm5'];
    await send(queue, bodies);
    const batches: string[][] = [];
    // Act
    start(
      queue,
      async (event) => {
        batches.push(event.Records.map((record) => record.body));
      },
      { batchSize: 2, maximumConcurrency: 1 },
    );
    await until(() => batches.flat().length >= bodies.length);
    // Assess
    expect(batches.every((batch) => batch.length >= 1 && batch.length <= 2)).toBe(true);
    expect(Math.max(...batches.map((batch) => batch.length))).toBe(2);
    expect(batches.flat().sort()).toEqual(bodies);
  });

  it('deletes the records not in batchItemFailures and redelivers the failed ones', async () => {
    // Prepare
    const queue = aws.queues.p3;
    await send(queue, ['ok-1', 'fail-once', 'ok-2']);
    const deliveries: { body: string; receiveCount: string }[] = [];
    const handler: SqsHandler = async (event): Promise<SQSBatchResponse> => {
      const failures: SQSBatchResponse['batchItemFailures'] = [];
      for (const record of event.Records) {
        deliveries.push({ body: record.body, receiveCount: record.attributes.ApproximateReceiveCount });
        if (record.body === 'fail-once' && record.attributes.ApproximateReceiveCount === '1') {
          await shortenVisibility(queue, record.receiptHandle, 1);
          failures.push({ itemIdentifier: record.messageId });
        }
      }
      return { batchItemFailures: failures };
    };
    // Act
    start(queue, handler, { batchSize: 3, maximumConcurrency: 1 });
    await until(() => deliveries.some((d) => d.body === 'fail-once' && d.receiveCount === '2'));
    await source!.stop();
    const after = await queueCounts(queue);
    // Assess
    expect(deliveries.filter((d) => d.body === 'ok-1')).toEqual([{ body: 'ok-1', receiveCount: '1' }]);
    expect(deliveries.filter((d) => d.body === 'ok-2')).toEqual([{ body: 'ok-2', receiveCount: '1' }]);
    expect(deliveries.filter((d) => d.body === 'fail-once').map((d) => d.receiveCount)).toEqual(['1', '2']);
    expect(after).toEqual({ visible: 0, notVisible: 0 });
    expect(errors).toEqual([]);
  });

  it('leaves the whole batch on the queue when the handler throws', async () => {
    // Prepare
    const queue = aws.queues.p1;
    await send(queue, ['a', 'b']);
    const deliveries: { body: string; receiveCount: string }[] = [];
    let calls = 0;
    const handler: SqsHandler = async (event) => {
      calls += 1;
      for (const record of event.Records) {
        deliveries.push({ body: record.body, receiveCount: record.attributes.ApproximateReceiveCount });
      }
      if (calls === 1) {
        for (const record of event.Records) await shortenVisibility(queue, record.receiptHandle, 1);
        throw new Error('handler crashed');
      }
    };
    // Act
    start(queue, handler, { batchSize: 2, maximumConcurrency: 1 });
    await until(() => deliveries.filter((d) => d.receiveCount === '2').length === 2);
    await source!.stop();
    const after = await queueCounts(queue);
    // Assess
    expect(
      deliveries
        .filter((d) => d.receiveCount === '1')
        .map((d) => d.body)
        .sort(),
    ).toEqual(['a', 'b']);
    expect(
      deliveries
        .filter((d) => d.receiveCount === '2')
        .map((d) => d.body)
        .sort(),
    ).toEqual(['a', 'b']);
    expect(errors).toHaveLength(1);
    expect((errors[0] as Error).message).toBe('handler crashed');
    expect(after).toEqual({ visible: 0, notVisible: 0 });
  });

  it('leaves the batch on the queue when the handler exceeds functionTimeoutMs', async () => {
    // Prepare
    const queue = aws.queues.p3;
    await send(queue, ['slow']);
    const receiveCounts: string[] = [];
    let releaseSlow: () => void = () => undefined;
    const slow = new Promise<void>((resolve) => {
      releaseSlow = resolve;
    });
    const handler: SqsHandler = async (event) => {
      const record = event.Records[0]!;
      receiveCounts.push(record.attributes.ApproximateReceiveCount);
      if (record.attributes.ApproximateReceiveCount === '1') {
        await shortenVisibility(queue, record.receiptHandle, 1);
        await slow; // past functionTimeoutMs
      }
    };
    // Act
    start(queue, handler, { functionTimeoutMs: 200 });
    await until(() => receiveCounts.includes('2'));
    releaseSlow();
    await source!.stop();
    const after = await queueCounts(queue);
    // Assess
    expect(receiveCounts).toEqual(['1', '2']);
    expect(errors).toHaveLength(1);
    expect((errors[0] as Error).message).toMatch(/timed out/);
    expect(after).toEqual({ visible: 0, notVisible: 0 });
  });

  it('runs at most maximumConcurrency invocations at once', async () => {
    // Prepare
    const queue = aws.queues.p3;
    const limit = QUEUES.tasks.p3.maximumConcurrency;
    const bodies = Array.from({ length: limit + 3 }, (_, i) => `m${i}`);
    await send(queue, bodies);
    let inFlight = 0;
    let maxInFlight = 0;
    const seen: string[] = [];
    let open = false;
    const handler: SqsHandler = async (event) => {
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      seen.push(...event.Records.map((record) => record.body));
      try {
        while (!open) await sleep(10);
        await sleep(20);
      } finally {
        inFlight -= 1;
      }
    };
    // Act: hold the first invocations until the limit is reached, leave room for one too many, then let go
    const running = start(queue, handler, { batchSize: 1, maximumConcurrency: limit });
    await until(() => inFlight === limit);
    await sleep(300);
    const inFlightWhileHeld = running.inFlight();
    const maxWhileHeld = maxInFlight;
    open = true;
    await until(() => seen.length >= bodies.length && inFlight === 0);
    // Assess
    expect(maxWhileHeld).toBe(limit);
    expect(inFlightWhileHeld).toBe(limit);
    expect(maxInFlight).toBeLessThanOrEqual(limit);
    expect(seen.sort()).toEqual([...bodies].sort());
  });

  it('stops: stop() resolves and nothing is invoked afterwards', async () => {
    // Prepare
    const queue = aws.queues.p3;
    await send(queue, ['before']);
    const bodies: string[] = [];
    const running = start(queue, async (event) => {
      bodies.push(...event.Records.map((record) => record.body));
    });
    await until(() => bodies.length === 1);
    // Act
    await running.stop();
    await send(queue, ['after']);
    await sleep(1_500); // longer than the pollers' 1 s long poll
    const after = await queueCounts(queue);
    // Assess
    expect(bodies).toEqual(['before']);
    expect(running.inFlight()).toBe(0);
    expect(after).toEqual({ visible: 1, notVisible: 0 });
  });

  it('frees the slot when the handler returns: the delete does not hold the next receive; stop() waits for it', async () => {
    // Prepare: every DeleteMessageBatch waits at a gate until the test opens it (an SDK middleware
    // on the real client; the request still goes to fauxqs afterwards)
    const queue = aws.queues.p3;
    let open = (): void => {};
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    aws.sqs.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'DeleteMessageBatchCommand') await gate;
        return next(args);
      },
      { step: 'initialize', name: 'holdDeletes' },
    );
    await send(queue, ['first', 'second']);
    const bodies: string[] = [];
    // Act: one slot; the second message can only run if the first one's delete does not block it
    const running = start(
      queue,
      async (event) => {
        bodies.push(...event.Records.map((record) => record.body));
      },
      { maximumConcurrency: 1 },
    );
    await until(() => bodies.length === 2);
    const whileHeld = await queueCounts(queue);
    const stopped = running.stop();
    open();
    await stopped;
    const after = await queueCounts(queue);
    // Assess: both handled while their deletes were held (invisible, not lost), and stop() let the
    // deletes finish: nothing comes back
    expect(bodies.sort()).toEqual(['first', 'second']);
    expect(whileHeld).toEqual({ visible: 0, notVisible: 2 });
    expect(after).toEqual({ visible: 0, notVisible: 0 });
    expect(errors).toEqual([]);
  });

  it('does not hold back messages its pending long poll receives while stopping', async () => {
    // Prepare: the poller's long poll is out (issued synchronously by start) on an empty queue
    const queue = aws.queues.p3;
    const bodies: string[] = [];
    const running = start(queue, async (event) => {
      bodies.push(...event.Records.map((record) => record.body));
    });
    // Act: stop, and send while that poll is still waiting; it receives the message
    const stopped = running.stop();
    await send(queue, ['during-stop']);
    await stopped;
    const after = await queueCounts(queue);
    // Assess: not invoked, and back on the queue rather than invisible for the visibility timeout
    expect(bodies).toEqual([]);
    expect(after).toEqual({ visible: 1, notVisible: 0 });
  });
});
