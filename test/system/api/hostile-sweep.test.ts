import { API_ROUTES } from '../../../lambdas/handlers/api/routes';
import { call, startApi, type ApiFixture } from './api-client';

/**
 * Hostile input on every parameter of every route: each path parameter, each query parameter and each
 * top-level body field the route's own request schema names gets SQL injection strings, script tags,
 * NUL, a lone surrogate, traversal and oversized values. No answer may be a 5xx. (The targeted tests
 * in hostile-input.test.ts and surface-api.test.ts also check that nothing changed.)
 */
let api: ApiFixture;
let keys: string[] = [];
let used = 0;

const HOSTILE = [
  "' OR 1=1 --",
  "'; drop table jobs; --",
  '<script>alert(1)</script>',
  '\u0000',
  '\ud800',
  '../../etc/passwd',
  '{"$gt":""}',
  'x'.repeat(3000),
];

/** Real ids, so a request whose one hostile field is in the body reaches that field's validation. */
let realIds: Record<string, string> = {};

beforeAll(async () => {
  api = await startApi({ routes: /./ }); // every route
  const created = await call(api.gateway.url, '/jobs', {
    method: 'POST',
    key: (await api.key('staff')).key,
    body: { customer_id: api.env.demoCustomerId, directory_ids: [api.env.demoDirectories[0]!.id] },
  });
  realIds = {
    jobs: created.json.job_id,
    customers: api.env.demoCustomerId,
    queue: api.env.demoCustomerId,
    directories: api.env.demoDirectories[0]!.id,
    // A business listing is named by its directory; the job above made this one.
    listings: api.env.demoDirectories[0]!.id,
  };
});

/** The resource path with every parameter a real id of its collection (the segment before it). */
function realPath(resource: string, except?: string, value?: string): string {
  return resource.replace(
    /\/(\w+)\/\{(\w+)\}/g,
    (_, collection: string, name: string) =>
      `/${collection}/${name === except ? value : (realIds[collection] ?? '00000000-0000-4000-8000-000000000000')}`,
  );
}

afterAll(async () => {
  await api?.stop();
});

/** A fresh admin key every few requests: the sweep measures handlers, not the per-key rate limits. */
async function key(): Promise<string> {
  if (used % 5 === 0 || keys.length === 0) keys = [(await api.key('admin')).key];
  used += 1;
  return keys[0]!;
}

function encode(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return '%ED%A0%80'; // a lone surrogate has no UTF-8 form: send the bytes a broken encoder would
  }
}

function fieldsOf(schema: unknown): string[] {
  const shape = (schema as { shape?: Record<string, unknown> } | undefined)?.shape;
  return shape ? Object.keys(shape) : [];
}

it('no route answers a hostile parameter with a 5xx', async () => {
  const failures: string[] = [];
  const statuses: Record<number, number> = {};
  const record = (what: string, status: number) => {
    statuses[status] = (statuses[status] ?? 0) + 1;
    if (status >= 500) failures.push(`${what} -> ${status}`);
  };
  for (const route of API_ROUTES) {
    // Each route declares its own body and query schemas.
    const schemas = route;
    const params = [...route.resource.matchAll(/\{(\w+)\}/g)].map((match) => match[1]!);
    const validPath = realPath(route.resource);
    const hasBody = ['POST', 'PUT', 'PATCH'].includes(route.method);
    const headers = route.method === 'PATCH' ? { 'if-match': '"1"' } : undefined;
    for (const value of HOSTILE) {
      const json = JSON.stringify(value);
      for (const param of params) {
        const path = realPath(route.resource, param, encode(value));
        const response = await call(api.gateway.url, path, {
          method: route.method,
          key: await key(),
          headers,
          body: hasBody ? '{}' : undefined,
        });
        record(`${route.method} ${route.resource} path ${param}`, response.status);
      }
      for (const field of fieldsOf(schemas.query)) {
        const response = await call(api.gateway.url, `${validPath}?${field}=${encode(value)}`, {
          method: route.method,
          key: await key(),
        });
        record(`${route.method} ${route.resource} query ${field}`, response.status);
      }
      for (const field of hasBody ? fieldsOf(schemas.body) : []) {
        const response = await call(api.gateway.url, validPath, {
          method: route.method,
          key: await key(),
          headers,
          body: `{${JSON.stringify(field)}:${json}}`,
        });
        record(`${route.method} ${route.resource} body ${field}`, response.status);
      }
    }
  }

  expect(failures).toEqual([]);
  // The sweep reached the handlers' validation: most answers are their 400s, not gateway refusals.
  expect(used).toBeGreaterThan(API_ROUTES.length * HOSTILE.length);
  expect(statuses[400] ?? 0).toBeGreaterThan(used / 2);
  expect(statuses[404] ?? 0).toBe(0);
}, 300_000);
