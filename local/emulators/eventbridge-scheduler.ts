/**
 * Emulates: EventBridge rules on a rate schedule invoking the operations Lambdas.
 * Reproduces: a scheduled-event payload every interval, the function timeout, no overlap of one job's
 * runs, and a failed run that does not stop the schedule.
 * Leaves out: cron expressions, EventBridge's retry policy and dead-letter queue for failed deliveries,
 * and clock drift (intervals are timers, shortened by tests).
 */
import type { Context } from 'aws-lambda';
import { invokeWithTimeout, lambdaContext } from './lambda-context';

export type ScheduledHandler = (event: unknown, context: Context) => Promise<unknown>;

export interface ScheduledJob {
  name: string;
  intervalMs: number;
  timeoutMs: number;
  handler: ScheduledHandler;
}

export interface Scheduler {
  /** Runs finished per job (successful or not). */
  runs(name: string): number;
  stop(): Promise<void>;
}

/**
 * What EventBridge schedules do, for the local runtime: each handler is invoked every interval with a
 * scheduled-event payload and a Lambda context, under its function timeout. A run never overlaps the
 * previous one of the same job (the next starts an interval after the last ended), and a failed run is
 * reported and does not stop the schedule, as a failed scheduled invocation does not in AWS.
 */
export function startScheduler(
  jobs: ScheduledJob[],
  onError: (name: string, error: unknown) => void,
): Scheduler {
  let running = true;
  const counts = new Map<string, number>();
  const timers = new Set<NodeJS.Timeout>();
  const inFlight = new Set<Promise<void>>();

  const schedule = (job: ScheduledJob) => {
    if (!running) return;
    const timer = setTimeout(() => {
      timers.delete(timer);
      const run = invokeWithTimeout(
        () => job.handler(scheduledEvent(job.name), lambdaContext(job.name, job.timeoutMs)),
        job.timeoutMs,
        job.name,
      )
        .then(
          () => undefined,
          (error: unknown) => onError(job.name, error),
        )
        .finally(() => {
          counts.set(job.name, (counts.get(job.name) ?? 0) + 1);
          inFlight.delete(run);
          schedule(job);
        });
      inFlight.add(run);
    }, job.intervalMs);
    timers.add(timer);
  };
  for (const job of jobs) schedule(job);

  return {
    runs: (name) => counts.get(name) ?? 0,
    stop: async () => {
      running = false;
      for (const timer of timers) clearTimeout(timer);
      await Promise.allSettled([...inFlight]);
    },
  };
}

function scheduledEvent(name: string) {
  return {
    version: '0',
    id: crypto.randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: '000000000000',
    time: new Date().toISOString(),
    region: 'us-east-1',
    resources: [`arn:aws:events:us-east-1:000000000000:rule/${name}`],
    detail: {},
  };
}
