/**
 * A directory's `account` through create_directory, update_directory and get_directory, and the
 * customer's submission_local_part in get_customer (the baseline: …_baseline_functions_profiles.sql),
 * against a real PostgreSQL.
 */
import {
  createTestDatabase,
  insertCustomer,
  insertDirectories,
  pgError,
  rpc,
  type TestDatabase,
} from '../support/database';

let db: TestDatabase;
let seq = 0;

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

const account = {
  signup_url: 'https://join.dir.example/signup',
  login_url: 'https://join.dir.example/login',
  email_verification: true,
  login_before_listing: true,
  verification_hours: 24,
};

/** Accounts the API's schema refuses too, each with the part that is wrong. */
const BAD_ACCOUNTS: readonly unknown[] = [
  'https://join.dir.example/signup',
  [],
  {},
  { signup_url: 'ftp://join.dir.example/signup' },
  { signup_url: 'javascript:alert(1)' },
  { signup_url: 'https://join.dir.example/signup', extra: true },
  { signup_url: 'https://join.dir.example/signup', login_url: 'file:///etc/passwd' },
  { signup_url: 'https://join.dir.example/signup', email_verification: 'yes' },
  { signup_url: 'https://join.dir.example/signup', verification_hours: 0 },
  { signup_url: 'https://join.dir.example/signup', verification_hours: 337 },
  { signup_url: 'https://join.dir.example/signup', verification_hours: 1.5 },
  { signup_url: 'https://join.dir.example/signup', login_before_listing: true },
  { signup_url: 'https://join.dir.example/signup', login_before_listing: true, login_url: null },
];

function newDirectory(extra: Record<string, unknown> = {}) {
  seq += 1;
  return {
    slug: `acct-${process.pid}-${seq}`,
    name: 'Account Directory',
    submission_url: 'https://dir.example/add',
    ...extra,
  };
}

async function directoryRow(id: string) {
  return (await db.pool.query('select * from public.directories where id = $1', [id])).rows[0];
}

async function historyOf(event: string, directoryId: string) {
  return (
    await db.pool.query(
      `select worker_id, details from public.queue_history
        where event = $1 and details ->> 'directory_id' = $2 order by id`,
      [event, directoryId],
    )
  ).rows;
}

describe('create_directory with an account', () => {
  it('stores it, answers it and get_directory reads it back; the audit records it', async () => {
    // Act
    const created = await rpc(db.pool, 'create_directory', {
      p_directory: newDirectory({ account }),
      p_actor: 'admin:k',
    });
    // Assess
    expect(created).toMatchObject({ account, version: 1, verification: null, breaker_state: 'closed' });
    expect(await rpc(db.pool, 'get_directory', { p_directory_id: created.id })).toEqual(created);
    expect((await directoryRow(created.id)).account).toEqual(account);
    const audit = await historyOf('directory_created', created.id);
    expect(audit[0].details).toMatchObject({ account, actor: 'admin:k' });
  });

  it('without one (absent or null) stores none', async () => {
    const absent = await rpc(db.pool, 'create_directory', {
      p_directory: newDirectory(),
      p_actor: 'admin:k',
    });
    const nulled = await rpc(db.pool, 'create_directory', {
      p_directory: newDirectory({ account: null }),
      p_actor: 'admin:k',
    });
    expect(absent.account).toBeNull();
    expect(nulled.account).toBeNull();
    expect((await directoryRow(nulled.id)).account).toBeNull();
  });

  it('refuses a bad account with 22023 naming p_directory.account, and creates nothing', async () => {
    const before = (await db.pool.query('select count(*)::int n from public.directories')).rows[0].n;
    for (const bad of BAD_ACCOUNTS) {
      const error = await pgError(
        rpc(db.pool, 'create_directory', { p_directory: newDirectory({ account: bad }), p_actor: 'admin:k' }),
      );
      expect([bad, error.code, error.message]).toEqual([
        bad,
        '22023',
        expect.stringContaining('p_directory.account'),
      ]);
    }
    expect((await db.pool.query('select count(*)::int n from public.directories')).rows[0].n).toBe(before);
  });
});

describe('update_directory and the account', () => {
  it('sets it (a new version: If-Match counts it), audits from and to, and null clears it', async () => {
    // Prepare
    const [dir] = await insertDirectories(db.pool, 1);
    // Act
    const set = await rpc(db.pool, 'update_directory', {
      p_directory_id: dir!.id,
      p_changes: { account },
      p_expected_version: 1,
      p_actor: 'admin:k',
    });
    const stale = await pgError(
      rpc(db.pool, 'update_directory', {
        p_directory_id: dir!.id,
        p_changes: { account: null },
        p_expected_version: 1,
        p_actor: 'admin:k',
      }),
    );
    const cleared = await rpc(db.pool, 'update_directory', {
      p_directory_id: dir!.id,
      p_changes: { account: null },
      p_expected_version: 2,
      p_actor: 'admin:k',
    });
    // Assess
    expect(set).toMatchObject({ account, version: 2 });
    expect(stale.code).toBe('PT412');
    expect(cleared).toMatchObject({ account: null, version: 3 });
    expect(await rpc(db.pool, 'get_directory', { p_directory_id: dir!.id })).toEqual(cleared);
    expect((await directoryRow(dir!.id)).account).toBeNull();
    const audit = await historyOf('directory_updated', dir!.id);
    expect(audit.map((row) => row.details.changes)).toEqual([
      { account: { from: null, to: account } },
      { account: { from: account, to: null } },
    ]);
    expect(audit[0].worker_id).toBe('admin:k');
  });

  it('setting the account it already has changes nothing (same version)', async () => {
    const [dir] = await insertDirectories(db.pool, 1, { account: JSON.stringify(account) });
    const same = await rpc(db.pool, 'update_directory', {
      p_directory_id: dir!.id,
      p_changes: { account },
      p_expected_version: 1,
      p_actor: 'admin:k',
    });
    expect(same).toMatchObject({ account, version: 1 });
    expect((await historyOf('directory_updated', dir!.id))[0].details.changes).toEqual({});
  });

  it('refuses a bad account with 22023 naming p_changes.account, and changes nothing', async () => {
    const [dir] = await insertDirectories(db.pool, 1, { account: JSON.stringify(account) });
    for (const bad of BAD_ACCOUNTS) {
      const error = await pgError(
        rpc(db.pool, 'update_directory', {
          p_directory_id: dir!.id,
          p_changes: { account: bad },
          p_expected_version: 1,
          p_actor: 'admin:k',
        }),
      );
      expect([bad, error.code, error.message]).toEqual([
        bad,
        '22023',
        expect.stringContaining('p_changes.account'),
      ]);
    }
    expect(await directoryRow(dir!.id)).toMatchObject({ account, version: 1 });
    expect(await historyOf('directory_updated', dir!.id)).toHaveLength(0);
  });
});

describe('get_customer', () => {
  it('has the submission address\u2019s local part the customer row holds', async () => {
    const customer = await insertCustomer(db.pool);
    const read = await rpc(db.pool, 'get_customer', { p_customer_id: customer.id });
    expect(read.submission_local_part).toBe(customer.submission_local_part);
    expect(read.submission_local_part).toMatch(/^b-[a-z2-7]{16}$/);
  });
});
