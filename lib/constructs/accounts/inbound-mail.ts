import { ArnFormat, Duration, Stack, Validations } from 'aws-cdk-lib';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { type IReceiptRuleAction, type ReceiptRule, ReceiptRuleSet, TlsPolicy } from 'aws-cdk-lib/aws-ses';
import { LambdaInvocationType } from 'aws-cdk-lib/aws-ses-actions';
import { type IQueue, Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { receivingDomain } from '../../../lambdas/mail/submission-address';
import { ACCOUNTS, PRIORITIES, type Priority, QUEUES } from '../../../lambdas/platform/system-config';
import { taskQueueUrlVariable } from '../../../lambdas/tasks/task-queues';
import { ServiceFunction } from '../platform/service-function';
import type { SupabaseSettings } from '../platform/supabase-settings';
import type { MailBucket } from './mail-bucket';

export interface InboundMailProps {
  /** The receiving domain: every address on it is a submission address (`<local part>@<it>`). */
  readonly mailDomain: string;
  readonly mailBucket: MailBucket;
  /** A matched mail wakes its waiting task by sending the task's message to its priority queue. */
  readonly queues: Readonly<Record<Priority, IQueue>>;
  readonly supabase: SupabaseSettings;
  readonly logLevel: string;
}

/**
 * Mail for the submission addresses, from SES to the database: a receipt rule set with one rule for
 * the receiving domain stores each message in the mail bucket (S3 action), then invokes the
 * inbound-mail Lambda with its id (Lambda action, asynchronous), which parses it, records it and
 * wakes the task waiting for its verification link (lambdas/handlers/inbound-mail.ts).
 *
 * SES may write to the bucket and invoke the function only for this account and this rule: the rule's
 * ARN is built from its fixed name, so the bucket policy and the Lambda permission name it without a
 * reference to the rule, which SES checks them against when the rule is created (it depends on both).
 *
 * CloudFormation cannot make a rule set the account's active one: after the first deploy, run
 * `aws ses set-active-receipt-rule-set --rule-set-name <RULE_SET_NAME>` (README, Deploy).
 */
export class InboundMail extends Construct {
  /** Fixed, so the rule's ARN is known before the rule exists, and the activation command is stable. */
  static readonly RULE_SET_NAME = 'directorybolt-inbound-mail';
  static readonly RULE_NAME = 'directorybolt-submission-addresses';

  readonly function: ServiceFunction;
  /** Received-mail events the function failed after Lambda's retries; redrive them once it is fixed. */
  readonly undelivered: Queue;
  readonly ruleSet: ReceiptRuleSet;
  readonly rule: ReceiptRule;

  constructor(scope: Construct, id: string, props: InboundMailProps) {
    super(scope, id);
    // As the function compares recipients: lower case, ASCII, no final dot (throws for a non-hostname).
    const mailDomain = receivingDomain(props.mailDomain);
    const receiptRuleArn = Stack.of(this).formatArn({
      service: 'ses',
      resource: 'receipt-rule-set',
      resourceName: `${InboundMail.RULE_SET_NAME}:receipt-rule/${InboundMail.RULE_NAME}`,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });

    this.undelivered = new Queue(this, 'Undelivered', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.seconds(QUEUES.dlqRetentionPeriodSeconds),
    });
    Validations.of(this.undelivered).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself the failure destination of the inbound-mail Lambda; an alarm watches its depth.',
    });

    this.function = new ServiceFunction(this, 'Function', {
      entry: 'lambdas/handlers/inbound-mail.ts',
      description:
        'Records the mail SES received for the submission addresses and wakes the task waiting for its verification link',
      timeoutSeconds: ACCOUNTS.inboundMail.timeoutSeconds,
      memoryMb: ACCOUNTS.inboundMail.memoryMb,
      logLevel: props.logLevel,
    });
    props.supabase.bind(this.function);
    props.mailBucket.bindReader(this.function);
    this.function.addEnvironment('MAIL_DOMAIN', mailDomain);
    for (const priority of PRIORITIES) {
      this.function.addEnvironment(taskQueueUrlVariable(priority), props.queues[priority].queueUrl);
      props.queues[priority].grantSendMessages(this.function);
    }
    // A throw (database or SQS unreachable) is retried by Lambda; the handler skips a mail it recorded
    // already, so a retry never records or wakes twice. Past the retries the event, with its error,
    // waits in `undelivered` (the mail itself stays in the bucket), as the Slack notifier's failures do.
    this.function.configureAsyncInvoke({
      retryAttempts: ACCOUNTS.inboundMail.retryAttempts,
      onFailure: new SqsDestination(this.undelivered),
    });

    const permissionId = 'AllowSesReceiptRule';
    this.function.addPermission(permissionId, {
      principal: new ServicePrincipal('ses.amazonaws.com'),
      action: 'lambda:InvokeFunction',
      sourceAccount: Stack.of(this).account,
      sourceArn: receiptRuleArn,
    });
    props.mailBucket.allowSesToStore(receiptRuleArn);

    // The S3 action first: the Lambda action's event carries only the message id, and the function
    // reads the message from `<objectPrefix><message id>`.
    const storeInMailBucket: IReceiptRuleAction = {
      bind: () => ({
        s3Action: {
          bucketName: props.mailBucket.bucket.bucketName,
          objectKeyPrefix: ACCOUNTS.mail.objectPrefix,
        },
      }),
    };
    const invokeInboundMail: IReceiptRuleAction = {
      bind: () => ({
        lambdaAction: { functionArn: this.function.functionArn, invocationType: LambdaInvocationType.EVENT },
      }),
    };
    this.ruleSet = new ReceiptRuleSet(this, 'RuleSet', { receiptRuleSetName: InboundMail.RULE_SET_NAME });
    this.rule = this.ruleSet.addRule('SubmissionAddresses', {
      receiptRuleName: InboundMail.RULE_NAME,
      // A domain matches every address on it (not its subdomains).
      recipients: [mailDomain],
      enabled: true,
      // SES's spam and virus verdicts reach the function, which refuses a mail that failed them.
      scanEnabled: true,
      // Directories' mail servers all speak TLS; one that does not is bounced rather than read in clear.
      tlsPolicy: TlsPolicy.REQUIRE,
      actions: [storeInMailBucket, invokeInboundMail],
    });
    const bucketPolicy = props.mailBucket.bucket.policy;
    const permission = this.function.permissionsNode.tryFindChild(permissionId);
    if (!bucketPolicy || !permission)
      throw new Error('the mail bucket policy and the SES permission must exist');
    this.rule.node.addDependency(bucketPolicy, permission);
  }
}
