/** What callers use of an AWS SDK client: its `send`, called with a command. */
export type ClientPort<C extends { send: unknown }> = Pick<C, 'send'>;

/**
 * An SDK client created on its first `send` and then kept for the execution environment.
 *
 * Why: an SDK client package is 100 to 200 KiB of code that takes tens of milliseconds to load. A
 * handler that needs it on some requests only (update-job enqueues on a priority change, health details
 * asks CloudWatch only where configured) no longer loads it at start-up; one that needs it on every
 * request pays the same as before, on its first request instead of in Init. Callers import the
 * commands with `await import(...)` for the same reason (a static import would load the package), and
 * each client has its own module (sqs-client.ts, s3-client.ts, cloudwatch-client.ts) so a bundle
 * carries only the packages its handler can reach.
 */
export function lazyClient<C extends { send: (...args: never[]) => Promise<unknown> }>(
  create: () => Promise<C>,
): ClientPort<C> {
  let client: Promise<C> | undefined;
  const send = (async (...args: Parameters<C['send']>) => {
    client ??= create().catch((error: unknown) => {
      client = undefined; // a failed load is retried by the next call, not cached
      throw error;
    });
    return (await client).send(...args);
  }) as unknown as C['send'];
  return { send };
}
