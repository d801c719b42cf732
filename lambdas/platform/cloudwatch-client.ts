import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { lazyClient, type ClientPort } from './lazy-client';

export const cloudwatch: ClientPort<CloudWatchClient> = lazyClient(
  async () => new (await import('@aws-sdk/client-cloudwatch')).CloudWatchClient({}),
);
