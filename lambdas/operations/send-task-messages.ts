import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { LogPort } from '../shared/ports';
import type { Priority } from '../shared/system-config';
import type { TaskMessage } from '../shared/task-message';

/** SQS takes at most ten entries per SendMessageBatch call. */
const SQS_BATCH_LIMIT = 10;

export interface TaskMessageTarget {
  sqs: Pick<SQSClient, 'send'>;
  queueUrls: Record<Priority, string>;
  log: LogPort;
}

/**
 * Sends one task message per task (the same body create-job sends) to its priority's queue and
 * returns the ids of the tasks whose message SQS accepted. A failed chunk is logged and skipped:
 * callers only mark the sent ones, so the rest stay where the sweeper finds them again.
 */
export async function sendTaskMessages(
  target: TaskMessageTarget,
  messages: TaskMessage[],
): Promise<Set<string>> {
  const sent = new Set<string>();
  const byPriority = new Map<Priority, TaskMessage[]>();
  for (const message of messages) {
    const list = byPriority.get(message.priority) ?? [];
    list.push(message);
    byPriority.set(message.priority, list);
  }
  for (const [priority, list] of byPriority) {
    for (let start = 0; start < list.length; start += SQS_BATCH_LIMIT) {
      const chunk = list.slice(start, start + SQS_BATCH_LIMIT);
      try {
        const result = await target.sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: target.queueUrls[priority],
            Entries: chunk.map((message, index) => ({
              Id: String(index),
              MessageBody: JSON.stringify(message),
            })),
          }),
        );
        for (const entry of result.Successful ?? []) {
          const message = chunk[Number(entry.Id)];
          if (message) sent.add(message.task_id);
        }
        if ((result.Failed ?? []).length > 0) {
          target.log.warn('Some task messages were not sent', { priority, failed: result.Failed?.length });
        }
      } catch (error) {
        target.log.warn('Task messages were not sent', {
          priority,
          tasks: chunk.length,
          error: error instanceof Error ? error.name : 'unknown',
        });
      }
    }
  }
  return sent;
}
