import { Duration } from 'aws-cdk-lib';
import type { Stage } from 'aws-cdk-lib/aws-apigateway';
import { Alarm, ComparisonOperator, type IMetric, Stats, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  METRIC_NAMES,
  MONITORING,
  OPERATIONS,
  PRIORITIES,
  type Priority,
} from '../../../lambdas/platform/system-config';
import { operationsMetrics as metrics } from './operations-metrics';
import { alarmDescription, RUNBOOK_SECTIONS as runbooks, type RunbookSection } from './runbooks';

export type { RunbookName } from './runbooks';

/** A function to watch for errors and throttles, and where on-call reads what to do about it. */
export interface MonitoredFunction {
  /** Short and stable: it is part of the alarm names. */
  readonly name: string;
  readonly function: IFunction;
  /** Where its errors alarm sends on-call (throttles all go to the scaling runbook's section). */
  readonly runbook: RunbookSection;
}

export interface OperationsAlarmsProps {
  readonly topic: ITopic;
  readonly runbookBaseUrl: string;
  readonly queues: Readonly<Record<Priority, IQueue>>;
  readonly deadLetterQueue: IQueue;
  readonly functions: readonly MonitoredFunction[];
  readonly apiStage: Stage;
  /** Notifications the Slack notifier could not deliver. */
  readonly notifierUndelivered: IQueue;
}

interface AlarmSpec {
  readonly metric: IMetric;
  readonly threshold: number;
  readonly comparison?: ComparisonOperator;
  /** What the alarm means, in one sentence. */
  readonly what: string;
  /** What on-call does first. */
  readonly todo: string;
  /** The runbook section that names this alarm and says what to check and do. */
  readonly runbook: RunbookSection;
  /** No data: most metrics here are absent when nothing happens, which is good news. */
  readonly treatMissingData?: TreatMissingData;
  readonly evaluationPeriods?: number;
}

/**
 * Every alarm of the system, each notifying the alarm topic when it fires and when it is OK again,
 * with a description that says what it means, what to do, and links its runbook. Thresholds come
 * from MONITORING in the system config.
 */
export class OperationsAlarms extends Construct {
  readonly alarms = new Map<string, Alarm>();
  private readonly action: SnsAction;

