/**
 * Test support for the API over HTTP: the local gateway with the real handlers, on the real parts of
 * the handler environment (Postgres through the RPC endpoint, fauxqs), and a small HTTP client that
 * can choose its source address (127.0.0.x) so per-IP limits can be tested apart.
 */
import { request as httpRequest } from 'node:http';
import { API_ROUTES } from '../../../lambdas/handlers/api/routes';
import { createApiKey, databaseKeyStore } from '../../../local/runtime/api-keys';
import { registerSecret } from '../../support/log-scan';
import { startGateway, type ApiHandler, type Gateway } from '../../../local/emulators/api-gateway';
import type { ApiRole } from '../../../lambdas/platform/system-config';
import { startHandlerEnvironment, type HandlerEnvironment } from '../../support/handler-environment';

export interface ApiFixture {
  env: HandlerEnvironment;
  gateway: Gateway;
  key(role: ApiRole, customerId?: string): Promise<{ key: string; key_id: string }>;
  stop(): Promise<void>;
}

/**
 * Gateway throttling is set high: these tests are about the handler layer's limits; the usage-plan
 * bucket is covered by test/local/emulators/api-gateway.test.ts.
 */
export async function startApi(options: { routes?: RegExp; logLevel?: string } = {}): Promise<ApiFixture> {
  const env = await startHandlerEnvironment();
  // The handlers' logger reads its level when first imported (below), so a suite that inspects the
  // logs can turn them on here.
  if (options.logLevel) process.env.POWERTOOLS_LOG_LEVEL = options.logLevel;
  // The routes of this layer (jobs, queue) by default; others (health) need configuration these tests
  // do not set.
  const pattern = options.routes ?? /^\/(jobs|queue)\b/;
  const mine = API_ROUTES.filter((route) => pattern.test(route.resource));
  const routes = await Promise.all(
    mine.map(async (route) => {
      const module = (await import(`../../../lambdas/${route.entry}`)) as { handler: ApiHandler };
      return { ...route, handler: module.handler };
    }),
  );
  const gateway = await startGateway({
    routes,
    apiKeys: databaseKeyStore(env.db.pool),
    functionTimeoutMs: 29_000,
    throttle: { ratePerSecond: 10_000, burst: 10_000 },
  });
  return {
    env,
    gateway,
    key: async (role, customerId) => {
      const issued = await createApiKey(env.db.pool, { role, customerId: customerId ?? null });
      registerSecret(issued.key);
      return issued;
    },
    stop: async () => {
      await gateway.stop();
      await env.stop();
    },
  };
}

export interface ApiResponse {
  status: number;
  headers: Record<string, string>;
  text: string;
  // Bodies are asserted field by field.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
}

export function call(
  base: string,
  path: string,
  init: {
    method?: string;
    key?: string;
    body?: unknown;
    headers?: Record<string, string>;
    from?: string;
  } = {},
): Promise<ApiResponse> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.key !== undefined) headers['x-api-key'] = init.key;
  let payload: string | undefined;
  if (init.body !== undefined) {
    payload = typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
    headers['content-type'] ??= 'application/json';
  }
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      `${base}${path}`,
      { method: init.method ?? 'GET', headers, localAddress: init.from },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (chunk: Buffer) => parts.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(parts).toString('utf8');
          let json: unknown = undefined;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          const flat: Record<string, string> = {};
          for (const [name, value] of Object.entries(res.headers)) {
            if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(',') : value;
          }
          resolve({ status: res.statusCode ?? 0, headers: flat, text, json });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}
