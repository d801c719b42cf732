import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { OPERATIONS } from '../../../lambdas/platform/system-config';
import { accessLogsBucket } from '../storage/access-logs-bucket';
import { acknowledgeWildcardResource } from '../platform/nag';

/**
 * queue_history rows past their time in Postgres, as JSON lines written by the retention job, expired
 * after OPERATIONS.retention.archiveExpireAfterDays.
 *
 * Retained when the stack is deleted: it is the audit trail of what the system did, and only the
 * lifecycle rule decides when that ends. SSE-S3 as for the screenshots (no KMS grants needed).
 */
export class HistoryArchiveBucket extends Construct {
  readonly bucket: Bucket;
  readonly accessLogsBucket: Bucket;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.accessLogsBucket = accessLogsBucket(this);

    this.bucket = new Bucket(this, 'Archive', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: 'history-archive/',
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [
        {
          id: 'expire-history-archives',
          expiration: Duration.days(OPERATIONS.retention.archiveExpireAfterDays),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
    });
  }

  /**
   * Lets a function write archives and tells it where: the permission and the variable together.
   * PutObject only: the app adds archives and never reads or deletes them.
   */
  bindWriter(fn: LambdaFunction): void {
    fn.addEnvironment('ARCHIVE_BUCKET', this.bucket.bucketName);
    const objects = this.bucket.arnForObjects('*');
    fn.addToRolePolicy(new PolicyStatement({ actions: ['s3:PutObject'], resources: [objects] }));
    acknowledgeWildcardResource(
      fn,
      objects,
      'Archive keys are made per day and batch at run time; the grant is PutObject only, on this one bucket.',
    );
  }
}
