import { MONITORING } from '../../../lambdas/platform/system-config';

/** A runbook file: docs/runbooks/<name>.md. */
export type RunbookName = (typeof MONITORING.runbooks)[keyof typeof MONITORING.runbooks];

/**
 * A section of a runbook: `docs/runbooks/<file>.md#<anchor>`, the anchor being the slug GitHub gives
 * the section's heading. The section names the alarms that link it (by name or name pattern) and
 * says what to check and do; test/lib/runbooks.test.ts holds every alarm of the app to that.
 */
export interface RunbookSection {
  readonly file: RunbookName;
  readonly anchor: string;
}

const { runbooks } = MONITORING;
const section = (file: RunbookName, anchor: string): RunbookSection => ({ file, anchor });

/** Every section an alarm links, by what it is about. */
export const RUNBOOK_SECTIONS = {
  dlqNotEmpty: section(runbooks.dlqMessages, 'dlq-not-empty'),
  dlqMessageWaiting: section(runbooks.dlqMessages, 'a-dead-letter-waits-for-a-decision'),
  dlqMonitorNotRunning: section(runbooks.dlqMessages, 'dlq-monitor-not-running-or-failing'),
  dlqRedriveFailing: section(runbooks.dlqMessages, 'redrive-failing'),
  backlogGrowing: section(runbooks.scaling, 'backlog-growing'),
  tasksWaitingTooLong: section(runbooks.scaling, 'tasks-waiting-too-long'),
  queueNotDraining: section(runbooks.scaling, 'queue-not-draining-in-time'),
  lambdaThrottled: section(runbooks.scaling, 'lambda-throttled'),
  submitterErrorRate: section(runbooks.submitter, 'submission-error-rate'),
  submitterFailing: section(runbooks.submitter, 'submitter-invocations-failing'),
  api5xx: section(runbooks.api, 'api-5xx'),
  apiLatency: section(runbooks.api, 'api-latency'),
  apiFunctionErrors: section(runbooks.api, 'api-function-errors'),
  staleTasksRecovered: section(runbooks.staleTasks, 'stale-tasks-recovered'),
  sweeperNotRunning: section(runbooks.staleTasks, 'sweeper-not-running-or-failing'),
  retentionNotRunning: section(runbooks.scheduledJobs, 'retention-not-running-or-failing'),
  scheduledRunsUndelivered: section(runbooks.scheduledJobs, 'scheduled-runs-undelivered'),
  alarmNotificationsUndelivered: section(runbooks.slackAlerts, 'alarm-notifications-not-delivered'),
  dlqAlertsFailing: section(runbooks.slackAlerts, 'dlq-alerts-failing'),
  verificationTimedOut: section(runbooks.emailVerification, 'verification-timed-out'),
  unmatchedMail: section(runbooks.emailVerification, 'unmatched-mail'),
  inboundMailFailing: section(runbooks.emailVerification, 'inbound-mail-failing'),
} as const satisfies Record<string, RunbookSection>;

/** The section's URL under the deployment's runbook base URL (the docs/runbooks folder, browsable). */
export function runbookLink(runbookBaseUrl: string, runbook: RunbookSection): string {
  return `${runbookBaseUrl.replace(/\/+$/, '')}/${runbook.file}.md#${runbook.anchor}`;
}

/**
 * An alarm's description in cdk-monitoring-constructs' shape: what happened, then `Runbook: <link>`
 * last (the Slack notifier links it). In between, what on-call does first.
 */
export function alarmDescription(
  text: { readonly what: string; readonly todo: string },
  runbookBaseUrl: string,
  runbook: RunbookSection,
): string {
  return `${text.what} What to do: ${text.todo} Runbook: ${runbookLink(runbookBaseUrl, runbook)}`;
}
