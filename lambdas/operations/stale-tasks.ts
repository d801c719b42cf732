import type { SQSClient } from '@aws-sdk/client-sqs';
import type { SweeperThresholds } from '../shared/ops-settings';
import type { LogPort } from '../shared/ports';
import type { Rpc } from '../shared/rpc';
import type { Priority } from '../shared/system-config';
import { sendTaskMessages } from '../shared/send-task-messages';

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

interface SweepRows {
  requeue: RequeueCandidate[];
  failed: { task_id: string; job_id: string; from_status: string; attempt: number }[];
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
  staleWorkers: StaleWorker[];
}

/**
 * One run of the stale-task sweeper. The database decides what is stale and ends the tasks that
 * cannot be retried (sweep_stale_tasks); the others get their message again (the same body create-job
 * sends) and only then are marked queued (mark_tasks_requeued), fenced on the row version the sweep
 * saw. Sending first means a failed send changes nothing and the next run simply tries again; a
 * message that arrives before the mark is harmless (claim_task takes over an expired lease).
 */
export async function sweepStaleTasks(deps: SweepDeps): Promise<SweepResult> {
  const t = deps.thresholds;
  const rows = await deps.rpc<SweepRows>('sweep_stale_tasks', {
    p_lease_grace_seconds: t.leaseGraceSeconds,
    p_pending_seconds: t.stalePendingSeconds,
    p_queued_seconds: t.staleQueuedSeconds,
    p_limit: t.batchSize,
  });
  for (const task of rows.failed) {
    deps.log.warn('Stale task failed: retry budget spent', { ...task });
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
    staleWorkers,
  };
}
