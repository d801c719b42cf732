import { OPERATIONS, TASKS } from '../platform/system-config';

/**
 * Timing the operations code and the submitter read as configuration: the defaults are the one
 * definition in system-config; an environment variable may shorten them (the fault tests run a lease
 * of seconds, not minutes, so "requeued within lease + sweep interval" fits in a test). Read once at
 * load; a value that is not a positive whole number fails the start, not the first sweep.
 */
function seconds(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`Environment variable ${name} must be a positive whole number of seconds`);
  }
  return value;
}

export interface TaskTiming {
  /** The lease a claim takes and a heartbeat renews. */
  leaseSeconds: number;
  /** How often a working submitter renews its lease; must stay well below the lease. */
  heartbeatSeconds: number;
}

export function readTaskTiming(): TaskTiming {
  const leaseSeconds = seconds('TASK_LEASE_SECONDS', TASKS.leaseSeconds);
  const heartbeatSeconds = seconds('TASK_HEARTBEAT_SECONDS', TASKS.heartbeatSeconds);
  if (heartbeatSeconds >= leaseSeconds) {
    throw new Error('TASK_HEARTBEAT_SECONDS must be smaller than TASK_LEASE_SECONDS');
  }
  return { leaseSeconds, heartbeatSeconds };
}

export interface SweeperThresholds {
  leaseGraceSeconds: number;
  stalePendingSeconds: number;
  staleQueuedSeconds: number;
  staleWorkerSeconds: number;
  batchSize: number;
}

export function readSweeperThresholds(): SweeperThresholds {
  const s = OPERATIONS.sweeper;
  return {
    leaseGraceSeconds: seconds('STALE_LEASE_GRACE_SECONDS', s.leaseGraceSeconds),
    stalePendingSeconds: seconds('STALE_PENDING_SECONDS', s.stalePendingSeconds),
    staleQueuedSeconds: seconds('STALE_QUEUED_SECONDS', s.staleQueuedSeconds),
    staleWorkerSeconds: seconds('STALE_WORKER_SECONDS', s.staleWorkerSeconds),
    batchSize: s.batchSize,
  };
}

export interface AlertRetry {
  baseSeconds: number;
  capSeconds: number;
}

/** How soon an alert Slack did not take is tried again (shortened by env in the fault tests). */
export function readAlertRetry(): AlertRetry {
  const r = OPERATIONS.dlqMonitor.alertRetry;
  const baseSeconds = seconds('DLQ_ALERT_RETRY_BASE_SECONDS', r.baseSeconds);
  return {
    baseSeconds,
    capSeconds: Math.max(baseSeconds, seconds('DLQ_ALERT_RETRY_CAP_SECONDS', r.capSeconds)),
  };
}
