import type { LogPort } from '../platform/ports';
import { readTaskTiming } from '../operations/settings';
import type { Rpc } from '../platform/rpc';
import { METRIC_NAMES, TASKS } from '../platform/system-config';
import type { TaskMessage } from './task-message';
import { fullJitterDelaySeconds, type BackoffPolicy } from './backoff';
import type { FailureClass } from './failure-class';
import { messageDelaySeconds, rateLimitWaitSeconds, withJitter } from './requeue';
import { verifySubmission, type LookupPort } from './listing-lookup';
import type { AccountPort, StoredAccount } from '../accounts/directory-account';
import type { SealedCredentials } from '../accounts/credential-vault';

// TASKS.leaseSeconds / heartbeatSeconds, unless the environment shortens them (fault tests).
const taskTiming = readTaskTiming();

/** A task as claim_task hands it out: what to submit, where, and the fencing attempt number. */
export interface ClaimedTask {
  task_id: string;
  job_id: string;
  attempt: number;
  idempotency_key: string;
  directory: {
    id: string;
    slug: string;
    name: string;
    submission_url: string;
    field_mapping: unknown;
    verification?: unknown;
    /** What the directory asks before its listing form (directories.account), or null. */
    account?: unknown;
  };
  /** The business profile as stored (task_payload): text, numbers, lists and objects. */
  customer: Record<string, unknown> & { id: string };
  /** The local part of the business's submission address (<local part>@MAIL_DOMAIN). */
  submission_local_part?: string;
}

type Claim =
  | { claimed: true; task: ClaimedTask; directory_half_open?: boolean; verification_attempt?: number }
  | { claimed: false; reason: string; status?: string; retry_after_seconds?: number };

export interface SubmissionResult {
  /** awaiting_verification: the sign-up was sent and the task now waits for its mail (already recorded). */
  status: 'submitted' | 'needs_manual' | 'failed' | 'awaiting_verification';
  reason?: string;
  listingUrl?: string;
  screenshot?: Buffer;
}

export interface ProcessTaskDeps {
  rpc: Rpc;
  workerId: string;
  /**
   * Fills and submits the form; calls beforeSubmit right before the click that submits. `account` records
   * the directory account's steps (sign-up, waiting for the verification mail), fenced by this attempt.
   */
  submit(
    task: ClaimedTask,
    beforeSubmit: () => Promise<void>,
    account: AccountPort,
  ): Promise<SubmissionResult>;
  storeScreenshot(key: string, png: Buffer): Promise<void>;
  /** Makes this delivery reappear after the delay (the message's visibility timeout): spends a receive. */
  retryLater(delaySeconds: number): Promise<void>;
  /**
   * Sends the task again as a fresh message visible after the delay (at most QUEUES.maxDelaySeconds);
   * the caller then lets the current delivery succeed, so waiting spends no SQS receive count.
   */
  defer(delaySeconds: number): Promise<void>;
  classify(error: unknown): FailureClass;
  /** GET under the SSRF rules, for verification lookups. */
  lookup: LookupPort;
  /** Counts one occurrence of a metric (METRIC_NAMES). */
  count(metric: string): void;
  log: LogPort;
  backoff: BackoffPolicy;
  random?: () => number;
}

export type Disposition =
  | { kind: 'finished'; status: 'submitted' | 'needs_manual' | 'failed' }
  | { kind: 'waiting' }
  | { kind: 'skipped'; reason: string }
  | { kind: 'lease_lost' }
  | { kind: 'deferred'; reason: string; delaySeconds: number };

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

type Fence = { p_task_id: string; p_worker_id: string; p_attempt: number };

/**
 * One delivery of one task: claim it with a lease, submit, store the proof, record the outcome.
 * Every write is fenced by (worker, attempt), so a worker whose lease was taken over records nothing.
 *
 * - A task an earlier attempt may already have submitted is verified first, never resubmitted blindly.
 * - A claim the directory's politeness limits or breaker refuse is deferred (a fresh delayed message).
 * - Throws RetryScheduled when a transient failure is retried later (the caller reports it as a failed
 *   batch item, so the queue keeps the message and its visibility delay).
 */
