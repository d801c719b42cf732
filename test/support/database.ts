/**
 * Per-test-file databases cloned from the migrated template that test/support/global-setup.ts prepared,
 * plus small helpers to call the SQL functions the way the RPC layer does and to create fixtures.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export interface TestDatabase {
  /** Connection URL of the fresh database (superuser). */
  url: string;
  /** A pool on it (superuser): use it to Prepare and Assess; call functions through `rpc`. */
  pool: pg.Pool;
  drop(): Promise<void>;
}

function requireEnv(name: string): string {
  if (process.env.TEST_PG_SETUP_ERROR) throw new Error(process.env.TEST_PG_SETUP_ERROR);
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: is jest running with test/support/global-setup.ts?`);
  return value;
}

/** A fresh database created from the migrated template (CREATE DATABASE ... TEMPLATE ...). */
export async function createTestDatabase(): Promise<TestDatabase> {
  return createDatabase(requireEnv('TEST_PG_TEMPLATE_DB'), '');
}

/** A fresh database without our schema (CREATE DATABASE ... TEMPLATE template0), for migration tests. */
export async function createEmptyDatabase(): Promise<TestDatabase> {
  return createDatabase('template0', '_empty');
}

async function createDatabase(template: string, suffix: string): Promise<TestDatabase> {
  const adminUrl = requireEnv('TEST_PG_ADMIN_URL');
  const prefix = process.env.TEST_PG_DATABASE_PREFIX ?? 'dbt_';
  const name = `${prefix}${randomBytes(6).toString('hex')}${suffix}`;

  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(
      `create database ${pg.escapeIdentifier(name)} template ${pg.escapeIdentifier(template)}`,
    );
  } finally {
    await admin.end();
  }

  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const pool = new pg.Pool({ connectionString: url.toString(), max: 10 });
  // A dropped connection must fail the test that uses it, not crash the worker.
  pool.on('error', () => undefined);

  let dropped = false;
  return {
    url: url.toString(),
    pool,
    async drop() {
      if (dropped) return;
      dropped = true;
      await pool.end();
      const admin2 = new pg.Client({ connectionString: adminUrl });
      await admin2.connect();
      try {
        await admin2.query(`drop database if exists ${pg.escapeIdentifier(name)} with (force)`);
      } finally {
        await admin2.end();
      }
    },
  };
}

export type Role = 'service_role' | 'anon' | 'authenticated';

/** Wrap a value to send it as JSON even when it is an array (arrays go as Postgres arrays otherwise). */
export class Json {
  constructor(readonly value: unknown) {}
}
export const json = (value: unknown) => new Json(value);
type Runner = pg.Pool | pg.PoolClient;

/**
 * Calls public.<fn>(name => value, ...) as `role` inside its own transaction, as the RPC layer does.
 * Values go as parameters; Postgres resolves their types from the function's signature.
 * Objects (and `json(...)` values) are sent as JSON, arrays as Postgres arrays.
 */
// Results are asserted field by field in the tests; typing every contract here would only restate them.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function rpc<T = any>(
  db: Runner,
  fn: string,
  args: Record<string, unknown> = {},
  role: Role = 'service_role',
): Promise<T> {
  const client = 'release' in db ? db : await db.connect();
  const names = Object.keys(args);
  for (const n of [fn, ...names]) {
    if (!/^[a-z_][a-z0-9_]*$/.test(n)) throw new Error(`rpc: bad identifier ${n}`);
  }
  const values = names.map((n) => {
    const v = args[n];
    if (v instanceof Json) return JSON.stringify(v.value);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? JSON.stringify(v) : v;
  });
  try {
    await client.query('begin');
    try {
      await client.query(`set local role ${role}`);
      const result = await client.query(
        `select public.${fn}(${names.map((n, i) => `${n} => $${i + 1}`).join(', ')}) as result`,
        values,
      );
      await client.query('commit');
      return result.rows[0].result as T;
    } catch (error) {
      await client.query('rollback');
      throw error;
    }
  } finally {
    if (client !== db) (client as pg.PoolClient).release();
  }
}

/** The error a rejected promise carried (fails the test when the promise resolved). */
export async function pgError(promise: Promise<unknown>): Promise<pg.DatabaseError> {
  try {
    await promise;
  } catch (error) {
    return error as pg.DatabaseError;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

export interface CustomerFixture {
  id: string;
  business_name: string;
  tier: string;
}

let seq = 0;
function unique(): string {
  seq += 1;
  return `${process.pid}-${seq}-${randomBytes(3).toString('hex')}`;
}

export async function insertCustomer(
  db: Runner,
  overrides: Partial<Record<string, unknown>> = {},
): Promise<CustomerFixture & Record<string, unknown>> {
  const row: Record<string, unknown> = {
    external_ref: `CUST-${unique()}`,
    business_name: 'Acme Plumbing',
    email: 'owner@acme-plumbing.example',
    phone: '+1 555 0100',
    website: 'https://acme-plumbing.example',
    address_line: '1 Main St',
    city: 'Springfield',
    region: 'IL',
    postal_code: '62701',
    country: 'United States',
    category: 'Plumber',
    description: 'Family plumbing business.',
    tier: 'pro',
    ...overrides,
  };
  const cols = Object.keys(row);
  const result = await db.query(
    `insert into public.customers (${cols.join(', ')}) values (${cols.map((_, i) => `$${i + 1}`).join(', ')}) returning *`,
    cols.map((c) => row[c]),
  );
  return result.rows[0];
}

export async function insertDirectories(
  db: Runner,
  count: number,
  overrides: Partial<Record<string, unknown>> = {},
): Promise<Array<{ id: string; slug: string; name: string; submission_url: string; active: boolean }>> {
  const rows = [];
  for (let i = 0; i < count; i++) {
    const slug = `dir-${unique()}`;
    const row: Record<string, unknown> = {
      slug,
      name: `Directory ${slug}`,
      submission_url: `https://${slug}.example/submit`,
      domain_authority: 50,
      field_mapping: null,
      active: true,
      max_concurrency: 2,
      ...overrides,
    };
    const cols = Object.keys(row);
    const result = await db.query(
      `insert into public.directories (${cols.join(', ')}) values (${cols.map((_, i2) => `$${i2 + 1}`).join(', ')}) returning *`,
      cols.map((c) => row[c]),
    );
    rows.push(result.rows[0]);
  }
  return rows;
}

