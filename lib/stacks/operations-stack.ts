import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Stage } from 'aws-cdk-lib/aws-apigateway';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { OPERATIONS_LAMBDAS, type Priority } from '../../lambdas/platform/system-config';
import { AlarmTopic } from '../constructs/operations/alarm-topic';
import { EmailVerificationAlarms } from '../constructs/operations/email-verification-alarms';
import { HistoryArchiveBucket } from '../constructs/operations/history-archive-bucket';
import { type MonitoredFunction, OperationsAlarms } from '../constructs/operations/operations-alarms';
import { OperationsDashboard } from '../constructs/operations/operations-dashboard';
import { OperationsJobs } from '../constructs/operations/operations-jobs';
import { RUNBOOK_SECTIONS } from '../constructs/operations/runbooks';
import { ScheduledJobAlarms } from '../constructs/operations/scheduled-job-alarms';
import { SlackNotifier } from '../constructs/operations/slack-notifier';
import {
  SlackWebhookSettings,
  type SlackWebhookSettingsProps,
} from '../constructs/operations/slack-webhook-settings';
import { SupabaseSettings, type SupabaseSettingsProps } from '../constructs/platform/supabase-settings';
import { RUNBOOK_OUTPUTS } from './runbook-outputs';

export interface OperationsStackProps extends StackProps {
  readonly queues: Readonly<Record<Priority, IQueue>>;
  readonly deadLetterQueue: IQueue;
  readonly submitter: IFunction;
  /** The API's stage and its functions, by a short name (the route's). */
  readonly api: { readonly stage: Stage; readonly functions: ReadonlyMap<string, IFunction> };
  /** The inbound-mail Lambda and its failure queue (the mail stack). */
  readonly inboundMail: { readonly function: IFunction; readonly undelivered: IQueue };
  readonly supabase: SupabaseSettingsProps;
  readonly slackWebhook: SlackWebhookSettingsProps;
  /** The docs/runbooks folder's URL (e.g. the repository's blob view on main); runbooks are `<it>/<name>.md`. */
  readonly runbookBaseUrl: string;
  readonly alarmEmail?: string;
  readonly logLevel: string;
}

/**
 * What keeps the system healthy and tells on-call when it is not: the self-healing jobs on their
 * schedules, the history archive, every alarm through one SNS topic to the Slack notifier, and the
 * dashboard.
 */
export class OperationsStack extends Stack {
  readonly alarmTopic: AlarmTopic;
  readonly notifier: SlackNotifier;
  readonly archive: HistoryArchiveBucket;
  readonly jobs: OperationsJobs;
  readonly alarms: OperationsAlarms;
  readonly scheduledJobAlarms: ScheduledJobAlarms;
  readonly emailVerificationAlarms: EmailVerificationAlarms;
  readonly dashboard: OperationsDashboard;

