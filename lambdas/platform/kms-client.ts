import type { KMSClient } from '@aws-sdk/client-kms';
import { lazyClient, type ClientPort } from './lazy-client';

// Endpoint and region from the SDK's standard settings (AWS_REGION, AWS_ENDPOINT_URL_KMS), so this
// code runs unchanged against AWS KMS or the local emulator (local/emulators/kms.ts).
export const kms: ClientPort<KMSClient> = lazyClient(
  async () => new (await import('@aws-sdk/client-kms')).KMSClient({}),
);