export async function processTask(deps: ProcessTaskDeps, message: TaskMessage): Promise<Disposition> {
  let claim = await claimTask(deps, message.task_id);
  if (!claim.claimed && claim.reason === 'needs_verification') {
    const verified = await verifyTask(deps, message.task_id);
    if (verified !== 'not_submitted') return verified;
    // The earlier attempt never reached the directory: submit it now, as any other claim.
    claim = await claimTask(deps, message.task_id);
  }
  if (!claim.claimed) return refused(deps, message.task_id, claim);
  if (claim.directory_half_open) deps.count(METRIC_NAMES.directoryHalfOpen);
  return submitClaimed(deps, claim.task);
}

function claimTask(deps: ProcessTaskDeps, taskId: string): Promise<Claim> {
  return deps.rpc<Claim>('claim_task', {
    p_task_id: taskId,
    p_worker_id: deps.workerId,
    p_lease_seconds: taskTiming.leaseSeconds,
  });
}

/** A claim not handed out: a duplicate, someone else's lease, or the directory asks us to wait. */
async function refused(
  deps: ProcessTaskDeps,
  taskId: string,
  claim: Extract<Claim, { claimed: false }>,
): Promise<Disposition> {
  if (claim.retry_after_seconds !== undefined) {
    // claim_task wrote the claim_deferred row (with its jitter); the attempt is untouched.
    deps.log.info('Task deferred by its directory', {
      task_id: taskId,
      reason: claim.reason,
      delay_seconds: claim.retry_after_seconds,
    });
    return defer(deps, claim.reason, claim.retry_after_seconds);
  }
  deps.log.info('Task not claimed', { task_id: taskId, reason: claim.reason, status: claim.status });
  return { kind: 'skipped', reason: claim.reason };
}

async function defer(deps: ProcessTaskDeps, reason: string, seconds: number): Promise<Disposition> {
  // Longer than one message can wait: it comes back at the limit and the gate defers it again.
  const delaySeconds = messageDelaySeconds(seconds);
  await deps.defer(delaySeconds);
  deps.count(METRIC_NAMES.taskDeferred);
  return { kind: 'deferred', reason, delaySeconds };
}

/**
 * Looks an uncertain submission up. Found: submitted with its listing. Not found: 'not_submitted',
 * and the caller claims it normally. No rule (or too many failed lookups): claim_verification ends
 * it as needs_manual.
 */
async function verifyTask(deps: ProcessTaskDeps, taskId: string): Promise<Disposition | 'not_submitted'> {
  const claim = await deps.rpc<Claim>('claim_verification', {
    p_task_id: taskId,
    p_worker_id: deps.workerId,
    p_lease_seconds: taskTiming.leaseSeconds,
    p_max_attempts: TASKS.maxVerificationAttempts,
  });
  if (!claim.claimed) {
    if (claim.reason === 'not_needed') return 'not_submitted';
    if (claim.reason === 'finished' && claim.status === 'needs_manual') {
      deps.log.warn('Task may have been submitted and cannot be verified: needs a human', {
        task_id: taskId,
      });
      return { kind: 'finished', status: 'needs_manual' };
    }
    return refused(deps, taskId, claim);
  }
  if (claim.directory_half_open) deps.count(METRIC_NAMES.directoryHalfOpen);
  const task = claim.task;
  const fence: Fence = { p_task_id: task.task_id, p_worker_id: deps.workerId, p_attempt: task.attempt };

  let result;
  try {
    result = await verifySubmission(deps.lookup, task.directory.verification, task.customer);
  } catch (error) {
    const delaySeconds = Math.max(
      1,
      fullJitterDelaySeconds(claim.verification_attempt ?? 1, deps.backoff, deps.random),
    );
    const recorded = await deps.rpc<{ recorded: boolean }>('record_verification', {
      ...fence,
      p_outcome: 'error',
      p_details: { error: describe(error) },
      p_retry_delay_seconds: delaySeconds,
    });
    deps.log.warn('Verification lookup failed', {
      task_id: task.task_id,
      error: describe(error),
      delaySeconds,
    });
    if (!recorded.recorded) return { kind: 'lease_lost' };
    return defer(deps, 'verification_failed', delaySeconds);
  }

  const recorded = await deps.rpc<{ recorded: boolean; status: string; directory_resumed?: boolean }>(
    'record_verification',
    {
      ...fence,
      p_outcome: result.found ? 'found' : 'not_found',
      p_details: { lookup_url: result.lookupUrl, listing_url: result.listingUrl ?? null },
    },
  );
  if (!recorded.recorded) return { kind: 'lease_lost' };
  deps.count(METRIC_NAMES.taskVerified);
  if (recorded.directory_resumed) deps.count(METRIC_NAMES.directoryResumed);
  deps.log.info('Verification finished', { task_id: task.task_id, found: result.found });
  return result.found ? { kind: 'finished', status: 'submitted' } : 'not_submitted';
}

