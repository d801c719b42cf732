import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { Priority } from '../../lambdas/platform/system-config';
import { InboundMail } from '../constructs/accounts/inbound-mail';
import { MailBucket } from '../constructs/accounts/mail-bucket';
import { SupabaseSettings, type SupabaseSettingsProps } from '../constructs/platform/supabase-settings';
import { RUNBOOK_OUTPUTS } from './runbook-outputs';

export interface MailStackProps extends StackProps {
  /** The receiving domain of the submission addresses (context `mailDomain`). */
  readonly mailDomain: string;
  readonly queues: Readonly<Record<Priority, IQueue>>;
  readonly supabase: SupabaseSettingsProps;
  readonly logLevel: string;
}

/**
 * Mail for the submission addresses: SES's receipt rule set, the bucket it stores messages in and the
 * inbound-mail Lambda that records them and wakes the tasks waiting for a verification link. It needs
 * the task queues and nothing else; the operations stack watches it.
 */
export class MailStack extends Stack {
  readonly mailBucket: MailBucket;
  readonly inboundMail: InboundMail;

  constructor(scope: Construct, id: string, props: MailStackProps) {
    super(scope, id, props);
    this.mailBucket = new MailBucket(this, 'ReceivedMail');
    this.inboundMail = new InboundMail(this, 'InboundMail', {
      mailDomain: props.mailDomain,
      mailBucket: this.mailBucket,
      queues: props.queues,
      supabase: new SupabaseSettings(this, 'Supabase', props.supabase),
      logLevel: props.logLevel,
    });

    // What the deploy steps and the runbooks tell people to read (RUNBOOK_OUTPUTS).
    const outputs = RUNBOOK_OUTPUTS.mail;
    const output = (name: string, value: string, description: string) =>
      new CfnOutput(this, name, { value, description });
    output(
      outputs.receiptRuleSetName,
      this.inboundMail.ruleSet.receiptRuleSetName,
      'Activate once: aws ses set-active-receipt-rule-set --rule-set-name <this>',
    );
    output(outputs.mailDomain, props.mailDomain, 'The receiving domain: its MX record points at SES inbound');
    output(
      outputs.mailBucket,
      this.mailBucket.bucket.bucketName,
      'Received mail, one object per SES message id',
    );
    output(outputs.inboundMailFunction, this.inboundMail.function.functionName, 'The inbound-mail Lambda');
    output(
      outputs.inboundMailUndeliveredQueueUrl,
      this.inboundMail.undelivered.queueUrl,
      'Received-mail events the inbound-mail Lambda failed after its retries',
    );
  }
}
