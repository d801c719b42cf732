import { Duration, Validations } from 'aws-cdk-lib';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { BUCKETS } from '../../../lambdas/platform/system-config';

/**
 * The server access-log bucket a data bucket logs to (cdk-nag AwsSolutions-S1), as the construct's
 * `AccessLogs` child: private, TLS only, expired after BUCKETS.accessLogs.expireAfterDays.
 */
export function accessLogsBucket(scope: Construct): Bucket {
  const bucket = new Bucket(scope, 'AccessLogs', {
    // Server access log delivery supports SSE-S3 only, not SSE-KMS.
    encryption: BucketEncryption.S3_MANAGED,
    blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
    objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
    enforceSSL: true,
    lifecycleRules: [
      { id: 'expire-access-logs', expiration: Duration.days(BUCKETS.accessLogs.expireAfterDays) },
    ],
  });
  Validations.of(bucket).acknowledge({
    id: 'AwsSolutions-S1',
    reason: 'This is the access-log bucket; logging its own access would log the log deliveries in a loop.',
  });
  return bucket;
}