async function submitClaimed(deps: ProcessTaskDeps, task: ClaimedTask): Promise<Disposition> {
  const fence: Fence = { p_task_id: task.task_id, p_worker_id: deps.workerId, p_attempt: task.attempt };
  const heartbeat = startHeartbeat(deps, fence);
  try {
    const result = await deps.submit(
      task,
      async () => {
        const marked = await deps.rpc<{ ok: boolean }>('mark_submitting', fence);
        if (!marked.ok) throw new LeaseLost();
      },
      accountPort(deps, task, fence),
    );
    if (result.status === 'awaiting_verification') {
      // await_email_verification recorded the wait and released the lease: nothing more to write.
      deps.log.info("Task waits for the directory's verification mail", { task_id: task.task_id });
      return { kind: 'waiting' };
    }
    const outcome = result.status;
    const screenshotKey = result.screenshot ? screenshotKeyFor(task) : undefined;
    if (result.screenshot && screenshotKey) await deps.storeScreenshot(screenshotKey, result.screenshot);
    const recorded = await deps.rpc<{ recorded: boolean; reason?: string; directory_resumed?: boolean }>(
      'complete_task',
      {
        ...fence,
        p_outcome: outcome,
        p_details: {
          screenshot_key: screenshotKey ?? null,
          listing_url: result.listingUrl ?? null,
          message: result.reason ?? null,
        },
      },
    );
    if (!recorded.recorded) return { kind: 'lease_lost' };
    if (recorded.directory_resumed) deps.count(METRIC_NAMES.directoryResumed);
    deps.log.info('Task finished', { task_id: task.task_id, status: outcome, attempt: task.attempt });
    return { kind: 'finished', status: outcome };
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
  fence: Fence,
  error: unknown,
): Promise<Disposition> {
  const failure = deps.classify(error);
  if (failure.errorClass === 'rate_limited') {
    return recordRateLimited(deps, task, fence, error, failure.retryAfterSeconds);
  }
  const errorClass = failure.errorClass;
  const delaySeconds =
    errorClass === 'transient' ? fullJitterDelaySeconds(task.attempt, deps.backoff, deps.random) : 0;
  const failed = await deps.rpc<{
    recorded: boolean;
    reason?: string;
    status: string;
    attempts_left: number;
    directory_paused?: boolean;
  }>('fail_task', {
    ...fence,
    p_error_class: errorClass,
    p_error: describe(error),
    p_retry_delay_seconds: delaySeconds,
  });
  // The log says what fail_task recorded, not what this worker asked for: a worker whose lease was
  // taken over is refused, and the task's real state is someone else's.
  if (!failed.recorded) {
    deps.log.warn('Submission attempt failed, not recorded: the lease was lost', {
      task_id: task.task_id,
      attempt: task.attempt,
      error_class: errorClass,
      error: describe(error),
      refused: failed.reason ?? 'lease_lost',
      task_status: failed.status,
    });
    return { kind: 'lease_lost' };
  }
  deps.log.warn('Submission attempt failed', {
    task_id: task.task_id,
    attempt: task.attempt,
    error_class: errorClass,
    error: describe(error),
    next: failed.status,
    attempts_left: failed.attempts_left,
    delay_seconds: failed.status === 'queued' ? delaySeconds : null,
  });
  if (failed.directory_paused) {
    deps.count(METRIC_NAMES.directoryPaused);
    deps.log.warn('Directory paused: too many consecutive transient failures', {
      directory_id: task.directory.id,
      directory: task.directory.slug,
    });
  }
  if (failed.status === 'queued') {
    await deps.retryLater(delaySeconds);
    throw new RetryScheduled(delaySeconds);
  }
  return { kind: 'finished', status: 'failed' };
}

/** 429: the directory asked us to wait. The attempt is given back and the wait is a deferral. */
async function recordRateLimited(
  deps: ProcessTaskDeps,
  task: ClaimedTask,
  fence: Fence,
  error: unknown,
  retryAfterSeconds: number | undefined,
): Promise<Disposition> {
  const waitSeconds = rateLimitWaitSeconds(retryAfterSeconds);
  const delaySeconds = withJitter(waitSeconds, deps.random);
  const deferred = await deps.rpc<{
    recorded: boolean;
    reason?: string;
    status: string;
    attempt_refunded?: boolean;
  }>('defer_rate_limited', {
    ...fence,
    p_retry_after_seconds: waitSeconds,
    p_delay_seconds: delaySeconds,
    p_error: describe(error),
    p_max_deferrals: TASKS.rateLimit.maxDeferrals,
  });
  if (!deferred.recorded) {
    deps.log.warn('Directory rate limited the submission, not recorded: the lease was lost', {
      task_id: task.task_id,
      attempt: task.attempt,
      retry_after_seconds: retryAfterSeconds ?? null,
      refused: deferred.reason ?? 'lease_lost',
      task_status: deferred.status,
    });
    return { kind: 'lease_lost' };
  }
  deps.log.warn('Directory rate limited the submission', {
    task_id: task.task_id,
    attempt: task.attempt,
    retry_after_seconds: retryAfterSeconds ?? null,
    delay_seconds: delaySeconds,
    attempt_refunded: deferred.attempt_refunded ?? false,
    next: deferred.status,
  });
  deps.count(METRIC_NAMES.taskRateLimited);
  if (deferred.status === 'queued') return defer(deps, 'rate_limited', delaySeconds);
  return { kind: 'finished', status: 'failed' };
}

/** The directory account's SQL steps for this attempt; a refused fence is a lost lease. */
function accountPort(deps: ProcessTaskDeps, task: ClaimedTask, fence: Fence): AccountPort {
  const ids = { p_customer_id: task.customer.id, p_directory_id: task.directory.id };
  return {
    get: () => deps.rpc<StoredAccount | null>('get_directory_account', ids),
    begin: async (loginEmail: string, sealed: SealedCredentials) => {
      const begun = await deps.rpc<{ recorded: boolean; created?: boolean; account?: StoredAccount }>(
        'begin_directory_sign_up',
        { ...fence, p_login_email: loginEmail, p_sealed_credentials: sealed },
      );
      if (!begun.recorded || !begun.account) throw new LeaseLost();
      return { created: begun.created ?? false, account: begun.account };
    },
    awaitVerification: async (timeoutSeconds: number) => {
      const waited = await deps.rpc<{
        recorded: boolean;
        link_ready?: boolean;
        verification_deadline?: string;
      }>('await_email_verification', { ...fence, p_timeout_seconds: timeoutSeconds });
      if (!waited.recorded) throw new LeaseLost();
      return { linkReady: waited.link_ready ?? false, deadline: waited.verification_deadline };
    },
    finishVerification: async (outcome, reason) => {
      const finished = await deps.rpc<{ recorded: boolean }>('finish_email_verification', {
        ...fence,
        p_outcome: outcome,
        p_reason: reason ?? null,
      });
      if (!finished.recorded) throw new LeaseLost();
    },
  };
}

/** Renews the lease while the submission runs, so the sweeper never takes a live task away. */
function startHeartbeat(deps: ProcessTaskDeps, fence: Fence): { stop(): void } {
  const timer = setInterval(() => {
    deps
      .rpc('heartbeat_task', { ...fence, p_lease_seconds: taskTiming.leaseSeconds })
      .catch((error: unknown) => {
        deps.log.warn('Heartbeat failed', { error: describe(error) });
      });
  }, taskTiming.heartbeatSeconds * 1000);
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