  constructor(
    scope: Construct,
    id: string,
    private readonly props: OperationsAlarmsProps,
  ) {
    super(scope, id);
    this.action = new SnsAction(props.topic);

    this.add('dlq-not-empty', {
      metric: metrics.queueDepth(props.deadLetterQueue),
      threshold: MONITORING.dlq.maxMessages,
      what: 'Messages are in the dead-letter queue: tasks the submitter could not process at all.',
      todo: 'Read the DLQ monitor alerts in Slack, fix the cause, then redrive or discard the messages.',
      runbook: runbooks.dlqNotEmpty,
    });
    this.add('dlq-oldest-message-age', {
      metric: metrics.queueOldestMessageAge(props.deadLetterQueue),
      threshold: MONITORING.dlq.maxOldestMessageAgeSeconds,
      what: 'A dead letter has waited too long without a decision; the DLQ deletes messages at the end of its retention.',
      todo: 'Redrive the messages whose cause is fixed, discard the rest deliberately.',
      runbook: runbooks.dlqMessageWaiting,
    });

    for (const priority of PRIORITIES) {
      const queue = props.queues[priority];
      const limits = MONITORING.queues[priority];
      this.add(`${priority}-queue-depth`, {
        metric: metrics.queueDepth(queue),
        threshold: limits.maxMessages,
        what: `The ${priority} task queue holds more messages than the submitter is expected to have waiting.`,
        todo: 'Check the submitter for errors and throttles; raise its concurrency if the load is real.',
        runbook: runbooks.backlogGrowing,
        evaluationPeriods: MONITORING.sustainedPeriods,
      });
      this.add(`${priority}-oldest-message-age`, {
        metric: metrics.queueOldestMessageAge(queue),
        threshold: limits.maxOldestMessageAgeSeconds,
        what: `A ${priority} task has waited longer than this priority allows.`,
        todo: 'Check that the submitter consumes the queue (event source mapping enabled, no throttles, no errors).',
        runbook: runbooks.tasksWaitingTooLong,
      });
      this.add(`${priority}-time-to-drain`, {
        metric: metrics.queueTimeToDrain(queue, priority),
        threshold: limits.maxTimeToDrainSeconds,
        what: `At the rate it is worked, the ${priority} queue takes too long to empty (or is not draining at all).`,
        todo: 'Raise this queue\u2019s maximumConcurrency or the submitter\u2019s capacity, or find what slows submissions.',
        runbook: runbooks.queueNotDraining,
        evaluationPeriods: MONITORING.sustainedPeriods,
      });
    }

    this.add('submitter-error-rate', {
      metric: metrics.submitterErrorRate(),
      threshold: MONITORING.submitter.maxErrorRatePercent,
      what: `More than ${MONITORING.submitter.maxErrorRatePercent}% of submission attempts end in an error.`,
      todo: 'Look at the submitter logs by error class: one directory failing, the database, or the browser.',
      runbook: runbooks.submitterErrorRate,
    });

    for (const monitored of props.functions) {
      this.add(`${monitored.name}-errors`, {
        metric: metrics.lambdaErrors(monitored.function),
        threshold: MONITORING.lambda.maxErrors,
        what: `The ${monitored.name} Lambda failed invocations (unhandled errors or timeouts).`,
        todo: `Read the ${monitored.name} logs for the error; redeploy a fix or adjust its limits.`,
        runbook: monitored.runbook,
      });
      this.add(`${monitored.name}-throttles`, {
        metric: metrics.lambdaThrottles(monitored.function),
        threshold: MONITORING.lambda.maxThrottles,
        what: `The ${monitored.name} Lambda was throttled: the account or its reserved concurrency is exhausted.`,
        todo: 'Check the account concurrency and the reserved/maximum concurrency settings.',
        runbook: runbooks.lambdaThrottled,
      });
    }

    this.add('api-5xx', {
      metric: metrics.api5xx(props.apiStage),
      threshold: MONITORING.api.max5xxPerPeriod,
      comparison: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      what: 'The API answered with server errors (5xx).',
      todo: 'Read the API functions\u2019 logs by correlation id; check the database and the queues.',
      runbook: runbooks.api5xx,
    });
    this.add('api-latency-p99', {
      metric: metrics.apiLatency(props.apiStage, Stats.p(99)),
      threshold: MONITORING.api.maxLatencyP99Ms,
      what: 'The slowest 1% of API requests are slower than the target.',
      todo: 'Check the database (slow RPCs) and the API functions\u2019 durations and cold starts.',
      runbook: runbooks.apiLatency,
      evaluationPeriods: MONITORING.sustainedPeriods,
    });

    this.add('stale-tasks-recovered', {
      metric: metrics.emf(METRIC_NAMES.staleTasksRequeued),
      threshold: MONITORING.staleTasks.maxRecoveredPerPeriod,
      what: 'The sweeper requeued stale tasks: a submitter died mid-task or messages were never sent.',
      todo: 'The tasks recover by themselves; find why they went stale (submitter crashes, timeouts, send failures).',
      runbook: runbooks.staleTasksRecovered,
    });
    this.addNotRunning(
      'stale-task-sweeper-not-running',
      METRIC_NAMES.sweeperRun,
      OPERATIONS.sweeper.intervalSeconds,
      {
        what: 'The stale-task sweeper has not completed a run on schedule: stuck tasks are not being recovered.',
        todo: 'Check its EventBridge rule is enabled and its logs for errors or timeouts.',
        runbook: runbooks.sweeperNotRunning,
      },
    );
    this.addNotRunning(
      'dlq-monitor-not-running',
      METRIC_NAMES.dlqMonitorRun,
      OPERATIONS.dlqMonitor.intervalSeconds,
      {
        what: 'The DLQ monitor has not completed a run on schedule: dead letters are not being alerted.',
        todo: 'Check its EventBridge rule is enabled and its logs (Slack or database errors).',
        runbook: runbooks.dlqMonitorNotRunning,
      },
    );

    this.add('slack-notifier-undelivered', {
      metric: metrics.queueDepth(props.notifierUndelivered),
      threshold: MONITORING.notifier.maxUndelivered,
      what: 'Alarm notifications did not reach Slack: they wait in the notifier\u2019s failure queue.',
      todo: 'Check the webhook secret and Slack; then redrive the failure queue into the notifier.',
      runbook: runbooks.alarmNotificationsUndelivered,
    });
  }

  /**
   * The monitor's "I ran" metric missing for MONITORING.missedRunsBeforeAlarm of its intervals. Missing
   * data is the signal here, so it breaches.
   */
  private addNotRunning(
    name: string,
    metricName: string,
    intervalSeconds: number,
    text: Pick<AlarmSpec, 'what' | 'todo' | 'runbook'>,
  ): void {
    const period = Duration.seconds(intervalSeconds * MONITORING.missedRunsBeforeAlarm);
    this.add(name, {
      ...text,
      metric: metrics.emf(metricName, Stats.SUM, period),
      threshold: 1,
      comparison: ComparisonOperator.LESS_THAN_THRESHOLD,
      treatMissingData: TreatMissingData.BREACHING,
    });
  }

  private add(name: string, spec: AlarmSpec): Alarm {
    const alarm = new Alarm(this, name, {
      alarmName: `${MONITORING.alarmNamePrefix}-${name}`,
      alarmDescription: alarmDescription(spec, this.props.runbookBaseUrl, spec.runbook),
      metric: spec.metric,
      threshold: spec.threshold,
      comparisonOperator: spec.comparison ?? ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: spec.evaluationPeriods ?? 1,
      treatMissingData: spec.treatMissingData ?? TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(this.action);
    alarm.addOkAction(this.action);
    this.alarms.set(name, alarm);
    return alarm;
  }
}
