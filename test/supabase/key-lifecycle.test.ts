import { generateApiKey } from '../../lambdas/http/auth';
import { API_ACCESS } from '../../lambdas/platform/system-config';
import { createTestDatabase, insertCustomer, pgError, rpc, type TestDatabase } from '../support/database';

/**
 * Key lifecycle (internal.api_key_state and the key functions): rotation with a grace period, keys with an expiry,
 * and how admit_api_request treats each state. Time passes the way the database sees it: a key's
 * timestamps are moved back (as if the rotation or creation had happened that long ago), no sleeping.
 */
let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});

afterAll(async () => {
  await db?.drop();
});

const AUTH = { p_auth_route: 'auth:failed-key', p_auth_limit: 5, p_auth_window_seconds: 900 };

async function issue(options: { role?: 'staff' | 'admin'; expiresAt?: string } = {}) {
  const { hash, prefix } = generateApiKey();
  const created = await rpc(db.pool, 'create_api_key', {
    p_key_hash: hash,
    p_key_prefix: prefix,
    p_role: options.role ?? 'staff',
    p_expires_at: options.expiresAt ?? null,
  });
  return { hash, keyId: created.key_id as string, created };
}

async function rotate(keyId: string, graceSeconds: number = API_ACCESS.rotationGraceSeconds) {
  const next = generateApiKey();
  const rotated = await rpc(db.pool, 'rotate_api_key', {
    p_key_id: keyId,
    p_new_key_hash: next.hash,
    p_new_key_prefix: next.prefix,
    p_grace_seconds: graceSeconds,
  });
  return { next, rotated };
}

/** As if the key had been created (and rotated) this long ago. */
async function age(keyId: string, interval: string) {
  await db.pool.query(
    `update api_keys set created_at = created_at - $2::interval,
            expires_at = expires_at - $2::interval where id = $1`,
    [keyId, interval],
  );
}

function admit(hash: string, ip: string) {
  return rpc(db.pool, 'admit_api_request', {
    p_key_hash: hash,
    p_ip_subject: `ip:${ip}`,
    ...AUTH,
    p_route: 'GET /jobs',
    p_roles: ['customer', 'staff', 'admin'],
    p_limit: 100,
    p_window_seconds: 60,
  });
}

async function failedCount(ip: string): Promise<number | undefined> {
  const rows = await db.pool.query<{ count: number }>(
    "select count from rate_limit_requests where key = $1 and route = 'auth:failed-key'",
    [`ip:${ip}`],
  );
  return rows.rows[0]?.count;
}

