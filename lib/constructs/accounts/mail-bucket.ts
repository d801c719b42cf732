import { Duration, Stack } from 'aws-cdk-lib';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ACCOUNTS } from '../../../lambdas/platform/system-config';
import { acknowledgeWildcardResource } from '../platform/nag';
import { accessLogsBucket } from '../storage/access-logs-bucket';

/**
 * The raw mail SES receives for the submission addresses, one object per message under
 * ACCOUNTS.mail.objectPrefix (`<prefix><SES message id>`), expired after ACCOUNTS.mail.expireAfterDays:
 * long enough to look into an unmatched mail, not a mail archive.
 *
 * SSE-S3, not KMS: SES's own KMS option for its S3 action is client-side encryption, which a plain
 * GetObject cannot read back, and SSE-KMS with our key would add the SES service principal to a key
 * policy and a Decrypt grant to the reader for no reader we do not already trust. What is sensitive in a
 * mail (the verification link, a short-lived bearer token) is guarded by this bucket's policy, the
 * reader's prefix-only grant and the expiry; the lasting secrets (passwords) never pass through mail.
 *
 * Versioning is off: SES writes each message once under its own id, so versions would only keep
 * copies past the expiry that is this bucket's retention policy.
 */
export class MailBucket extends Construct {
  readonly bucket: Bucket;
  readonly accessLogsBucket: Bucket;

  /** The bucket's name as seen from any stack in the same account and region (runbooks name it). */
  static nameIn(scope: Construct): string {
    const stack = Stack.of(scope);
    return `${ACCOUNTS.mail.namePrefix}-${stack.account}-${stack.region}`;
  }

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.accessLogsBucket = accessLogsBucket(this);
    this.bucket = new Bucket(this, 'Mail', {
      bucketName: MailBucket.nameIn(this),
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      versioned: false,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: 'mail/',
      lifecycleRules: [
        {
          id: 'expire-received-mail',
          expiration: Duration.days(ACCOUNTS.mail.expireAfterDays),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
    });
  }

  /**
   * Lets SES store received mail: PutObject under the mail prefix only, and only for this account's
   * receipt rule `receiptRuleArn` (a rule of another account, or another rule of ours, cannot write here).
   */
  allowSesToStore(receiptRuleArn: string): void {
    this.bucket.addToResourcePolicy(
      new PolicyStatement({
        sid: 'SesStoresReceivedMail',
        principals: [new ServicePrincipal('ses.amazonaws.com')],
        actions: ['s3:PutObject'],
        resources: [this.bucket.arnForObjects(`${ACCOUNTS.mail.objectPrefix}*`)],
        conditions: {
          StringEquals: { 'aws:SourceAccount': Stack.of(this).account, 'aws:SourceArn': receiptRuleArn },
        },
      }),
    );
  }

  /**
   * Lets a function read received mail and tells it where (MAIL_BUCKET, MAIL_OBJECT_PREFIX): GetObject
   * under the mail prefix only; it never lists, writes or deletes.
   */
  bindReader(fn: LambdaFunction): void {
    fn.addEnvironment('MAIL_BUCKET', this.bucket.bucketName);
    fn.addEnvironment('MAIL_OBJECT_PREFIX', ACCOUNTS.mail.objectPrefix);
    const objects = this.bucket.arnForObjects(`${ACCOUNTS.mail.objectPrefix}*`);
    fn.addToRolePolicy(new PolicyStatement({ actions: ['s3:GetObject'], resources: [objects] }));
    acknowledgeWildcardResource(
      fn,
      objects,
      'Mail objects are named by SES message ids at run time; the grant is GetObject only, under the mail prefix of this one bucket.',
    );
  }
}
