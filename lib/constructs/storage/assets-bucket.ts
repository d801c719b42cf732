import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
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
import { acknowledgeWildcardResource } from '../platform/nag';

export interface AssetsBucketProps {
  /** Where S3 server access logs go (prefix `assets/`). */
  readonly accessLogsBucket: IBucket;
}

/**
 * Customers' profile assets (logos): private, TLS only, with no expiry (a logo lives as long as its
 * customer: DELETE /customers/{id} deletes everything under logos/<customer id>/), and retained when
 * the stack is deleted (they are customers' data, not a cache).
 *
 * Versioning is off: every object is written once under a key named by its own SHA-256
 * (lambdas/customers/logo-image.ts), so an overwrite can only write the same bytes, and a deleted
 * customer's logos must be gone, not kept as old versions. SSE-S3, as for the screenshots: logos are
 * meant to be published on directories.
 *
 * Its name is derived from the account and region, like the screenshot bucket's, so the API and
 * submitter stacks refer to it by name (no cross-stack reference).
 */
export class AssetsBucket extends Construct {
  readonly bucket: Bucket;

  /** The objects the app reads and writes: logos, one prefix per customer. */
  static readonly LOGO_OBJECTS = 'logos/*';

  /** The bucket's name as seen from any stack in the same account and region. */
  static nameIn(scope: Construct): string {
    const stack = Stack.of(scope);
    return `${BUCKETS.assets.namePrefix}-${stack.account}-${stack.region}`;
  }

  /** The deployed bucket, from a stack other than the one that owns it. */
  static fromDeployment(scope: Construct, id: string): IBucket {
    return Bucket.fromBucketName(scope, id, AssetsBucket.nameIn(scope));
  }

  /** Lets the logo upload write logos and tells it where. PutObject only: it never reads or deletes. */
  static bindLogoWriter(bucket: IBucket, fn: LambdaFunction): void {
    AssetsBucket.grantObjects(bucket, fn, 's3:PutObject', 'the upload writes PutObject only');
  }

  /** Lets a form filler read logos and tells it where. GetObject only. */
  static bindLogoReader(bucket: IBucket, fn: LambdaFunction): void {
    AssetsBucket.grantObjects(bucket, fn, 's3:GetObject', 'form filling reads GetObject only');
  }

  /**
   * Lets the customer deletion remove a customer's logos and tells it where: DeleteObject under logos/,
   * and ListBucket only for prefixes under logos/ (to find them).
   */
  static bindLogoRemover(bucket: IBucket, fn: LambdaFunction): void {
    AssetsBucket.grantObjects(
      bucket,
      fn,
      's3:DeleteObject',
      'the customer deletion deletes DeleteObject only',
    );
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': AssetsBucket.LOGO_OBJECTS } },
      }),
    );
  }

  private static grantObjects(bucket: IBucket, fn: LambdaFunction, action: string, what: string): void {
    fn.addEnvironment('ASSETS_BUCKET', bucket.bucketName);
    const objects = bucket.arnForObjects(AssetsBucket.LOGO_OBJECTS);
    fn.addToRolePolicy(new PolicyStatement({ actions: [action], resources: [objects] }));
    acknowledgeWildcardResource(
      fn,
      objects,
      `Logo keys are made per customer and image at run time; ${what}, under logos/ of this one bucket.`,
    );
  }

  constructor(scope: Construct, id: string, props: AssetsBucketProps) {
    super(scope, id);
    this.bucket = new Bucket(this, 'Assets', {
      bucketName: AssetsBucket.nameIn(this),
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      versioned: false,
      serverAccessLogsBucket: props.accessLogsBucket,
      serverAccessLogsPrefix: 'assets/',
      removalPolicy: RemovalPolicy.RETAIN,
      // No expiration: a logo lives as long as its profile. Only failed uploads are cleaned up.
      lifecycleRules: [
        { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
    });
  }
}
