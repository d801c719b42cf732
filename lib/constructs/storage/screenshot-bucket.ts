import { Duration, Stack } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type IBucket,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { BUCKETS } from '../../../lambdas/platform/system-config';
import { accessLogsBucket } from './access-logs-bucket';
import { acknowledgeWildcardResource } from '../platform/nag';

/**
 * Screenshots taken as proof of each submission, private, and expired after BUCKETS.screenshots.
 *
 * Versioning is off: the submitter writes each screenshot once under a key of its own (task and
 * attempt) and never overwrites it, so versions would only keep noncurrent copies alive past the
 * expiry that is this bucket's retention policy. S3-managed encryption (SSE-S3) is enough for
 * screenshots of public directory forms and needs no KMS grants.
 *
 * Its name is derived from the account and region, so the submitter's stack refers to it by name: no
 * cross-stack reference, and a stable ARN in the submitter's policy.
 */
export class ScreenshotBucket extends Construct {
  readonly bucket: Bucket;
  readonly accessLogsBucket: Bucket;

  /** The bucket's name as seen from any stack in the same account and region. */
  static nameIn(scope: Construct): string {
    const stack = Stack.of(scope);
    return `${BUCKETS.screenshots.namePrefix}-${stack.account}-${stack.region}`;
  }

  /** The deployed bucket, from a stack other than the one that owns it. */
  static fromDeployment(scope: Construct, id: string): IBucket {
    return Bucket.fromBucketName(scope, id, ScreenshotBucket.nameIn(scope));
  }

  /**
   * Lets a function write screenshots and tells it where: the permission and the variable together.
   * Only s3:PutObject: the submitter writes small objects in one request and never reads or deletes.
   */
  static bindWriter(bucket: IBucket, fn: LambdaFunction): void {
    fn.addEnvironment('SCREENSHOT_BUCKET', bucket.bucketName);
    const objects = bucket.arnForObjects('*');
    fn.addToRolePolicy(new PolicyStatement({ actions: ['s3:PutObject'], resources: [objects] }));
    acknowledgeWildcardResource(
      fn,
      objects,
      'Screenshot keys are made per task at run time; the grant is PutObject only, on this one bucket.',
    );
  }

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.accessLogsBucket = accessLogsBucket(this);

    this.bucket = new Bucket(this, 'Screenshots', {
      bucketName: ScreenshotBucket.nameIn(this),
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      versioned: false,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: 'screenshots/',
      lifecycleRules: [
        {
          id: 'expire-screenshots',
          expiration: Duration.days(BUCKETS.screenshots.expireAfterDays),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
    });
  }
}
