import type { SQSClient } from '@aws-sdk/client-sqs';
import type { SweeperThresholds } from './settings';
import type { LogPort } from '../platform/ports';
import type { Rpc } from '../platform/rpc';
import { ACCOUNTS, PRIORITIES, type Priority } from '../platform/system-config';
import { sendTaskMessages } from '../tasks/send-task-messages';

interface RequeueCandidate {
  task_id: string;
  job_id: string;
  priority: Priority;
  from_status: 'pending' | 'queued' | 'in_progress';
  attempt: number;
  /** needs_verification: it got as far as clicking submit; its next claim looks the listing up instead. */
  reason: 'lease_expired' | 'never_enqueued' | 'message_lost' | 'needs_verification';
  updated_at: string;
}

/** Per priority queue: what it held, how many tasks wait on it, how many messages it is short of. */
export interface QueueAccount {
  messages: number | null;
  tasks_waiting: number;
  messages_lost: number;
}

interface SweepRows {
  requeue: RequeueCandidate[];
  failed: { task_id: string; job_id: string; from_status: string; attempt: number; reason: string }[];
  queues: Record<Priority, QueueAccount>;
}

export interface StaleWorker {
  worker_id: string;
  status: string;
  last_heartbeat: string;
  silent_seconds: number;
  current_job_id: string | null;
  current_task_id: string | null;
}

export interface SweepDeps {
  rpc: Rpc;
  sqs: Pick<SQSClient, 'send'>;
  queueUrls: Record<Priority, string>;
  thresholds: SweeperThresholds;
  log: LogPort;
}

export interface SweepResult {
  /** Sent again and marked queued. */
  requeued: number;
  /** Sent, but picked up by a worker before they could be marked (left to that worker). */
  requeueSkipped: number;
  /** Could not be sent this run; the next run finds them again. */
  sendFailed: number;
  /** Failed for good: their retry budget was spent. */
  failed: number;
  /** Of the requeued, those stale after the submit click: sent back for verification, not resubmission. */
  needsVerification: number;
  /** Per priority: the queue's messages against the tasks waiting on it (the lost-message rule). */
  queues: Record<Priority, QueueAccount>;
  staleWorkers: StaleWorker[];
  /** Tasks whose verification mail did not come before their deadline: ended as needs_manual. */
  verificationTimedOut: number;
  /** Tasks still waiting for a verification mail (none is lost: each ends at its deadline). */
  awaitingVerification: number;
}

/**
 * Messages a task queue holds in any state: waiting, received and in flight, delayed. A queue whose
 * count cannot be read is left out (its lost messages wait for the next run) rather than guessed.
 */
export async function countQueueMessages(
  deps: Pick<SweepDeps, 'sqs' | 'queueUrls' | 'log'>,
): Promise<Partial<Record<Priority, number>>> {
  // Imported on use, as every caller of the lazy SQS client does (lambdas/platform/lazy-client.ts).
  const { GetQueueAttributesCommand } = await import('@aws-sdk/client-sqs');
  const counts: Partial<Record<Priority, number>> = {};
  await Promise.all(
    PRIORITIES.map(async (priority) => {
      try {
        const { Attributes = {} } = await deps.sqs.send(
          new GetQueueAttributesCommand({
            QueueUrl: deps.queueUrls[priority],
            AttributeNames: [
              'ApproximateNumberOfMessages',
              'ApproximateNumberOfMessagesNotVisible',
              'ApproximateNumberOfMessagesDelayed',
            ],
          }),
        );
        counts[priority] =
          Number(Attributes.ApproximateNumberOfMessages ?? 0) +
          Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0) +
          Number(Attributes.ApproximateNumberOfMessagesDelayed ?? 0);
      } catch (error) {
        deps.log.warn('Queue not counted: its lost messages wait for the next sweep', {
          priority,
          error: (error as Error).message,
        });
      }
    }),
  );
  return counts;
}

/**
 * One run of the stale-task sweeper. The queues are counted first; the database then decides what is
 * stale and ends the tasks that cannot be retried (sweep_stale_tasks). A queued task counts as lost
 * only when its queue holds fewer messages than the tasks waiting on it, so a backlog is never resent.
 * The others get their message again (the same body create-job sends) and only then are marked queued
 * (mark_tasks_requeued), fenced on the row version the sweep saw. Sending first means a failed send
 * changes nothing and the next run simply tries again; a message that arrives before the mark is
 * harmless (claim_task takes over an expired lease).
 */
export async function sweepStaleTasks(deps: SweepDeps): Promise<SweepResult> {
  const t = deps.thresholds;
  // Taken before the count: tasks marked queued after it may have messages the count missed.
  const countedAt = new Date().toISOString();
  const queueMessages = await countQueueMessages(deps);
  const rows = await deps.rpc<SweepRows>('sweep_stale_tasks', {
    p_lease_grace_seconds: t.leaseGraceSeconds,
    p_pending_seconds: t.stalePendingSeconds,
    p_queued_seconds: t.staleQueuedSeconds,
    p_limit: t.batchSize,
    p_queue_messages: queueMessages,
    p_queue_counted_at: countedAt,
  });
  for (const task of rows.failed) {
    deps.log.warn('Stale task failed', { ...task });
  }

  let requeued = 0;
  let requeueSkipped = 0;
  const sent =
    rows.requeue.length === 0
      ? new Set<string>()
      : await sendTaskMessages(
          deps,
          rows.requeue.map((task) => ({
            task_id: task.task_id,
            job_id: task.job_id,
            priority: task.priority,
          })),
        );
  const toMark = rows.requeue.filter((task) => sent.has(task.task_id));
  if (toMark.length > 0) {
    const marked = await deps.rpc<{ requeued: number; skipped: string[] }>('mark_tasks_requeued', {
      p_tasks: toMark.map((task) => ({ task_id: task.task_id, updated_at: task.updated_at })),
    });
    requeued = marked.requeued;
    requeueSkipped = marked.skipped.length;
    for (const task of toMark) {
      if (!marked.skipped.includes(task.task_id)) {
        deps.log.info('Stale task requeued', {
          task_id: task.task_id,
          job_id: task.job_id,
          reason: task.reason,
          from_status: task.from_status,
          attempt: task.attempt,
        });
      }
    }
  }

  // A task waiting for its verification mail holds no lease and no message: its deadline is what ends it.
  const waits = await deps.rpc<{ expired: number; expired_task_ids: string[]; waiting: number }>(
    'expire_verification_waits',
    { p_limit: ACCOUNTS.expirePerSweep },
  );
  for (const taskId of waits.expired_task_ids) {
    deps.log.warn('No verification mail before the deadline: the task needs a human', { task_id: taskId });
  }

  const staleWorkers = await deps.rpc<StaleWorker[]>('list_stale_workers', {
    p_stale_seconds: t.staleWorkerSeconds,
  });
  for (const worker of staleWorkers) {
    deps.log.warn('Stale worker', { ...worker });
  }

  return {
    requeued,
    requeueSkipped,
    sendFailed: rows.requeue.length - toMark.length,
    failed: rows.failed.length,
    needsVerification: toMark.filter((task) => task.reason === 'needs_verification').length,
    queues: rows.queues,
    staleWorkers,
    verificationTimedOut: waits.expired,
    awaitingVerification: waits.waiting,
  };
}
