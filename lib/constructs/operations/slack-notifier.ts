import { Duration, Validations } from 'aws-cdk-lib';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { LambdaSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { QUEUES } from '../../../lambdas/platform/system-config';
import { ServiceFunction } from '../platform/service-function';
import type { SlackWebhookSettings } from './slack-webhook-settings';

export interface SlackNotifierProps {
  readonly topic: ITopic;
  readonly webhook: SlackWebhookSettings;
  /** Linked from every message, so on-call lands on the graphs and the instructions in one click. */
  readonly dashboardUrl: string;
  readonly runbookBaseUrl: string;
  readonly logLevel: string;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
}

/**
 * Turns the alarm topic's notifications (ALARM and back to OK) into Slack messages.
 *
 * Its own failures land in one queue, whichever way they happen: SNS unable to invoke the function
 * (the subscription's dead-letter queue) or the function failing every attempt, e.g. Slack down
 * (the asynchronous invocation's on-failure destination, which keeps the error with the event).
 * That queue and the function's errors are alarmed like everything else.
 */
export class SlackNotifier extends Construct {
  readonly function: ServiceFunction;
  /** Notifications that never reached Slack; redrive them to the function once Slack is back. */
  readonly undelivered: Queue;

  constructor(scope: Construct, id: string, props: SlackNotifierProps) {
    super(scope, id);
    this.undelivered = new Queue(this, 'Undelivered', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.seconds(QUEUES.dlqRetentionPeriodSeconds),
    });
    Validations.of(this.undelivered).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the dead-letter queue of the Slack notifier; an alarm watches its depth.',
    });

    this.function = new ServiceFunction(this, 'Function', {
      entry: 'lambdas/handlers/operations/slack-notifier.ts',
      description: 'Posts CloudWatch alarm state changes from SNS to Slack',
      timeoutSeconds: props.timeoutSeconds,
      memoryMb: props.memoryMb,
      logLevel: props.logLevel,
    });
    props.webhook.bind(this.function);
    this.function.addEnvironment('DASHBOARD_URL', props.dashboardUrl);
    this.function.addEnvironment('RUNBOOK_BASE_URL', props.runbookBaseUrl);

    // Lambda retries a failed asynchronous event twice (covers a Slack blip), then hands it over.
    this.function.configureAsyncInvoke({
      retryAttempts: 2,
      onFailure: new SqsDestination(this.undelivered),
    });
    props.topic.addSubscription(new LambdaSubscription(this.function, { deadLetterQueue: this.undelivered }));
  }
}
