/**
 * get_directory / update_directory, and the versions behind ETag / If-Match on directories and
 * customers, against a real PostgreSQL.
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

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

async function directoryRow(id: string) {
  return (await db.pool.query('select * from public.directories where id = $1', [id])).rows[0];
}

describe('update_directory', () => {
  it('refuses bad arguments with 22023 naming them, and changes nothing', async () => {
    const [dir] = await insertDirectories(db.pool, 1);
    const args = { p_directory_id: dir!.id, p_expected_version: 1, p_actor: 'admin:k' };
    for (const [changes, name] of [
      [{}, 'p_changes'],
      [{ slug: 'x' }, 'p_changes.slug'],
      [{ max_concurrency: 0 }, 'p_changes.max_concurrency'],
      [{ max_concurrency: 1.5 }, 'p_changes.max_concurrency'],
      [{ min_interval_ms: -1 }, 'p_changes.min_interval_ms'],
      [{ domain_authority: 101 }, 'p_changes.domain_authority'],
      [{ active: 'true' }, 'p_changes.active'],
      [{ name: '' }, 'p_changes.name'],
      [{ submission_url: 'javascript:alert(1)' }, 'p_changes.submission_url'],
      [{ verification: { lookup_url: 'ftp://x.example/' } }, 'p_changes.verification'],
      [{ verification: 'https://x.example/' }, 'p_changes.verification'],
    ] as const) {
      const error = await pgError(rpc(db.pool, 'update_directory', { ...args, p_changes: changes }));
      expect([changes, error.code, error.message]).toEqual([changes, '22023', expect.stringContaining(name)]);
    }
    for (const [bad, name] of [
      [{ p_expected_version: null }, 'p_expected_version'],
      [{ p_expected_version: 0 }, 'p_expected_version'],
      [{ p_actor: '' }, 'p_actor'],
      [{ p_directory_id: null }, 'p_directory_id'],
    ] as const) {
      const error = await pgError(
        rpc(db.pool, 'update_directory', { ...args, p_changes: { active: false }, ...bad }),
      );
      expect([error.code, error.message]).toEqual(['22023', expect.stringContaining(name)]);
    }
    expect(await directoryRow(dir!.id)).toMatchObject({ version: 1, active: true, max_concurrency: 2 });
  });

  it('a stale expected version raises PT412 (HTTP 412) under the row lock; a current one applies', async () => {
    const [dir] = await insertDirectories(db.pool, 1);
    const stale = await pgError(
      rpc(db.pool, 'update_directory', {
        p_directory_id: dir!.id,
        p_changes: { max_concurrency: 9 },
        p_expected_version: 2,
        p_actor: 'admin:k',
      }),
    );
    expect(stale.code).toBe('PT412');
    expect(stale.message).toContain('version 1');
    const updated = await rpc(db.pool, 'update_directory', {
      p_directory_id: dir!.id,
      p_changes: { max_concurrency: 9, domain_authority: null },
      p_expected_version: 1,
      p_actor: 'admin:k',
    });
    expect(updated).toMatchObject({ max_concurrency: 9, domain_authority: null, version: 2 });
    expect(await rpc(db.pool, 'get_directory', { p_directory_id: dir!.id })).toEqual(updated);
  });

  it('claims do not change the version (politeness columns are not managed fields)', async () => {
    const [dir] = await insertDirectories(db.pool, 1);
    await db.pool.query(
      `update public.directories set next_claim_at = now(), consecutive_failures = 3, breaker_state = 'half_open'
        where id = $1`,
      [dir!.id],
    );
    expect((await directoryRow(dir!.id)).version).toBe(1);
  });
});

describe('versions of customers', () => {
  it('every real change bumps the version; an update that changes nothing keeps it', async () => {
    const customer = await insertCustomer(db.pool);
    const same = await rpc(db.pool, 'update_customer', {
      p_customer_id: customer.id,
      p_changes: { city: customer.city },
      p_actor: 'staff:k',
    });
    expect(same.version).toBe(1);
    const changed = await rpc(db.pool, 'update_customer', {
      p_customer_id: customer.id,
      p_changes: { city: 'Ogdenville' },
      p_actor: 'staff:k',
      p_expected_version: 1,
    });
    expect(changed.version).toBe(2);
    const stale = await pgError(
      rpc(db.pool, 'update_customer', {
        p_customer_id: customer.id,
        p_changes: { city: 'North Haverbrook' },
        p_actor: 'staff:k',
        p_expected_version: 1,
      }),
    );
    expect(stale.code).toBe('PT412');
    expect((await rpc(db.pool, 'get_customer', { p_customer_id: customer.id })).city).toBe('Ogdenville');
  });
});
