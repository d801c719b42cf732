import {
  SendMessageBatchCommand,
  type SendMessageBatchCommandOutput,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { z } from 'zod';
import type { LogPort } from '../shared/ports';
import type { Rpc } from '../shared/rpc';
import { PRIORITIES, TASKS, type Priority } from '../shared/system-config';
import type { TaskMessage } from '../shared/task-message';

export const createJobRequestSchema = z
  .object({
    customer_id: z.uuid(),
    directory_ids: z
      .array(z.uuid())
      .min(1)
      .max(TASKS.maxDirectoriesPerJob)
      .refine((ids) => new Set(ids).size === ids.length, 'must not contain duplicates'),
    priority: z.enum(PRIORITIES).optional(),
  })
  .strict();

export type CreateJobRequest = z.infer<typeof createJobRequestSchema>;

interface CreatedJob {
  job_id: string;
  priority: Priority;
  created_at: string;
  tasks: { task_id: string; directory_id: string }[];
}

export interface CreateJobDeps {
  rpc: Rpc;
  sqs: Pick<SQSClient, 'send'>;
  queueUrls: Record<Priority, string>;
  log: LogPort;
}

export interface CreateJobResult {
  job_id: string;
  priority: Priority;
  status: 'pending';
  created_at: string;
  tasks_total: number;
  tasks_enqueued: number;
}

/** SQS takes at most ten entries per SendMessageBatch call. */
const SQS_BATCH_LIMIT = 10;

/**
 * Creates a job and its tasks in one transaction, then fans out one message per task.
 * This is an outbox: the tasks are committed before any message is sent, so a crash in between
 * leaves `pending` tasks that the stale-task sweeper enqueues later; a resend is harmless because
 * claiming is idempotent.
 */
export async function createAndEnqueueJob(
  deps: CreateJobDeps,
  request: CreateJobRequest,
): Promise<CreateJobResult> {
  const job = await deps.rpc<CreatedJob>('create_job', {
    p_customer_id: request.customer_id,
    p_directory_ids: request.directory_ids,
    p_priority: request.priority ?? null,
  });

  const sentTaskIds = await sendTaskMessages(deps, job);
  if (sentTaskIds.length > 0) {
    await deps.rpc<{ enqueued: number }>('mark_tasks_enqueued', { p_task_ids: sentTaskIds });
  }

  return {
    job_id: job.job_id,
    priority: job.priority,
    status: 'pending',
    created_at: job.created_at,
    tasks_total: job.tasks.length,
    tasks_enqueued: sentTaskIds.length,
  };
}

async function sendTaskMessages(deps: CreateJobDeps, job: CreatedJob): Promise<string[]> {
  const queueUrl = deps.queueUrls[job.priority];
  const sent: string[] = [];
  for (let start = 0; start < job.tasks.length; start += SQS_BATCH_LIMIT) {
    const chunk = job.tasks.slice(start, start + SQS_BATCH_LIMIT);
    let result: SendMessageBatchCommandOutput;
    try {
      result = await deps.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: chunk.map((task, index) => {
            const message: TaskMessage = {
              task_id: task.task_id,
              job_id: job.job_id,
              priority: job.priority,
            };
            return { Id: String(index), MessageBody: JSON.stringify(message) };
          }),
        }),
      );
    } catch (error) {
      // The job is committed: answering with an error would invite a retry that creates it twice.
      // Its unsent tasks stay pending, and the stale-task sweeper enqueues them. The queue is
      // unreachable, so the remaining chunks are not tried either.
      deps.log.warn('Task messages were not sent', {
        job_id: job.job_id,
        tasks: chunk.length,
        error: error instanceof Error ? error.name : 'unknown',
      });
      break;
    }
    for (const entry of result.Successful ?? []) {
      const task = chunk[Number(entry.Id)];
      if (task) sent.push(task.task_id);
    }
    if ((result.Failed ?? []).length > 0) {
      deps.log.warn('Some task messages were not sent', {
        job_id: job.job_id,
        failed: result.Failed?.length,
      });
    }
  }
  return sent;
}
