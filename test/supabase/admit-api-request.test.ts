import { generateApiKey } from '../../lambdas/http/auth';
import { createTestDatabase, insertCustomer, pgError, rpc, type TestDatabase } from '../support/database';

/** admit_api_request: the handler layer's authentication and limits in one call. */
let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});

afterAll(async () => {
  await db?.drop();
});

const AUTH = { p_auth_route: 'auth:failed-key', p_auth_limit: 3, p_auth_window_seconds: 3600 };

async function issue(role: 'customer' | 'staff' | 'admin') {
  const { hash, prefix } = generateApiKey();
  const customerId = role === 'customer' ? (await insertCustomer(db.pool, { tier: 'pro' })).id : null;
  const created = await rpc(db.pool, 'create_api_key', {
    p_key_hash: hash,
    p_key_prefix: prefix,
    p_role: role,
    p_customer_id: customerId,
  });
  return { hash, keyId: created.key_id as string, customerId };
}

function admit(hash: string, ip: string, route: string, roles: string[], limit = 2) {
  return rpc(db.pool, 'admit_api_request', {
    p_key_hash: hash,
    p_ip_subject: `ip:${ip}`,
    ...AUTH,
    p_route: route,
    p_roles: roles,
    p_limit: limit,
    p_window_seconds: 60,
  });
}

async function counters(): Promise<Record<string, number>> {
  const rows = await db.pool.query<{ key: string; route: string; count: number }>(
    'select key, route, count from rate_limit_requests',
  );
  return Object.fromEntries(rows.rows.map((r) => [`${r.key} ${r.route}`, r.count]));
}

it('admits an active key with its principal and charges the route limit to the key, then refuses past it', async () => {
  const key = await issue('customer');
  const first = await admit(key.hash, '10.0.0.1', 'GET /jobs', ['customer', 'staff', 'admin']);
  const second = await admit(key.hash, '10.0.0.1', 'GET /jobs', ['customer', 'staff', 'admin']);
  const third = await admit(key.hash, '10.0.0.1', 'GET /jobs', ['customer', 'staff', 'admin']);

  expect(first).toMatchObject({
    outcome: 'admitted',
    principal: { key_id: key.keyId, role: 'customer', customer_id: key.customerId, customer_tier: 'pro' },
    limit: { allowed: true, limit: 2, remaining: 1 },
  });
  expect(second.limit).toMatchObject({ allowed: true, remaining: 0 });
  expect(third.outcome).toBe('admitted');
  expect(third.limit).toMatchObject({ allowed: false, remaining: 0 });
  expect(third.limit.retry_after_seconds).toBeGreaterThanOrEqual(1);
  const counted = await counters();
  expect(counted[`key:${key.keyId} GET /jobs`]).toBe(2);
  // The failed-key counter was only looked at: no row for the IP.
  expect(counted['ip:10.0.0.1 auth:failed-key']).toBeUndefined();
});

it('charges unknown and revoked keys to the IP; a blocked IP is refused only for keys that are not valid', async () => {
  const valid = await issue('staff');
  const revoked = await issue('staff');
  await rpc(db.pool, 'revoke_api_key', { p_key_id: revoked.keyId });

  const unknown = await admit(generateApiKey().hash, '10.0.0.2', 'GET /queue', ['staff', 'admin']);
  const refusedRevoked = await admit(revoked.hash, '10.0.0.2', 'GET /queue', ['staff', 'admin']);
  const third = await admit(generateApiKey().hash, '10.0.0.2', 'GET /queue', ['staff', 'admin']);
  const validFromBlockedIp = await admit(valid.hash, '10.0.0.2', 'GET /queue', ['staff', 'admin']);
  const guessFromBlockedIp = await admit(generateApiKey().hash, '10.0.0.2', 'GET /queue', ['staff', 'admin']);
  const revokedFromBlockedIp = await admit(revoked.hash, '10.0.0.2', 'GET /queue', ['staff', 'admin']);

  expect(unknown).toMatchObject({ outcome: 'unknown', auth: { allowed: true, remaining: 2 } });
  expect(refusedRevoked).toMatchObject({ outcome: 'revoked', auth: { remaining: 1 } });
  expect(third).toMatchObject({ outcome: 'unknown', auth: { remaining: 0 } });
  // The IP's failures never refuse a valid key (they used to lock every client behind it out).
  expect(validFromBlockedIp).toMatchObject({ outcome: 'admitted', principal: { key_id: valid.keyId } });
  expect(guessFromBlockedIp).toMatchObject({ outcome: 'ip_blocked', auth: { allowed: false, limit: 3 } });
  expect(guessFromBlockedIp.principal).toBeUndefined();
  expect(revokedFromBlockedIp.outcome).toBe('ip_blocked');
  const counted = await counters();
  expect(counted['ip:10.0.0.2 auth:failed-key']).toBe(3); // refused attempts are not counted
  expect(counted[`key:${valid.keyId} GET /queue`]).toBe(1);
});

it('refuses a role the route does not allow without charging the route limit', async () => {
  const key = await issue('customer');
  const answer = await admit(key.hash, '10.0.0.4', 'GET /admin/dlq', ['admin']);

  expect(answer).toMatchObject({ outcome: 'forbidden', principal: { key_id: key.keyId, role: 'customer' } });
  expect(answer.limit).toBeUndefined();
  expect((await counters())[`key:${key.keyId} GET /admin/dlq`]).toBeUndefined();
});

it('rejects bad arguments with 22023 naming the argument, and counts nothing', async () => {
  const key = await issue('admin');
  const before = await counters();
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ p_key_hash: 'not-a-hash' }, /p_key_hash/],
    [{ p_roles: [] }, /p_roles/],
    [{ p_roles: ['root'] }, /p_roles/],
    [{ p_roles: null }, /p_roles/],
    [{ p_limit: 0 }, /p_limit/],
    [{ p_ip_subject: '' }, /p_ip_subject/],
    [{ p_auth_route: null }, /p_auth_route/],
    [{ p_auth_limit: 0 }, /p_auth_limit/],
    [{ p_auth_window_seconds: 0 }, /p_auth_window_seconds/],
    [{ p_window_seconds: 86401 }, /p_window_seconds/],
    // Checked before the key decides the path: an unknown key with bad arguments counts nothing either.
    [{ p_key_hash: generateApiKey().hash, p_auth_limit: null }, /p_auth_limit/],
  ];
  for (const [override, message] of cases) {
    const error = await pgError(
      rpc(db.pool, 'admit_api_request', {
        p_key_hash: key.hash,
        p_ip_subject: 'ip:10.0.0.9',
        ...AUTH,
        p_route: 'GET /x',
        p_roles: ['admin'],
        p_limit: 5,
        p_window_seconds: 60,
        ...override,
      }),
    );
    expect(error.code).toBe('22023');
    expect(error.message).toMatch(message);
  }
  expect(await counters()).toEqual(before);
});

it('is callable by service_role only', async () => {
  const key = await issue('admin');
  for (const role of ['anon', 'authenticated'] as const) {
    const error = await pgError(
      rpc(
        db.pool,
        'admit_api_request',
        {
          p_key_hash: key.hash,
          p_ip_subject: 'ip:10.0.0.10',
          ...AUTH,
          p_route: 'GET /x',
          p_roles: ['admin'],
          p_limit: 5,
          p_window_seconds: 60,
        },
        role,
      ),
    );
    expect(error.code).toBe('42501');
  }
});
