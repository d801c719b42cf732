import type { LogPort } from '../shared/ports';
import type { Rpc } from '../shared/rpc';
import { TASKS } from '../shared/system-config';
import type { TaskMessage } from '../shared/task-message';
import { fullJitterDelaySeconds, type BackoffPolicy } from './backoff';

/** A task as claim_task hands it out: what to submit, where, and the fencing attempt number. */
export interface ClaimedTask {
  task_id: string;
  job_id: string;
  attempt: number;
  idempotency_key: string;
  directory: { id: string; slug: string; name: string; submission_url: string; field_mapping: unknown };
  customer: Record<string, string | null> & { id: string };
}

type ClaimResult = { claimed: true; task: ClaimedTask } | { claimed: false; reason: string; status?: string };

export interface SubmissionResult {
  status: 'submitted' | 'needs_manual' | 'failed';
  reason?: string;
  listingUrl?: string;
  screenshot?: Buffer;
}

/** What went wrong in a submission decides what happens next. */
export type ErrorClass = 'transient' | 'permanent';

export interface ProcessTaskDeps {
  rpc: Rpc;
  workerId: string;
  /** Fills and submits the form; calls beforeSubmit right before the click that submits. */
  submit(task: ClaimedTask, beforeSubmit: () => Promise<void>): Promise<SubmissionResult>;
  storeScreenshot(key: string, png: Buffer): Promise<void>;
  /** Makes this delivery reappear after the delay (the message's visibility timeout). */
  retryLater(delaySeconds: number): Promise<void>;
  classify(error: unknown): ErrorClass;
  log: LogPort;
  backoff: BackoffPolicy;
  random?: () => number;
}

export type Disposition =
  | { kind: 'finished'; status: SubmissionResult['status'] }
  | { kind: 'skipped'; reason: string }
  | { kind: 'lease_lost' }
  | { kind: 'retry_scheduled'; delaySeconds: number };

/** The message must stay on the queue: it comes back after the delay set on it. */
export class RetryScheduled extends Error {
  constructor(readonly delaySeconds: number) {
    super(`Retry scheduled in ${delaySeconds}s`);
    this.name = 'RetryScheduled';
  }
}

class LeaseLost extends Error {
  constructor() {
    super('The lease on this task was taken over');
    this.name = 'LeaseLost';
  }
}

/**
 * One delivery of one task: claim it with a lease, submit, store the proof, record the outcome.
 * Every write is fenced by (worker, attempt), so a worker whose lease was taken over records nothing.
 * Throws RetryScheduled when the delivery must be retried later (the caller reports it as a failed
 * batch item, so the queue keeps the message).
 */
export async function processTask(deps: ProcessTaskDeps, message: TaskMessage): Promise<Disposition> {
  const claim = await deps.rpc<ClaimResult>('claim_task', {
    p_task_id: message.task_id,
    p_worker_id: deps.workerId,
    p_lease_seconds: TASKS.leaseSeconds,
  });
  if (!claim.claimed) {
    // A duplicate delivery of a finished task, a task someone else holds, or one to verify: do nothing.
    deps.log.info('Task not claimed', { task_id: message.task_id, reason: claim.reason });
    return { kind: 'skipped', reason: claim.reason };
  }

  const task = claim.task;
  const fence = { p_task_id: task.task_id, p_worker_id: deps.workerId, p_attempt: task.attempt };
  const heartbeat = startHeartbeat(deps, fence);
  try {
    const result = await deps.submit(task, async () => {
      const marked = await deps.rpc<{ ok: boolean }>('mark_submitting', fence);
      if (!marked.ok) throw new LeaseLost();
    });
    const screenshotKey = result.screenshot ? screenshotKeyFor(task) : undefined;
    if (result.screenshot && screenshotKey) await deps.storeScreenshot(screenshotKey, result.screenshot);
    const recorded = await deps.rpc<{ recorded: boolean; reason?: string }>('complete_task', {
      ...fence,
      p_outcome: result.status,
      p_details: {
        screenshot_key: screenshotKey ?? null,
        listing_url: result.listingUrl ?? null,
        message: result.reason ?? null,
      },
    });
    if (!recorded.recorded) return { kind: 'lease_lost' };
    deps.log.info('Task finished', { task_id: task.task_id, status: result.status, attempt: task.attempt });
    return { kind: 'finished', status: result.status };
  } catch (error) {
    if (error instanceof LeaseLost) return { kind: 'lease_lost' };
    return await recordFailure(deps, task, fence, error);
  } finally {
    heartbeat.stop();
  }
}

async function recordFailure(
  deps: ProcessTaskDeps,
  task: ClaimedTask,
  fence: Record<string, unknown>,
  error: unknown,
): Promise<Disposition> {
  const errorClass = deps.classify(error);
  const delaySeconds =
    errorClass === 'transient' ? fullJitterDelaySeconds(task.attempt, deps.backoff, deps.random) : 0;
  const failed = await deps.rpc<{ recorded: boolean; status: 'queued' | 'failed'; attempts_left: number }>(
    'fail_task',
    {
      ...fence,
      p_error_class: errorClass,
      p_error: describe(error),
      p_retry_delay_seconds: delaySeconds,
    },
  );
  deps.log.warn('Submission attempt failed', {
    task_id: task.task_id,
    attempt: task.attempt,
    error_class: errorClass,
    error: describe(error),
    next: failed.status,
  });
  if (!failed.recorded) return { kind: 'lease_lost' };
  if (failed.status === 'queued') {
    await deps.retryLater(delaySeconds);
    throw new RetryScheduled(delaySeconds);
  }
  return { kind: 'finished', status: 'failed' };
}

/** Renews the lease while the submission runs, so the sweeper never takes a live task away. */
function startHeartbeat(deps: ProcessTaskDeps, fence: Record<string, unknown>): { stop(): void } {
  const timer = setInterval(() => {
    deps.rpc('heartbeat_task', { ...fence, p_lease_seconds: TASKS.leaseSeconds }).catch((error: unknown) => {
      deps.log.warn('Heartbeat failed', { error: describe(error) });
    });
  }, TASKS.heartbeatSeconds * 1000);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

function screenshotKeyFor(task: ClaimedTask): string {
  return `screenshots/${task.job_id}/${task.task_id}/attempt-${task.attempt}.png`;
}

/** One line, no stack: stored in the task row and shown to API clients. */
function describe(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.split('\n')[0]!.slice(0, 500);
}
