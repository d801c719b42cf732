import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, type IMetric, Stats, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { METRIC_NAMES, MONITORING, OPERATIONS } from '../../../lambdas/platform/system-config';
import { operationsMetrics as metrics } from './operations-metrics';
import { alarmDescription, RUNBOOK_SECTIONS as runbooks, type RunbookSection } from './runbooks';

export interface ScheduledJobAlarmsProps {
  readonly topic: ITopic;
  readonly runbookBaseUrl: string;
  /** The scheduled targets' dead-letter queue (OperationsJobs.undeliveredRuns). */
  readonly undeliveredRuns: IQueue;
}

interface Spec {
  readonly metric: IMetric;
  readonly threshold: number;
  readonly comparison: ComparisonOperator;
  readonly evaluationPeriods: number;
  readonly treatMissingData: TreatMissingData;
  readonly what: string;
  readonly todo: string;
  /** The runbook section that names this alarm and says what to check and do. */
  readonly runbook: RunbookSection;
}

/**
 * The scheduled jobs' own failure modes that the other alarms do not see: retention silently not
 * running (daily, so its "I ran" metric needs a period of days), DLQ alerts that keep failing to
 * reach Slack (each failure alone is retried from the outbox and is no incident), and runs EventBridge
 * could not deliver at all. Same shape as OperationsAlarms: name prefix, ALARM and OK to the topic,
 * a description that says what to do and links its runbook section (lib/constructs/operations/runbooks.ts).
 */
export class ScheduledJobAlarms extends Construct {
  readonly alarms = new Map<string, Alarm>();

  constructor(scope: Construct, id: string, props: ScheduledJobAlarmsProps) {
    super(scope, id);
    const action = new SnsAction(props.topic);
    const day = Duration.days(1);
    // A failing alert is retried at least every alertRetry.capSeconds, so every window of that length
    // holds a failure for as long as Slack keeps refusing.
    const alertWindow = Duration.seconds(OPERATIONS.dlqMonitor.alertRetry.capSeconds);

    const specs: Record<string, Spec> = {
      'retention-not-running': {
        metric: metrics.emf(METRIC_NAMES.retentionRun, Stats.SUM, day),
        threshold: 1,
        comparison: ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: MONITORING.retentionNotRunningDays,
        // Missing data is the signal: no run reported no metric.
        treatMissingData: TreatMissingData.BREACHING,
        what: `The daily retention job has not completed a run in ${MONITORING.retentionNotRunningDays} days: queue_history and expired rows are piling up.`,
        todo: 'Check its EventBridge rule is enabled, its logs for errors or timeouts, and the scheduled runs dead-letter queue; invoke it once by hand after a fix.',
        runbook: runbooks.retentionNotRunning,
      },
      'dlq-alerts-failing': {
        metric: metrics.emf(METRIC_NAMES.dlqAlertsFailed, Stats.SUM, alertWindow),
        threshold: MONITORING.dlqAlertsFailing.maxFailedPerWindow,
        comparison: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: MONITORING.dlqAlertsFailing.windows,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        what: `DLQ alerts have failed to reach Slack in each of the last ${MONITORING.dlqAlertsFailing.windows} windows of ${alertWindow.toMinutes()} minutes: dead letters are not being announced (they wait in the outbox).`,
        todo: 'Check the Slack webhook secret and Slack itself; read the DLQ monitor logs; meanwhile read GET /admin/dlq.',
        runbook: runbooks.dlqAlertsFailing,
      },
      'scheduled-runs-undelivered': {
        metric: metrics.queueDepth(props.undeliveredRuns),
        threshold: MONITORING.scheduledRunsUndelivered.maxMessages,
        comparison: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        what: 'EventBridge could not start a scheduled run (sweeper, DLQ monitor or retention) after its retries: that run did not happen.',
        todo: 'Read the message in the scheduled runs dead-letter queue (its rule and error), fix the cause (throttling, a deleted function), then purge it.',
        runbook: runbooks.scheduledRunsUndelivered,
      },
    };

    for (const [name, spec] of Object.entries(specs)) {
      const alarm = new Alarm(this, name, {
        alarmName: `${MONITORING.alarmNamePrefix}-${name}`,
        alarmDescription: alarmDescription(spec, props.runbookBaseUrl, spec.runbook),
        metric: spec.metric,
        threshold: spec.threshold,
        comparisonOperator: spec.comparison,
        evaluationPeriods: spec.evaluationPeriods,
        datapointsToAlarm: spec.evaluationPeriods,
        treatMissingData: spec.treatMissingData,
      });
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
      this.alarms.set(name, alarm);
    }
  }
}
