import type { ReadSecretOptions } from './secrets';

/**
 * readSecret (./secrets), loaded on its first call. Every caller outside this folder goes through
 * here because the bundler leaves exactly the specifier './secrets' out of a Lambda's bundle and ships
 * the module beside it (LAMBDA_BUNDLING.deferredModules): imported from elsewhere as
 * '../platform/secrets', the Secrets Manager client was bundled in and parsed at every cold start
 * (about 200 KiB and 20 ms of Init in the DLQ monitor and the Slack notifier).
 */
export async function readSecretOnFirstUse(secretId: string, options?: ReadSecretOptions): Promise<string> {
  const { readSecret } = await import('./secrets');
  return readSecret(secretId, options);
}
