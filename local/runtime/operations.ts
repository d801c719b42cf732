import { OPERATIONS_LAMBDAS } from '../../lambdas/platform/system-config';
import { startScheduler, type ScheduledHandler, type Scheduler } from '../emulators/eventbridge-scheduler';

export interface OperationsIntervals {
  sweepSeconds: number;
  dlqCheckSeconds: number;
  retentionSeconds: number;
}

/**
 * The scheduled operations handlers (lambdas/handlers/operations) on local timers, as EventBridge runs them in AWS.
 * The Lambda environment (DLQ_URL, ARCHIVE_BUCKET, SLACK_WEBHOOK_URL, ...) must be set before this is
 * called: the handlers read it when they load.
 */
export async function startOperations(
  intervals: OperationsIntervals,
  log: (line: string) => void,
): Promise<Scheduler> {
  const load = async (file: string) =>
    ((await import(`../../lambdas/handlers/operations/${file}`)) as { handler: ScheduledHandler }).handler;
  return startScheduler(
    [
      {
        name: 'stale-task-sweeper',
        intervalMs: intervals.sweepSeconds * 1000,
        timeoutMs: OPERATIONS_LAMBDAS.staleTaskSweeper.timeoutSeconds * 1000,
        handler: await load('stale-task-sweeper'),
      },
      {
        name: 'dlq-monitor',
        intervalMs: intervals.dlqCheckSeconds * 1000,
        timeoutMs: OPERATIONS_LAMBDAS.dlqMonitor.timeoutSeconds * 1000,
        handler: await load('dlq-monitor'),
      },
      {
        name: 'retention',
        intervalMs: intervals.retentionSeconds * 1000,
        timeoutMs: OPERATIONS_LAMBDAS.retention.timeoutSeconds * 1000,
        handler: await load('retention'),
      },
    ],
    (name, error) => log(`${name}: run failed: ${error instanceof Error ? error.message : String(error)}`),
  );
}