/** Row counts of the tables a function writes, to assert "nothing written". */
export async function tableCounts(db: Runner): Promise<Record<string, number>> {
  const result = await db.query(`
    select (select count(*) from public.jobs)::int as jobs,
           (select count(*) from public.job_results)::int as job_results,
           (select count(*) from public.queue_history)::int as queue_history,
           (select count(*) from public.worker_heartbeats)::int as worker_heartbeats`);
  return result.rows[0];
}

/** queue_history rows of a job (or task), oldest first. */
export async function history(
  db: Runner,
  where: { jobId?: string; taskId?: string },
): Promise<
  Array<{
    event: string;
    from_status: string | null;
    to_status: string | null;
    attempt: number | null;
    worker_id: string | null;
    task_id: string | null;
    details: Record<string, unknown>;
  }>
> {
  const result = await db.query(
    `select event, from_status, to_status, attempt, worker_id, task_id, details
       from public.queue_history
      where ($1::uuid is null or job_id = $1) and ($2::uuid is null or task_id = $2)
      order by id`,
    [where.jobId ?? null, where.taskId ?? null],
  );
  return result.rows;
}

/**
 * Forgets every business listing, so the next job for a business and directory is sent again. For
 * suites about jobs rather than listings, which create many jobs for the one demo business and its
 * directories; one listing per business and directory is tested in business-listings.test.ts and
 * listings-and-directories.test.ts.
 */
export async function releaseListings(db: Runner): Promise<void> {
  await db.query('delete from public.business_listings');
}
