import { randomUUID } from 'node:crypto';
import { generateApiKey } from '../../lambdas/http/auth';
import { API_ACCESS } from '../../lambdas/platform/system-config';
import { createTestDatabase, insertCustomer, pgError, rpc, type TestDatabase } from '../support/database';

/** The API access functions (supabase/migrations/*_baseline_functions_api.sql) on real Postgres. */
let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});

afterAll(async () => {
  await db?.drop();
});

it('stores only the hash of a key and resolves it to its principal until revoked', async () => {
  const customer = await insertCustomer(db.pool, { tier: 'enterprise' });
  const { key, hash, prefix } = generateApiKey();

  const created = await rpc(db.pool, 'create_api_key', {
    p_key_hash: hash,
    p_key_prefix: prefix,
    p_role: 'customer',
    p_customer_id: customer.id,
  });
  const resolved = await rpc(db.pool, 'resolve_api_key', { p_key_hash: hash });
  await rpc(db.pool, 'revoke_api_key', { p_key_id: created.key_id });
  const revoked = await rpc(db.pool, 'resolve_api_key', { p_key_hash: hash });

  expect(key).toMatch(/^dbk_[A-Za-z0-9_-]{43}$/);
  expect(resolved).toEqual({
    key_id: created.key_id,
    role: 'customer',
    customer_id: customer.id,
    customer_tier: 'enterprise',
    state: 'active',
    revoked: false,
    replaced_by: null,
    expires_at: null,
  });
  expect(revoked.revoked).toBe(true);
  const stored = await db.pool.query('select * from api_keys where id = $1', [created.key_id]);
  expect(JSON.stringify(stored.rows)).not.toContain(key);
  const events = await db.pool.query(
    "select event from queue_history where details->>'key_id' = $1 order by id",
    [created.key_id],
  );
  expect(events.rows.map((r) => r.event)).toEqual(['api_key_created', 'api_key_revoked']);
});

it('rotates a key with no grace: a new key for the same principal, the old one revoked, in one step', async () => {
  const first = generateApiKey();
  const next = generateApiKey();
  const created = await rpc(db.pool, 'create_api_key', {
    p_key_hash: first.hash,
    p_key_prefix: first.prefix,
    p_role: 'admin',
  });

  const rotated = await rpc(db.pool, 'rotate_api_key', {
    p_key_id: created.key_id,
    p_new_key_hash: next.hash,
    p_new_key_prefix: next.prefix,
    p_grace_seconds: 0,
  });

  expect(rotated.old).toMatchObject({ key_id: created.key_id, replaced_by: rotated.new.key_id });
  expect(rotated.old.revoked_at).not.toBeNull();
  expect(rotated.new).toMatchObject({ role: 'admin', revoked_at: null });
  expect((await rpc(db.pool, 'resolve_api_key', { p_key_hash: next.hash })).revoked).toBe(false);
  const again = await pgError(
    rpc(db.pool, 'rotate_api_key', {
      p_key_id: created.key_id,
      p_new_key_hash: generateApiKey().hash,
      p_new_key_prefix: 'dbk_abcd',
      p_grace_seconds: 0,
    }),
  );
  expect(again.code).toBe('22023');
});

it('refuses bad arguments with 22023 naming them, and unknown rows with P0002', async () => {
  const cases: [string, Record<string, unknown>, string, string][] = [
    ['create_api_key', { p_key_hash: 'abc', p_key_prefix: 'dbk_x', p_role: 'staff' }, '22023', 'p_key_hash'],
    [
      'create_api_key',
      { p_key_hash: 'a'.repeat(64), p_key_prefix: 'dbk_abcd', p_role: 'root' },
      '22023',
      'p_role',
    ],
    [
      'create_api_key',
      { p_key_hash: 'a'.repeat(64), p_key_prefix: 'dbk_abcd', p_role: 'customer' },
      '22023',
      'p_customer_id',
    ],
    [
      'create_api_key',
      {
        p_key_hash: 'a'.repeat(64),
        p_key_prefix: 'dbk_abcd',
        p_role: 'customer',
        p_customer_id: randomUUID(),
      },
      'P0002',
      'p_customer_id',
    ],
    ['revoke_api_key', { p_key_id: randomUUID() }, 'P0002', 'p_key_id'],
    [
      'check_rate_limit',
      { p_subject: 'k', p_route: 'r', p_limit: 0, p_window_seconds: 60 },
      '22023',
      'p_limit',
    ],
    ['list_jobs', { p_limit: API_ACCESS.jobsPage.max + 1 }, '22023', 'p_limit'],
    [
      'update_job',
      { p_job_id: randomUUID(), p_expected_version: 1, p_changes: { status: 'x' } },
      '22023',
      'p_changes.status',
    ],
    ['take_next_pending_job', { p_customer_id: randomUUID() }, 'P0002', 'p_customer_id'],
  ];
  for (const [fn, args, code, mentions] of cases) {
    const error = await pgError(rpc(db.pool, fn, args));
    expect({ fn, code: error.code }).toEqual({ fn, code });
    expect(error.message).toContain(mentions);
  }
});

it('mirrors system-config and lets only service_role execute the functions', async () => {
  const source = await db.pool.query(
    "select prosrc from pg_proc where proname = 'list_jobs' and pronamespace = 'public'::regnamespace",
  );
  expect(source.rows[0].prosrc).toContain(`p_limit > ${API_ACCESS.jobsPage.max}`);
  const notesCheck = await db.pool.query(
    "select pg_get_constraintdef(oid) as def from pg_constraint where conrelid = 'public.jobs'::regclass and pg_get_constraintdef(oid) like '%notes%'",
  );
  expect(notesCheck.rows[0].def).toContain(String(API_ACCESS.maxNotesLength));
  for (const role of ['anon', 'authenticated'] as const) {
    const error = await pgError(rpc(db.pool, 'resolve_api_key', { p_key_hash: 'a'.repeat(64) }, role));
    expect(error.code).toBe('42501');
  }
});
