import { createClient } from '@supabase/supabase-js';
import { MemoryRateLimiter, createRateLimiter } from '../../../lambdas/http/rate-limit';
import { rpcThrough } from '../../../lambdas/platform/rpc';
import { RATE_LIMITS } from '../../../lambdas/platform/system-config';
import { call, startApi, type ApiFixture } from './api-client';

/** The precise limiter over HTTP (Postgres check_rate_limit behind the handler layer) and its fallback. */
let api: ApiFixture;
let base: string;

beforeAll(async () => {
  api = await startApi();
  base = api.gateway.url;
});

afterAll(async () => {
  await api?.stop();
});

it('lets exactly 100 of 150 requests in a minute through, refuses 50 with 429 and headers', async () => {
  const { key } = await api.key('customer', api.env.demoCustomerId);
  const other = (await api.key('customer', api.env.demoCustomerId)).key;

  const responses = [];
  for (let i = 0; i < 150; i += 1) responses.push(await call(base, '/jobs?limit=1', { key }));
  const otherKey = await call(base, '/jobs?limit=1', { key: other });
  const otherRoute = await call(base, `/jobs/${crypto.randomUUID()}`, { key });

  const statuses = responses.map((r) => r.status);
  expect(statuses.slice(0, RATE_LIMITS.public.limit).every((s) => s === 200)).toBe(true);
  expect(statuses.slice(RATE_LIMITS.public.limit).every((s) => s === 429)).toBe(true);
  expect(responses[0]!.headers['x-ratelimit-limit']).toBe('100');
  expect(responses[0]!.headers['x-ratelimit-remaining']).toBe('99');
  expect(responses[99]!.headers['x-ratelimit-remaining']).toBe('0');
  const refused = responses[149]!;
  expect(refused.headers['x-ratelimit-remaining']).toBe('0');
  const reset = Number(refused.headers['x-ratelimit-reset']);
  expect(reset).toBeGreaterThan(Date.now() / 1000);
  expect(reset).toBeLessThanOrEqual(Date.now() / 1000 + RATE_LIMITS.public.windowSeconds + 1);
  expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  expect(refused.json.error).toMatchObject({ code: 'rate_limited', correlation_id: expect.any(String) });
  // Another key, and another route of the same key, are counted apart.
  expect(otherKey.status).toBe(200);
  expect(otherRoute.status).toBe(404);
});

it('limits staff routes at the staff preset', async () => {
  const { key } = await api.key('staff');
  const statuses = [];
  for (let i = 0; i < RATE_LIMITS.staff.limit + 2; i += 1) {
    statuses.push((await call(base, `/queue/${api.env.demoCustomerId}`, { key })).status);
  }
  expect(statuses.filter((s) => s === 200)).toHaveLength(RATE_LIMITS.staff.limit);
  expect(statuses.slice(-2)).toEqual([429, 429]);
});

it('counts failed key attempts per IP: the sixth bad key from one IP is 429, valid keys behind it still pass', async () => {
  const revoked = await api.key('staff');
  await api.env.db.pool.query('update api_keys set revoked_at = now() where id = $1', [revoked.key_id]);
  const valid = (await api.key('staff')).key;
  const admin = (await api.key('admin')).key;

  const attempts = [];
  for (let i = 0; i < RATE_LIMITS.auth.limit; i += 1) {
    attempts.push(await call(base, '/jobs', { key: revoked.key, from: '127.0.0.2' }));
  }
  const blocked = await call(base, '/jobs', { key: revoked.key, from: '127.0.0.2' });
  const sameIp = await call(base, '/jobs', { key: valid, from: '127.0.0.2' });
  const adminSameIp = await call(base, `/queue/${api.env.demoCustomerId}`, { key: admin, from: '127.0.0.2' });

  expect(attempts.map((a) => a.status)).toEqual([403, 403, 403, 403, 403]);
  expect(attempts[4]!.headers['x-ratelimit-limit']).toBe(String(RATE_LIMITS.auth.limit));
  expect(attempts[4]!.headers['x-ratelimit-remaining']).toBe('0');
  expect(blocked.status).toBe(429);
  expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(RATE_LIMITS.auth.windowSeconds - 60);
  // Another client's failures never refuse a valid key, whatever IP they share.
  expect(sameIp.status).toBe(200);
  expect(adminSameIp.status).toBe(200);
});

it('stops a key on its very next request after it is revoked (no principal cached in the handlers)', async () => {
  const issued = await api.key('staff');
  const before = await call(base, `/queue/${api.env.demoCustomerId}`, { key: issued.key });
  await api.env.db.pool.query('select revoke_api_key($1)', [issued.key_id]);
  const after = await call(base, `/queue/${api.env.demoCustomerId}`, { key: issued.key });

  expect(before.status).toBe(200);
  expect(after.status).toBe(403);
  expect(after.json.error).toMatchObject({ code: 'api_key_revoked' });
});

it('counts concurrent requests exactly (check_rate_limit is atomic)', async () => {
  const limiter = createRateLimiter({
    rpc: async () => rpcThrough(createClient(process.env.SUPABASE_URL!, process.env.SUPABASE_SERVICE_KEY!)),
    log: { info: () => undefined, warn: () => undefined, error: () => undefined },
    onFallback: () => undefined,
  });
  const decisions = await Promise.all(
    Array.from({ length: 60 }, () =>
      limiter.check('key:concurrent', 'GET /x', { limit: 25, windowSeconds: 60 }),
    ),
  );
  expect(decisions.filter((d) => d.allowed)).toHaveLength(25);
  expect(decisions.every((d) => d.source === 'database')).toBe(true);
});

it('falls back to counting in memory when the database is unreachable, and says so', async () => {
  const warnings: string[] = [];
  let fallbacks = 0;
  // A real HTTP client against a port nothing listens on: the database is unreachable.
  const unreachable = rpcThrough(createClient('http://127.0.0.1:9', 'service-key'));
  const limiter = createRateLimiter({
    rpc: async () => unreachable,
    log: { info: () => undefined, warn: (message) => warnings.push(message), error: () => undefined },
    onFallback: () => (fallbacks += 1),
    memory: new MemoryRateLimiter(),
  });

  const decisions = [];
  for (let i = 0; i < 4; i += 1)
    decisions.push(await limiter.check('ip:1.2.3.4', 'GET /jobs', { limit: 3, windowSeconds: 60 }));

  expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, false]);
  expect(decisions.every((d) => d.source === 'memory')).toBe(true);
  expect(fallbacks).toBe(4);
  expect(warnings[0]).toContain('database unreachable');
});
