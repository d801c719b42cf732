import type { SQSClient } from '@aws-sdk/client-sqs';
import type { LogPort } from '../platform/ports';
import { QUEUES, type Priority } from '../platform/system-config';
import type { TaskMessage } from './task-message';

/** SQS takes at most ten entries per SendMessageBatch call. */
const SQS_BATCH_LIMIT = 10;

export interface TaskMessageTarget {
  sqs: Pick<SQSClient, 'send'>;
  queueUrls: Record<Priority, string>;
  log: LogPort;
}

/**
 * Sends one message per task to its priority's queue and returns the ids of the tasks whose message
 * SQS accepted. Every caller (job creation, the stale-task sweeper, DLQ redrive) marks only those:
 * the rest stay where the sweeper finds them again.
 *
 * Batches of ten go out QUEUES.sendConcurrency at a time: a job of 500 directories is 50 calls, one
 * round trip each, and sending them one after another made them most of POST /jobs's time. A call
 * that fails outright means the queue is unreachable: no further batches are started.
 */
export async function sendTaskMessages(
  target: TaskMessageTarget,
  messages: TaskMessage[],
  logContext: Record<string, unknown> = {},
): Promise<Set<string>> {
  const batches: { priority: Priority; messages: TaskMessage[] }[] = [];
  for (const priority of new Set(messages.map((message) => message.priority))) {
    const list = messages.filter((message) => message.priority === priority);
    for (let start = 0; start < list.length; start += SQS_BATCH_LIMIT) {
      batches.push({ priority, messages: list.slice(start, start + SQS_BATCH_LIMIT) });
    }
  }

  const sent = new Set<string>();
  if (batches.length === 0) return sent;
  // Loaded here, not at start-up: see lambdas/platform/lazy-client.ts.
  const { SendMessageBatchCommand } = await import('@aws-sdk/client-sqs');
  let next = 0;
  let unreachable = false;
  const sender = async (): Promise<void> => {
    while (!unreachable && next < batches.length) {
      const batch = batches[next++]!;
      try {
        const result = await target.sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: target.queueUrls[batch.priority],
            Entries: batch.messages.map((message, index) => ({
              Id: String(index),
              MessageBody: JSON.stringify(message),
            })),
          }),
        );
        for (const entry of result.Successful ?? []) {
          const message = batch.messages[Number(entry.Id)];
          if (message) sent.add(message.task_id);
        }
        if ((result.Failed ?? []).length > 0) {
          target.log.warn('Some task messages were not sent', {
            ...logContext,
            priority: batch.priority,
            failed: result.Failed?.length,
          });
        }
      } catch (error) {
        unreachable = true;
        target.log.warn('Task messages were not sent', {
          ...logContext,
          priority: batch.priority,
          tasks: batch.messages.length,
          error: error instanceof Error ? error.name : 'unknown',
        });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(QUEUES.sendConcurrency, batches.length) }, () => sender()));
  return sent;
}
