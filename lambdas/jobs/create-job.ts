import type { SQSClient } from '@aws-sdk/client-sqs';
import { createHash } from 'node:crypto';
import * as z from '../platform/zod';
import type { LogPort } from '../platform/ports';
import type { Rpc } from '../platform/rpc';
import { API_ACCESS, PRIORITIES, TASKS, type Priority } from '../platform/system-config';
import { sendTaskMessages } from '../tasks/send-task-messages';

export const createJobRequestSchema = z.strictObject({
  customer_id: z.uuid(),
  directory_ids: z.array(z.uuid()).check(
    z.minLength(1),
    z.maxLength(TASKS.maxDirectoriesPerJob),
    z.refine((ids) => new Set(ids).size === ids.length, 'must not contain duplicates'),
  ),
  priority: z.optional(z.enum(PRIORITIES)),
  notes: z.optional(z.string().check(z.maxLength(API_ACCESS.maxNotesLength))),
});

export type CreateJobRequest = z.infer<typeof createJobRequestSchema>;

interface CreatedJob {
  job_id: string;
  priority: Priority;
  created_at: string;
  /** `pending` tasks hold their listing and are sent; `already_listed` ones are finished duplicates. */
  tasks: { task_id: string; directory_id: string; status: 'pending' | 'already_listed' }[];
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
  /** `completed` when every directory was already listed (nothing to send). */
  status: 'pending' | 'completed';
  created_at: string;
  tasks_total: number;
  tasks_enqueued: number;
  /** Tasks not sent because their business listing already exists or is in flight (GET /jobs/{id}). */
  tasks_already_listed: number;
}

/** What makes a retried POST /jobs the same request: who sent it, its key, and its body. */
export interface IdempotencyScope {
  principal: string;
  key: string;
}

export type CreateJobOutcome =
  | { kind: 'created'; job: CreateJobResult }
  | { kind: 'replayed'; statusCode: number; job: CreateJobResult }
  | { kind: 'conflict' };

/** SHA-256 over the validated body (keys in schema order), so a retry must send the same request. */
export function requestHash(request: CreateJobRequest): string {
  return createHash('sha256').update(JSON.stringify(request)).digest('hex');
}

/**
 * Creates a job and its tasks in one transaction, then fans out one message per task.
 * This is an outbox: the tasks are committed before any message is sent, so a crash in between
 * leaves `pending` tasks that the stale-task sweeper enqueues later; a resend is harmless because
 * claiming is idempotent.
 * With an idempotency scope, the key and the job commit in the same transaction
 * (create_job_idempotent): a retry replays the first answer and never creates a second job.
 */
export async function createAndEnqueueJob(
  deps: CreateJobDeps,
  request: CreateJobRequest,
  idempotency?: IdempotencyScope,
): Promise<CreateJobOutcome> {
  let job: CreatedJob;
  if (idempotency) {
    const result = await deps.rpc<
      | { outcome: 'created'; job: CreatedJob }
      | { outcome: 'replayed'; status_code: number; response: CreateJobResult }
      | { outcome: 'conflict' }
    >('create_job_idempotent', {
      p_principal: idempotency.principal,
      p_idempotency_key: idempotency.key,
      p_request_hash: requestHash(request),
      p_customer_id: request.customer_id,
      p_directory_ids: request.directory_ids,
      p_priority: request.priority ?? null,
      p_notes: request.notes ?? null,
    });
    if (result.outcome === 'conflict') return { kind: 'conflict' };
    if (result.outcome === 'replayed') {
      return { kind: 'replayed', statusCode: result.status_code, job: result.response };
    }
    job = result.job;
  } else {
    job = await deps.rpc<CreatedJob>('create_job', {
      p_customer_id: request.customer_id,
      p_directory_ids: request.directory_ids,
      p_priority: request.priority ?? null,
    });
    if (request.notes !== undefined) {
      await deps.rpc('update_job', {
        p_job_id: job.job_id,
        p_expected_version: 1,
        p_changes: { notes: request.notes },
        p_customer_id: null,
      });
    }
  }

  const enqueued = await enqueueTasks(
    deps,
    job.job_id,
    job.priority,
    job.tasks.filter((task) => task.status === 'pending').map((task) => task.task_id),
  );

  const alreadyListed = job.tasks.filter((task) => task.status === 'already_listed').length;
  const answer: CreateJobResult = {
    job_id: job.job_id,
    priority: job.priority,
    status: alreadyListed === job.tasks.length ? 'completed' : 'pending',
    created_at: job.created_at,
    tasks_total: job.tasks.length,
    tasks_enqueued: enqueued,
    tasks_already_listed: alreadyListed,
  };
  if (idempotency) {
    await deps.rpc('record_idempotent_response', {
      p_principal: idempotency.principal,
      p_idempotency_key: idempotency.key,
      p_status_code: 201,
      p_response: answer,
    });
  }
  return { kind: 'created', job: answer };
}

/**
 * Sends one message per task to the priority's queue and marks the sent ones queued; returns how many
 * were sent. Unsent tasks stay pending for the sweeper (see createAndEnqueueJob).
 */
export async function enqueueTasks(
  deps: CreateJobDeps,
  jobId: string,
  priority: Priority,
  taskIds: string[],
): Promise<number> {
  const accepted = await sendTaskMessages(
    deps,
    taskIds.map((taskId) => ({ task_id: taskId, job_id: jobId, priority })),
    { job_id: jobId },
  );
  const sent = taskIds.filter((taskId) => accepted.has(taskId));
  if (sent.length > 0) await deps.rpc('mark_tasks_enqueued', { p_task_ids: sent });
  return sent.length;
}