  constructor(scope: Construct, id: string, props: OperationsStackProps) {
    super(scope, id, props);
    const dashboardUrl = OperationsDashboard.urlIn(this.region);
    const slackWebhook = new SlackWebhookSettings(this, 'SlackWebhook', props.slackWebhook);

    this.alarmTopic = new AlarmTopic(this, 'AlarmTopic', { email: props.alarmEmail });
    this.notifier = new SlackNotifier(this, 'SlackNotifier', {
      topic: this.alarmTopic.topic,
      webhook: slackWebhook,
      dashboardUrl,
      runbookBaseUrl: props.runbookBaseUrl,
      logLevel: props.logLevel,
      ...OPERATIONS_LAMBDAS.slackNotifier,
    });
    this.archive = new HistoryArchiveBucket(this, 'HistoryArchive');
    this.jobs = new OperationsJobs(this, 'Jobs', {
      queues: props.queues,
      deadLetterQueue: props.deadLetterQueue,
      supabase: new SupabaseSettings(this, 'Supabase', props.supabase),
      slackWebhook,
      archive: this.archive,
      dashboardUrl,
      runbookBaseUrl: props.runbookBaseUrl,
      logLevel: props.logLevel,
    });

    const runbooks = RUNBOOK_SECTIONS;
    const monitored: MonitoredFunction[] = [
      { name: 'submitter', function: props.submitter, runbook: runbooks.submitterFailing },
      ...[...props.api.functions].map(([name, fn]) => ({
        name: `api-${name}`,
        function: fn,
        runbook: runbooks.apiFunctionErrors,
      })),
      {
        name: 'stale-task-sweeper',
        function: this.jobs.staleTaskSweeper,
        runbook: runbooks.sweeperNotRunning,
      },
      { name: 'dlq-monitor', function: this.jobs.dlqMonitor, runbook: runbooks.dlqMonitorNotRunning },
      { name: 'dlq-redrive', function: this.jobs.dlqRedrive, runbook: runbooks.dlqRedriveFailing },
      { name: 'retention', function: this.jobs.retention, runbook: runbooks.retentionNotRunning },
      {
        name: 'slack-notifier',
        function: this.notifier.function,
        runbook: runbooks.alarmNotificationsUndelivered,
      },
      { name: 'inbound-mail', function: props.inboundMail.function, runbook: runbooks.inboundMailFailing },
    ];
    this.alarms = new OperationsAlarms(this, 'Alarms', {
      topic: this.alarmTopic.topic,
      runbookBaseUrl: props.runbookBaseUrl,
      queues: props.queues,
      deadLetterQueue: props.deadLetterQueue,
      functions: monitored,
      apiStage: props.api.stage,
      notifierUndelivered: this.notifier.undelivered,
    });
    this.scheduledJobAlarms = new ScheduledJobAlarms(this, 'ScheduledJobAlarms', {
      topic: this.alarmTopic.topic,
      runbookBaseUrl: props.runbookBaseUrl,
      undeliveredRuns: this.jobs.undeliveredRuns,
    });
    this.emailVerificationAlarms = new EmailVerificationAlarms(this, 'EmailVerificationAlarms', {
      topic: this.alarmTopic.topic,
      runbookBaseUrl: props.runbookBaseUrl,
      undeliveredMail: props.inboundMail.undelivered,
    });
    this.dashboard = new OperationsDashboard(this, 'Dashboard', {
      queues: props.queues,
      deadLetterQueue: props.deadLetterQueue,
      submitter: props.submitter,
      functions: new Map(monitored.map((m) => [m.name, m.function])),
      apiStage: props.api.stage,
      alarms: [
        ...this.alarms.alarms.values(),
        ...this.scheduledJobAlarms.alarms.values(),
        ...this.emailVerificationAlarms.alarms.values(),
      ],
      runbookBaseUrl: props.runbookBaseUrl,
    });

    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarmTopic.topic.topicArn });
    new CfnOutput(this, 'DashboardUrl', { value: dashboardUrl });
    // What the runbooks tell on-call to read (RUNBOOK_OUTPUTS).
    const outputs = RUNBOOK_OUTPUTS.operations;
    const output = (name: string, value: string, description: string) =>
      new CfnOutput(this, name, { value, description });
    output(
      outputs.staleTaskSweeperFunction,
      this.jobs.staleTaskSweeper.functionName,
      'The stale-task sweeper',
    );
    output(outputs.dlqMonitorFunction, this.jobs.dlqMonitor.functionName, 'The DLQ monitor');
    output(
      outputs.dlqRedriveFunction,
      this.jobs.dlqRedrive.functionName,
      'aws lambda invoke --function-name <name> redrives the DLQ',
    );
    output(outputs.retentionFunction, this.jobs.retention.functionName, 'The daily retention job');
    output(outputs.slackNotifierFunction, this.notifier.function.functionName, 'The Slack notifier');
    output(
      outputs.notifierUndeliveredQueueUrl,
      this.notifier.undelivered.queueUrl,
      'Alarm notifications the Slack notifier could not deliver',
    );
    output(
      outputs.scheduledRunsUndeliveredQueueUrl,
      this.jobs.undeliveredRuns.queueUrl,
      'Scheduled runs EventBridge could not deliver to their function',
    );
    new CfnOutput(this, 'HistoryArchiveBucket', { value: this.archive.bucket.bucketName });
  }
}
