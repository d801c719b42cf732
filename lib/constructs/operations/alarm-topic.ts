import { Aws } from 'aws-cdk-lib';
import { Effect, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

export interface AlarmTopicProps {
  /** Also mail every notification here: a channel that does not depend on the Slack notifier working. */
  readonly email?: string;
}

/**
 * The SNS topic every CloudWatch alarm notifies, encrypted with a customer-managed key and refusing
 * requests without TLS.
 *
 * A customer-managed key, not alias/aws/sns: CloudWatch can only publish to an encrypted topic whose key
 * policy lets cloudwatch.amazonaws.com use the key, and the AWS-managed key's policy cannot be changed.
 */
export class AlarmTopic extends Construct {
  readonly topic: Topic;
  readonly key: Key;

  constructor(scope: Construct, id: string, props: AlarmTopicProps = {}) {
    super(scope, id);
    this.key = new Key(this, 'Key', {
      description: 'Encrypts the DirectoryBolt alarm topic',
      enableKeyRotation: true,
    });
    // Only this account's alarms may use the key to publish.
    this.key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
    );

    this.topic = new Topic(this, 'Topic', {
      displayName: 'DirectoryBolt alarms',
      masterKey: this.key,
      enforceSSL: true,
    });
    // The topic has a resource policy (the TLS rule), which replaces SNS's default one: say explicitly
    // that this account's CloudWatch alarms may publish.
    this.topic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        effect: Effect.ALLOW,
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
          ArnLike: {
            'aws:SourceArn': `arn:${Aws.PARTITION}:cloudwatch:${Aws.REGION}:${Aws.ACCOUNT_ID}:alarm:*`,
          },
        },
      }),
    );

    if (props.email) this.topic.addSubscription(new EmailSubscription(props.email));
  }
}
