import type pg from 'pg';
import { API_ROUTES } from '../../lambdas/handlers/api/routes';
import { createApiKey, databaseKeyStore } from '../../local/runtime/api-keys';
import { startGateway, type ApiHandler, type Gateway } from '../../local/emulators/api-gateway';

export interface BenchApi {
  url: string;
  /** Headers for the next request: keys rotate, so one key's rate limit never shapes the figures. */
  headers(): Record<string, string>;
  stop(): Promise<void>;
}

/**
 * The API as the local runtime serves it: the gateway in front of the real handlers, with the
 * handlers' own per-key limits in Postgres. The benchmark is many clients, each under its limit:
 * it issues `keys` customer keys and rotates through them, and lifts the gateway's usage-plan
 * throttle so the figures are the handlers' and not the throttle's.
 * Call after startBenchEnvironment(), which sets the handlers' environment.
 */
export async function startBenchApi(pool: pg.Pool, customerId: string, keys = 400): Promise<BenchApi> {
  const routes = await Promise.all(
    API_ROUTES.map(async (route) => {
      const module = (await import(`../../lambdas/${route.entry}`)) as { handler: ApiHandler };
      return { ...route, handler: module.handler };
    }),
  );
  const issued: string[] = [];
  for (let i = 0; i < keys; i += 1) {
    issued.push((await createApiKey(pool, { role: 'customer', customerId, label: `bench-${i}` })).key);
  }
  const gateway: Gateway = await startGateway({
    routes,
    apiKeys: databaseKeyStore(pool),
    functionTimeoutMs: 29_000,
    throttle: { ratePerSecond: 1_000_000, burst: 1_000_000 },
  });
  let next = 0;
  return {
    url: gateway.url,
    headers: () => {
      next = (next + 1) % issued.length;
      return { 'content-type': 'application/json', 'x-api-key': issued[next]! };
    },
    stop: gateway.stop,
  };
}
