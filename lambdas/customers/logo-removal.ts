import type { S3Client } from '@aws-sdk/client-s3';
import type { ClientPort } from '../platform/lazy-client';
import { logoPrefix } from './logo-image';

/**
 * Deletes every logo a customer ever uploaded: all objects under its prefix in the assets bucket
 * (`logos/<customer id>/`, lambdas/customers/logo-image.ts), listed page by page and deleted in
 * batches of S3's largest, 1,000. Returns how many were deleted; throws if S3 refused any, so that the
 * caller can say the customer's images were left behind.
 */
export async function removeCustomerLogos(
  s3: ClientPort<S3Client>,
  bucket: string,
  customerId: string,
): Promise<number> {
  const { ListObjectsV2Command, DeleteObjectsCommand } = await import('@aws-sdk/client-s3');
  const prefix = logoPrefix(customerId);
  let deleted = 0;
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token, MaxKeys: 1000 }),
    );
    const keys = (page.Contents ?? []).flatMap((object) => (object.Key ? [{ Key: object.Key }] : []));
    if (keys.length > 0) {
      const result = await s3.send(
        new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys, Quiet: true } }),
      );
      if (result.Errors && result.Errors.length > 0) {
        const first = result.Errors[0]!;
        throw new Error(`S3 kept ${result.Errors.length} of ${keys.length} logos (${first.Code ?? 'error'})`);
      }
      deleted += keys.length;
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return deleted;
}
