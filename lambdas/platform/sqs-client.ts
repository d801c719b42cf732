import type { SQSClient } from '@aws-sdk/client-sqs';
import { lazyClient, type ClientPort } from './lazy-client';

// Endpoint and region from the SDK's standard settings (AWS_REGION, AWS_ENDPOINT_URL_SQS), so this
// code runs unchanged against AWS or any SQS-compatible endpoint.
export const sqs: ClientPort<SQSClient> = lazyClient(
  async () => new (await import('@aws-sdk/client-sqs')).SQSClient({}),
);
