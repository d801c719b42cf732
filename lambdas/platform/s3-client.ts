import type { S3Client } from '@aws-sdk/client-s3';
import { lazyClient, type ClientPort } from './lazy-client';

// Endpoint and region from the SDK's standard settings (AWS_REGION, AWS_ENDPOINT_URL_S3). Path-style
// addressing is a configuration choice for endpoints without wildcard DNS.
export const s3: ClientPort<S3Client> = lazyClient(
  async () =>
    new (await import('@aws-sdk/client-s3')).S3Client({
      forcePathStyle: process.env.S3_FORCE_PATH_STYLE === 'true',
    }),
);
