/**
 * Emulates: a Lambda SQS event source mapping (batch size, maximumConcurrency, partial batch responses).
 * Reproduces: long polling, batches as SQS event records, the failed records left to reappear after
 * their visibility timeout (so redrive to the DLQ happens as in AWS), at most maximumConcurrency
 * invocations in flight, the function timeout.
 * Leaves out: batching windows, scaling of pollers with queue depth, and filter criteria.
 */
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { invokeWithTimeout, lambdaContext } from './lambda-context';

export type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | void>;

export interface SqsEventSourceOptions {
  sqs: SQSClient;
  queueUrl: string;
  queueArn: string;
  region: string;
  functionName: string;
  handler: SqsHandler;
  batchSize: number;
  /** Like the event source mapping's ScalingConfig.MaximumConcurrency: invocations in flight at most. */
  maximumConcurrency: number;
  functionTimeoutMs: number;
  /** Long-poll wait; short locally so a stop is quick. */
  waitTimeSeconds?: number;
  onError?: (error: unknown) => void;
}

export interface SqsEventSource {
  /** Invocations currently running. */
  inFlight(): number;
  stop(): Promise<void>;
}

/**
 * What a Lambda SQS event source mapping does, for the local runtime: long-polls the queue, hands
 * batches to the handler with at most `maximumConcurrency` invocations in flight, deletes the records
 * the handler did not report in `batchItemFailures`, and leaves the rest (or the whole batch when
 * the invocation throws or times out) to reappear after their visibility timeout, which is how
 * retries and redrive to the DLQ happen in AWS too.
 */
export function startSqsEventSource(options: SqsEventSourceOptions): SqsEventSource {
  let running = true;
  const active = new Set<Promise<void>>();
  const deleting = new Set<Promise<void>>();
  const pollers: Promise<void>[] = [];

  const invoke = async (messages: Message[]): Promise<void> => {
    const records = messages.map((message) => toRecord(message, options));
    const context = lambdaContext(options.functionName, options.functionTimeoutMs);
    let failedIds: Set<string>;
    try {
      const response = await invokeWithTimeout(
        () => options.handler({ Records: records }, context),
        options.functionTimeoutMs,
        options.functionName,
      );
      failedIds = new Set((response?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier));
    } catch (error) {
      options.onError?.(error);
      return; // the whole batch stays on the queue, as with a failed Lambda invocation
    }
    const done = messages.filter((message) => !failedIds.has(message.MessageId ?? ''));
    if (done.length > 0) {
      // The slot is free once the handler has returned, as in Lambda, where the mapping deletes
      // after the invocation and the delete holds no function concurrency: the next receive need
      // not wait for it. The messages stay invisible meanwhile; stop() waits for the deletes.
      const deletion = options.sqs
        .send(
          new DeleteMessageBatchCommand({
            QueueUrl: options.queueUrl,
            Entries: done.map((message, index) => ({
              Id: String(index),
              ReceiptHandle: message.ReceiptHandle,
            })),
          }),
        )
        .then(
          () => undefined,
          (error: unknown) => options.onError?.(error),
        );
      deleting.add(deletion);
      void deletion.finally(() => deleting.delete(deletion));
    }
  };

  // One poller per concurrency slot: each receives a batch only when it is free to run it, so
  // messages are never held invisible while waiting for a slot.
  const poll = async (): Promise<void> => {
    while (running) {
      try {
        const { Messages } = await options.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: options.queueUrl,
            MaxNumberOfMessages: options.batchSize,
            WaitTimeSeconds: options.waitTimeSeconds ?? 1,
            MessageSystemAttributeNames: ['All'],
            MessageAttributeNames: ['All'],
          }),
        );
        if (!Messages || Messages.length === 0) continue;
        if (!running) {
          // Received by a poll that was out when stop() was called: hand the messages back now
          // rather than leave them invisible for the queue's whole visibility timeout.
          await options.sqs.send(
            new ChangeMessageVisibilityBatchCommand({
              QueueUrl: options.queueUrl,
              Entries: Messages.map((message, index) => ({
                Id: String(index),
                ReceiptHandle: message.ReceiptHandle,
                VisibilityTimeout: 0,
              })),
            }),
          );
          break;
        }
        const invocation = invoke(Messages);
        active.add(invocation);
        await invocation.finally(() => active.delete(invocation));
      } catch (error) {
        if (!running) break;
        options.onError?.(error);
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  };

  for (let slot = 0; slot < options.maximumConcurrency; slot += 1) pollers.push(poll());

  return {
    inFlight: () => active.size,
    stop: async () => {
      running = false;
      await Promise.allSettled(pollers);
      await Promise.allSettled([...deleting]);
    },
  };
}

/** An SQS message as a Lambda event record, the shape the event source mapping delivers. */
export function toRecord(
  message: Message,
  options: Pick<SqsEventSourceOptions, 'queueArn' | 'region'>,
): SQSRecord {
  const attributes = message.Attributes ?? {};
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
      SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
      SenderId: attributes.SenderId ?? 'local',
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
    },
    messageAttributes: Object.fromEntries(
      Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [
        name,
        { stringValue: value.StringValue, dataType: value.DataType ?? 'String' },
      ]),
    ),
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: options.queueArn,
    awsRegion: options.region,
  };
}
