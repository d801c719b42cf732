import { Duration, Validations } from 'aws-cdk-lib';
import { type IQueue, Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  OPERATIONS,
  OPERATIONS_LAMBDAS,
  PRIORITIES,
  type Priority,
  QUEUES,
} from '../../../lambdas/platform/system-config';
import type { HistoryArchiveBucket } from './history-archive-bucket';
import { ScheduledRun } from './scheduled-run';
import { ServiceFunction } from '../platform/service-function';
import type { SlackWebhookSettings } from './slack-webhook-settings';
import type { SupabaseSettings } from '../platform/supabase-settings';
import { taskQueueUrlVariable } from '../../../lambdas/tasks/task-queues';

export interface OperationsJobsProps {
  readonly queues: Readonly<Record<Priority, IQueue>>;
  readonly deadLetterQueue: IQueue;
  readonly supabase: SupabaseSettings;
  readonly slackWebhook: SlackWebhookSettings;
  readonly archive: HistoryArchiveBucket;
  readonly dashboardUrl: string;
  readonly runbookBaseUrl: string;
  readonly logLevel: string;
}

/**
 * The self-healing jobs: the stale-task sweeper and the DLQ monitor on short schedules, retention
 * daily, and the DLQ redrive, which runs only when someone asks (`aws lambda invoke`).
 * Each function gets exactly the queues, bucket and secrets its job needs.
 */
export class OperationsJobs extends Construct {
  readonly staleTaskSweeper: ServiceFunction;
  readonly dlqMonitor: ServiceFunction;
  readonly dlqRedrive: ServiceFunction;
  readonly retention: ServiceFunction;
  readonly schedules: Readonly<Record<'staleTaskSweeper' | 'dlqMonitor' | 'retention', ScheduledRun>>;
  /** Scheduled runs EventBridge could not deliver (each message is the schedule's event). */
  readonly undeliveredRuns: Queue;

  constructor(scope: Construct, id: string, props: OperationsJobsProps) {
    super(scope, id);
    const fn = (name: keyof typeof OPERATIONS_LAMBDAS, entry: string, description: string) =>
      new ServiceFunction(this, name.charAt(0).toUpperCase() + name.slice(1), {
        entry: `lambdas/handlers/operations/${entry}.ts`,
        description,
        ...OPERATIONS_LAMBDAS[name],
        logLevel: props.logLevel,
      });
    const sendToTaskQueues = (target: ServiceFunction) => {
      for (const priority of PRIORITIES) {
        target.addEnvironment(taskQueueUrlVariable(priority), props.queues[priority].queueUrl);
        props.queues[priority].grantSendMessages(target);
      }
    };

    this.staleTaskSweeper = fn(
      'staleTaskSweeper',
      'stale-task-sweeper',
      'Requeues tasks with expired leases or stuck pending/queued, or fails them past the retry budget',
    );
    props.supabase.bind(this.staleTaskSweeper);
    sendToTaskQueues(this.staleTaskSweeper);

    this.dlqMonitor = fn(
      'dlqMonitor',
      'dlq-monitor',
      'Marks dead-lettered tasks and sends one Slack alert per DLQ message',
    );
    props.supabase.bind(this.dlqMonitor);
    this.dlqMonitor.addEnvironment('DLQ_URL', props.deadLetterQueue.queueUrl);
    props.deadLetterQueue.grantConsumeMessages(this.dlqMonitor);
    props.slackWebhook.bind(this.dlqMonitor);
    this.dlqMonitor.addEnvironment('DASHBOARD_URL', props.dashboardUrl);
    this.dlqMonitor.addEnvironment('RUNBOOK_BASE_URL', props.runbookBaseUrl);

    this.dlqRedrive = fn(
      'dlqRedrive',
      'dlq-redrive',
      'Resends dead-lettered tasks to their task queues on request, with an audit entry',
    );
    // It resends the recorded task (a fresh message, never the poison body), so it needs no DLQ access.
    props.supabase.bind(this.dlqRedrive);
    sendToTaskQueues(this.dlqRedrive);

    this.retention = fn(
      'retention',
      'retention',
      'Archives old queue_history to S3 as JSON lines, then deletes it; purges old rate-limit and idempotency rows',
    );
    props.supabase.bind(this.retention);
    props.archive.bindWriter(this.retention);

    this.undeliveredRuns = new Queue(this, 'UndeliveredRuns', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.seconds(QUEUES.dlqRetentionPeriodSeconds),
    });
    Validations.of(this.undeliveredRuns).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself the dead-letter queue of the EventBridge schedule targets; an alarm watches its depth.',
    });
    const deadLetterQueue = this.undeliveredRuns;

    this.schedules = {
      staleTaskSweeper: new ScheduledRun(this, 'StaleTaskSweeperSchedule', {
        function: this.staleTaskSweeper,
        intervalSeconds: OPERATIONS.sweeper.intervalSeconds,
        description: 'Runs the stale-task sweeper',
        retryFailedRun: false,
        deadLetterQueue,
      }),
      dlqMonitor: new ScheduledRun(this, 'DlqMonitorSchedule', {
        function: this.dlqMonitor,
        intervalSeconds: OPERATIONS.dlqMonitor.intervalSeconds,
        description: 'Runs the DLQ monitor',
        retryFailedRun: false,
        deadLetterQueue,
      }),
      retention: new ScheduledRun(this, 'RetentionSchedule', {
        function: this.retention,
        intervalSeconds: OPERATIONS.retention.intervalSeconds,
        description: 'Runs the daily retention job',
        retryFailedRun: true,
        deadLetterQueue,
      }),
    };
  }

  get all(): readonly ServiceFunction[] {
    return [this.staleTaskSweeper, this.dlqMonitor, this.dlqRedrive, this.retention];
  }
}
