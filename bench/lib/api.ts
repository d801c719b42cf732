import { randomBytes } from 'node:crypto';
import { API_ROUTES } from '../../lambdas/api/routes';
import { startGateway, type ApiHandler, type Gateway } from '../../local/gateway';

export interface BenchApi {
  url: string;
  headers: Record<string, string>;
  stop(): Promise<void>;
}

/**
 * The API as the local runtime serves it: the gateway (API key, usage-plan throttling lifted so the
 * benchmark measures the handlers, not the throttle) in front of the real handlers.
 * Call after startBenchEnvironment(), which sets the handlers' environment.
 */
export async function startBenchApi(): Promise<BenchApi> {
  const routes = await Promise.all(
    API_ROUTES.map(async (route) => {
      const module = (await import(`../../lambdas/${route.entry}`)) as { handler: ApiHandler };
      return { ...route, handler: module.handler };
    }),
  );
  const apiKey = `bench-${randomBytes(16).toString('hex')}`;
  const gateway: Gateway = await startGateway({
    routes,
    apiKeys: new Map([[apiKey, 'bench-key']]),
    functionTimeoutMs: 29_000,
    throttle: { ratePerSecond: 1_000_000, burst: 1_000_000 },
  });
  return {
    url: gateway.url,
    headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
    stop: gateway.stop,
  };
}