describe('rotation with a grace period', () => {
  it('keeps the old key working for the grace period, marked rotated, then refuses it as expired', async () => {
    const old = await issue();
    const { next, rotated } = await rotate(old.keyId);

    expect(rotated.old).toMatchObject({ key_id: old.keyId, state: 'rotated', revoked_at: null });
    expect(rotated.new).toMatchObject({ state: 'active', expires_at: null });
    // The grace is measured on the database clock from the rotation itself.
    const grace = await db.pool.query(
      `select extract(epoch from k.expires_at - h.created_at)::int as seconds, h.from_status, h.to_status
         from api_keys k join queue_history h on h.details->>'key_id' = k.id::text
        where k.id = $1 and h.event = 'api_key_rotated'`,
      [old.keyId],
    );
    expect(grace.rows).toEqual([
      { seconds: API_ACCESS.rotationGraceSeconds, from_status: 'active', to_status: 'rotated' },
    ]);

    const during = await admit(old.hash, '10.1.0.1');
    expect(during).toMatchObject({
      outcome: 'admitted',
      principal: { key_id: old.keyId, state: 'rotated', replaced_by: rotated.new.key_id },
    });
    expect((await admit(next.hash, '10.1.0.1')).outcome).toBe('admitted');

    await age(old.keyId, `${API_ACCESS.rotationGraceSeconds + 1} seconds`);
    const after = await admit(old.hash, '10.1.0.1');
    expect(after).toMatchObject({ outcome: 'expired', auth: { remaining: AUTH.p_auth_limit - 1 } });
    expect(await failedCount('10.1.0.1')).toBe(1);
    expect((await admit(next.hash, '10.1.0.1')).outcome).toBe('admitted');
  });

  it('with no grace revokes the old key at once', async () => {
    const old = await issue();
    const { rotated } = await rotate(old.keyId, 0);
    expect(rotated.old).toMatchObject({ state: 'revoked', replaced_by: rotated.new.key_id });
    expect((await admit(old.hash, '10.1.0.2')).outcome).toBe('revoked');
  });

  it('refuses to rotate a key twice, an expired key, or a bad grace, and changes nothing', async () => {
    const rotatedKeys = async () =>
      (await db.pool.query('select count(*)::int as n from api_keys where replaced_by is not null')).rows[0]
        .n;
    const old = await issue();
    const { rotated } = await rotate(old.keyId);
    const twice = await pgError(rotate(old.keyId));
    expect(twice.code).toBe('22023');
    expect(twice.message).toContain(`rotate its replacement ${rotated.new.key_id}`);

    const expiring = await issue({ expiresAt: new Date(Date.now() + 3_600_000).toISOString() });
    await age(expiring.keyId, '2 hours');
    const expired = await pgError(rotate(expiring.keyId));
    expect(expired.message).toContain('p_key_id is expired');

    const fresh = await issue();
    const before = await rotatedKeys();
    for (const grace of [-1, 2_592_001, null]) {
      const error = await pgError(rotate(fresh.keyId, grace as number));
      expect(error.code).toBe('22023');
      expect(error.message).toContain('p_grace_seconds');
    }
    expect(await rotatedKeys()).toBe(before);
    expect((await rpc(db.pool, 'resolve_api_key', { p_key_hash: fresh.hash })).state).toBe('active');
  });

  it('never extends a key issued for a limited time: the replacement keeps its expiry, the grace ends by it', async () => {
    const inOneHour = new Date(Date.now() + 3_600_000);
    const old = await issue({ expiresAt: inOneHour.toISOString() });
    const { rotated } = await rotate(old.keyId);
    expect(new Date(rotated.old.expires_at).getTime()).toBe(new Date(old.created.expires_at).getTime());
    expect(new Date(rotated.new.expires_at).getTime()).toBe(new Date(old.created.expires_at).getTime());
  });
});

describe('expiry', () => {
  it('accepts a key until its expiry and refuses it after, charging the IP', async () => {
    const key = await issue({ expiresAt: new Date(Date.now() + 86_400_000).toISOString() });
    expect(key.created).toMatchObject({ state: 'active', expires_at: expect.any(String) });
    expect((await admit(key.hash, '10.2.0.1')).outcome).toBe('admitted');

    await age(key.keyId, '1 day 1 second');
    expect(await admit(key.hash, '10.2.0.1')).toMatchObject({ outcome: 'expired' });
    expect(await failedCount('10.2.0.1')).toBe(1);
    const listed = await rpc(db.pool, 'list_api_keys', {});
    expect(listed.find((k: { key_id: string }) => k.key_id === key.keyId).state).toBe('expired');
  });

  it('refuses an expiry that is not in the future, with 22023 naming it, and stores nothing', async () => {
    const before = await db.pool.query('select count(*)::int as n from api_keys');
    const { hash, prefix } = generateApiKey();
    const error = await pgError(
      rpc(db.pool, 'create_api_key', {
        p_key_hash: hash,
        p_key_prefix: prefix,
        p_role: 'admin',
        p_expires_at: new Date(Date.now() - 1000).toISOString(),
      }),
    );
    expect(error.code).toBe('22023');
    expect(error.message).toContain('p_expires_at');
    expect((await db.pool.query('select count(*)::int as n from api_keys')).rows[0].n).toBe(before.rows[0].n);
  });

  it('a deleted customer\u2019s key is a failed attempt like any other and never locks out a valid key', async () => {
    const customer = await insertCustomer(db.pool, { tier: 'pro' });
    const { hash, prefix } = generateApiKey();
    await rpc(db.pool, 'create_api_key', {
      p_key_hash: hash,
      p_key_prefix: prefix,
      p_role: 'customer',
      p_customer_id: customer.id,
    });
    await db.pool.query('delete from customers where id = $1', [customer.id]);
    // Unknown now: a failed attempt like any other, and never a reason to refuse a valid key.
    expect((await admit(hash, '10.2.0.2')).outcome).toBe('unknown');
    const valid = await issue({ role: 'admin' });
    for (let i = 0; i < AUTH.p_auth_limit; i += 1) await admit(hash, '10.2.0.2');
    expect((await admit(hash, '10.2.0.2')).outcome).toBe('ip_blocked');
    expect((await admit(valid.hash, '10.2.0.2')).outcome).toBe('admitted');
  });
});
