import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

export interface SlackWebhookSettingsProps {
  /** The webhook URL's secret: its complete ARN wins over its name; one of them is required. */
  readonly secretArn?: string;
  readonly secretName?: string;
}

/**
 * Where the Slack webhook URL is: a Secrets Manager secret created outside this app (a webhook URL is a
 * credential: anyone holding it can post to the channel), so the template holds only its ARN and a
 * deploy never writes, replaces or deletes it.
 */
export class SlackWebhookSettings extends Construct {
  readonly secret: ISecret;

  constructor(scope: Construct, id: string, props: SlackWebhookSettingsProps) {
    super(scope, id);
    if (props.secretArn) {
      this.secret = Secret.fromSecretCompleteArn(this, 'Webhook', props.secretArn);
    } else if (props.secretName) {
      this.secret = Secret.fromSecretNameV2(this, 'Webhook', props.secretName);
    } else {
      throw new Error('slackWebhookSecretArn or slackWebhookSecretName is required');
    }
  }

  /** The variable and the right to read the secret together, so they never drift apart. */
  bind(fn: IFunction & { addEnvironment(key: string, value: string): unknown }): void {
    fn.addEnvironment('SLACK_WEBHOOK_SECRET_ARN', this.secret.secretArn);
    this.secret.grantRead(fn);
  }
}
