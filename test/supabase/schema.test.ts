/**
 * The schema itself: migrations, constraints, indexes, the append-only trail, RLS and privileges.
 */
import { mkdtemp, cp, appendFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { TASKS, PRIORITY_BY_TIER } from '../../lambdas/platform/system-config';
import { migrate, readMigrations, SUPABASE_DIR } from '../../local/runtime/migrate';
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

describe('migrations', () => {
  it('are named <14-digit timestamp>_<name>.sql and recorded as applied', async () => {
    // Prepare
    const files = await readMigrations();
    // Act
    const recorded = await db.pool.query(
      'select version, name, checksum from supabase_migrations.schema_migrations order by version',
    );
    // Assess
    expect(files.length).toBeGreaterThanOrEqual(3);
    expect(recorded.rows.map((r) => r.version)).toEqual(files.map((f) => f.version));
    expect(recorded.rows.map((r) => r.checksum)).toEqual(files.map((f) => f.checksum));
  });

  it('re-running migrate applies nothing and keeps data', async () => {
    // Prepare
    const customer = await insertCustomer(db.pool);
    // Act
    const result = await migrate(db.url);
    // Assess
    expect(result.applied).toEqual([]);
    expect(result.skipped.length).toBeGreaterThanOrEqual(3);
    const still = await db.pool.query('select id from public.customers where id = $1', [customer.id]);
    expect(still.rowCount).toBe(1);
  });

  it('refuses an applied migration whose contents changed (forward-only)', async () => {
    // Prepare: a copy of supabase/ with one applied migration edited
    const dir = await mkdtemp(path.join(os.tmpdir(), 'dbt-migrations-'));
    await cp(SUPABASE_DIR, dir, { recursive: true });
    try {
      const [first] = await readMigrations(dir);
      await appendFile(path.join(dir, 'migrations', first!.file), '\n-- edited\n');
      // Act
      const error = await pgError(migrate(db.url, { supabaseDir: dir }));
      // Assess
      expect(error.message).toMatch(/was changed after it was applied/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('applies to an empty database from scratch, and a second run is a no-op', async () => {
    // Prepare
    const scratch = await createTestDatabase();
    try {
      // the template is already migrated: start from a database without our schema
      const admin = new pg.Client({ connectionString: process.env.TEST_PG_ADMIN_URL });
      await admin.connect();
      const name = `${new URL(scratch.url).pathname.slice(1)}_empty`;
      await admin.query(`create database ${pg.escapeIdentifier(name)} template template0`);
      const url = new URL(scratch.url);
      url.pathname = `/${name}`;
      try {
        // Act
        const first = await migrate(url.toString());
        const second = await migrate(url.toString());
        // Assess
        expect(first.bootstrap.length).toBeGreaterThanOrEqual(1);
        expect(first.applied.length).toBeGreaterThanOrEqual(3);
        expect(second.applied).toEqual([]);
      } finally {
        await admin.query(`drop database ${pg.escapeIdentifier(name)} with (force)`);
        await admin.end();
      }
    } finally {
      await scratch.drop();
    }
  });
});

describe('constants mirrored from lambdas/platform/system-config.ts', () => {
  it('new tasks get max_attempts = TASKS.retryBudget and priority follows PRIORITY_BY_TIER', async () => {
    // Prepare
    const [dir] = await insertDirectories(db.pool, 1);
    const results: Record<string, string> = {};
    for (const tier of Object.keys(PRIORITY_BY_TIER) as Array<keyof typeof PRIORITY_BY_TIER>) {
      const customer = await insertCustomer(db.pool, { tier });
      // Act
      const job = await rpc(db.pool, 'create_job', {
        p_customer_id: customer.id,
        p_directory_ids: [dir!.id],
      });
      results[tier] = job.priority;
      const task = await db.pool.query('select max_attempts from public.job_results where job_id = $1', [
        job.job_id,
      ]);
      // Assess
      expect(task.rows[0].max_attempts).toBe(TASKS.retryBudget);
    }
    expect(results).toEqual(PRIORITY_BY_TIER);
  });

  it('create_job accepts TASKS.maxDirectoriesPerJob directories and refuses one more', async () => {
    // Prepare
    const customer = await insertCustomer(db.pool);
    const dirs = await db.pool.query<{ id: string }>(
      `insert into public.directories (slug, name, submission_url)
       select 'bulk-' || g, 'Bulk ' || g, 'https://bulk-' || g || '.example/'
         from generate_series(1, $1) g returning id`,
      [TASKS.maxDirectoriesPerJob + 1],
    );
    const ids = dirs.rows.map((r) => r.id);
    // Act
    const tooMany = await pgError(
      rpc(db.pool, 'create_job', { p_customer_id: customer.id, p_directory_ids: ids }),
    );
    const ok = await rpc(db.pool, 'create_job', {
      p_customer_id: customer.id,
      p_directory_ids: ids.slice(0, TASKS.maxDirectoriesPerJob),
    });
    // Assess
    expect(tooMany.code).toBe('22023');
    expect(tooMany.message).toContain('p_directory_ids');
    expect(tooMany.message).toContain(String(TASKS.maxDirectoriesPerJob));
    expect(ok.tasks).toHaveLength(TASKS.maxDirectoriesPerJob);
  });
});

describe('constraints', () => {
  it.each([
    ['customers.tier', `insert into public.customers (business_name, tier) values ('X', 'gold')`],
    [
      'customers.website scheme',
      `insert into public.customers (business_name, website) values ('X', 'javascript:alert(1)')`,
    ],
    [
      'directories.submission_url scheme',
      `insert into public.directories (slug, name, submission_url) values ('bad-url', 'Bad', 'file:///etc/passwd')`,
    ],
    [
      'directories.slug format',
      `insert into public.directories (slug, name, submission_url) values ('Bad Slug', 'Bad', 'https://x.example')`,
    ],
  ])('%s is checked', async (_name, sql) => {
    // Act
    const error = await pgError(db.pool.query(sql));
    // Assess
    expect(error.code).toBe('23514');
  });

  it('jobs and tasks reject statuses outside the state machine', async () => {
    // Prepare
    const customer = await insertCustomer(db.pool);
    const [dir] = await insertDirectories(db.pool, 1);
    const job = await rpc(db.pool, 'create_job', { p_customer_id: customer.id, p_directory_ids: [dir!.id] });
    // Act
    const jobError = await pgError(
      db.pool.query(`update public.jobs set status = 'complete' where id = $1`, [job.job_id]),
    );
    const taskError = await pgError(
      db.pool.query(`update public.job_results set status = 'done' where job_id = $1`, [job.job_id]),
    );
    const leaseError = await pgError(
      db.pool.query(`update public.job_results set status = 'in_progress' where job_id = $1`, [job.job_id]),
    );
    // Assess
    expect(jobError.code).toBe('23514');
    expect(taskError.code).toBe('23514');
    expect(leaseError.message).toContain('job_results_in_progress_has_lease');
  });

  it('one listing per (customer, directory) and (job, directory, generation) is unique', async () => {
    // Prepare
    const customer = await insertCustomer(db.pool);
    const [dir] = await insertDirectories(db.pool, 1);
    const job = await rpc(db.pool, 'create_job', { p_customer_id: customer.id, p_directory_ids: [dir!.id] });
    const task = (await db.pool.query('select * from public.job_results where job_id = $1', [job.job_id]))
      .rows[0];
    // Act
    const sameListing = await pgError(
      db.pool.query(
        `insert into public.business_listings (customer_id, directory_id, task_id) values ($1, $2, $3)`,
        [customer.id, dir!.id, task.id],
      ),
    );
    const sameGeneration = await pgError(
      db.pool.query(
        `insert into public.job_results (job_id, directory_id, idempotency_key, generation) values ($1, $2, $3, 1)`,
        [job.job_id, dir!.id, 'f'.repeat(64)],
      ),
    );
    // Assess
    expect(sameListing.code).toBe('23505');
    expect(sameListing.constraint).toBe('business_listings_pkey');
    expect(sameGeneration.constraint).toBe('job_results_job_directory_generation_key');
  });

  it('foreign keys: jobs cascade to tasks and history, directories with tasks cannot be deleted, heartbeats are set null', async () => {
    // Prepare
    const customer = await insertCustomer(db.pool);
    const [dir] = await insertDirectories(db.pool, 1);
    const job = await rpc(db.pool, 'create_job', { p_customer_id: customer.id, p_directory_ids: [dir!.id] });
    await rpc(db.pool, 'record_worker_heartbeat', {
      p_worker_id: 'fk-worker',
      p_status: 'running',
      p_current_job_id: job.job_id,
    });
    // Act
    const restrict = await pgError(db.pool.query('delete from public.directories where id = $1', [dir!.id]));
    // A task holding its business listing cannot be deleted (test/supabase/business-listings.test.ts):
    // the listing is released first, as only a deliberate act may do.
    await db.pool.query('delete from public.business_listings where customer_id = $1', [customer.id]);
    await db.pool.query('delete from public.jobs where id = $1', [job.job_id]);
    // Assess
    expect(restrict.code).toBe('23503');
    const left = await db.pool.query(
      `select (select count(*) from public.job_results where job_id = $1)::int as tasks,
              (select count(*) from public.queue_history where job_id = $1)::int as history,
              (select current_job_id from public.worker_heartbeats where worker_id = 'fk-worker') as current_job_id`,
      [job.job_id],
    );
    expect(left.rows[0]).toEqual({ tasks: 0, history: 0, current_job_id: null });
  });
});

describe('indexes', () => {
  it('exist for the queries the functions and the sweeper run', async () => {
    // Act
    const result = await db.pool.query<{ indexdef: string }>(
      `select indexdef from pg_indexes where schemaname = 'public'`,
    );
    const defs = result.rows.map((r) => r.indexdef);
    // Assess
    expect(defs).toContainEqual(expect.stringContaining('ON public.jobs USING btree (created_at DESC)'));
    expect(defs).toContainEqual(
      expect.stringContaining('ON public.job_results USING btree (status, lease_expires_at)'),
    );
    expect(defs).toContainEqual(expect.stringContaining('ON public.job_results USING btree (job_id)'));
    // One listing per business and directory, and the holder's foreign key.
    expect(defs).toContainEqual(
      expect.stringContaining('ON public.business_listings USING btree (customer_id, directory_id)'),
    );
    expect(defs).toContainEqual(expect.stringContaining('ON public.business_listings USING btree (task_id)'));
    expect(defs).toContainEqual(
      expect.stringContaining('ON public.queue_history USING btree (job_id, created_at)'),
    );
    expect(defs).toContainEqual(
      expect.stringContaining('ON public.worker_heartbeats USING btree (last_heartbeat)'),
    );
  });
});

describe('queue_history', () => {
  it('refuses UPDATE, even for the table owner', async () => {
    // Prepare
    const customer = await insertCustomer(db.pool);
    const [dir] = await insertDirectories(db.pool, 1);
    const job = await rpc(db.pool, 'create_job', { p_customer_id: customer.id, p_directory_ids: [dir!.id] });
    const before = await db.pool.query(
      'select id, event from public.queue_history where job_id = $1 order by id',
      [job.job_id],
    );
    // Act
    const asOwner = await pgError(
      db.pool.query(`update public.queue_history set event = 'tampered' where job_id = $1`, [job.job_id]),
    );
    const client = await db.pool.connect();
    let asService: pg.DatabaseError;
    try {
      await client.query('begin');
      await client.query('set local role service_role');
      asService = await pgError(
        client.query(`update public.queue_history set event = 'tampered' where job_id = $1`, [job.job_id]),
      );
      await client.query('rollback');
    } finally {
      client.release();
    }
    // Assess
    expect(asOwner.message).toMatch(/append-only/);
    expect(asService.code).toBe('42501');
    const after = await db.pool.query(
      'select id, event from public.queue_history where job_id = $1 order by id',
      [job.job_id],
    );
    expect(after.rows).toEqual(before.rows);
    expect(before.rows.length).toBeGreaterThan(0);
  });
});

describe('RLS and privileges', () => {
  const tables = [
    'customers',
    'directories',
    'jobs',
    'job_results',
    'worker_heartbeats',
    'queue_history',
    'rate_limit_requests',
    'api_idempotency_keys',
    'api_keys',
    'dlq_alerts',
  ];

  it('every table has row level security enabled', async () => {
    // Act
    const result = await db.pool.query(
      `select relname, relrowsecurity from pg_class where relnamespace = 'public'::regnamespace and relkind = 'r'`,
    );
    // Assess
    const byTable = Object.fromEntries(result.rows.map((r) => [r.relname, r.relrowsecurity]));
    expect(Object.keys(byTable)).toEqual(expect.arrayContaining(tables));
    // Every table, including ones added later, must have RLS on.
    for (const [table, rls] of Object.entries(byTable)) expect({ table, rls }).toEqual({ table, rls: true });
  });

  it.each(['anon', 'authenticated'])('%s has no table privileges', async (role) => {
    // Prepare
    await insertCustomer(db.pool);
    const client = await db.pool.connect();
    try {
      await client.query('begin');
      await client.query(`set local role ${role}`);
      // Act
      const error = await pgError(client.query('select * from public.customers'));
      // Assess
      expect(error.code).toBe('42501');
    } finally {
      await client.query('rollback');
      client.release();
    }
  });

  it.each(['anon', 'authenticated'])(
    '%s sees no rows even if granted SELECT (RLS is the second wall)',
    async (role) => {
      // Prepare: data in every table we can fill cheaply, and a grant as a careless later migration might add
      const customer = await insertCustomer(db.pool);
      const [dir] = await insertDirectories(db.pool, 1);
      await rpc(db.pool, 'create_job', { p_customer_id: customer.id, p_directory_ids: [dir!.id] });
      const client = await db.pool.connect();
      try {
        await client.query('begin');
        for (const t of tables) await client.query(`grant select on public.${t} to ${role}`);
        await client.query(`set local role ${role}`);
        // Act
        const counts: Record<string, number> = {};
        for (const t of tables) {
          counts[t] = Number((await client.query(`select count(*) from public.${t}`)).rows[0].count);
        }
        // Assess
        expect(Object.values(counts).every((n) => n === 0)).toBe(true);
        await client.query('reset role');
        const real = Number((await client.query('select count(*) from public.customers')).rows[0].count);
        expect(real).toBeGreaterThan(0);
      } finally {
        await client.query('rollback');
        client.release();
      }
    },
  );

  it('service_role sees rows', async () => {
    // Prepare
    await insertCustomer(db.pool);
    const client = await db.pool.connect();
    try {
      await client.query('begin');
      await client.query('set local role service_role');
      // Act
      const count = Number((await client.query('select count(*) from public.customers')).rows[0].count);
      // Assess
      expect(count).toBeGreaterThan(0);
    } finally {
      await client.query('rollback');
      client.release();
    }
  });

  it('EXECUTE on the functions is denied to public, anon and authenticated, granted to service_role', async () => {
    // Act
    const result = await db.pool.query(
      `select p.proname,
              has_function_privilege('anon', p.oid, 'execute') as anon,
              has_function_privilege('authenticated', p.oid, 'execute') as authenticated,
              has_function_privilege('service_role', p.oid, 'execute') as service_role,
              p.prosecdef as security_definer,
              array_to_string(p.proconfig, ',') as config
         from pg_proc p where p.pronamespace = 'public'::regnamespace`,
    );
    // Assess
    // The task functions at least; every function found, whatever later migrations add, is checked below.
    const names = result.rows.map((r) => r.proname);
    expect(names).toEqual(
      expect.arrayContaining([
        'claim_task',
        'complete_task',
        'create_job',
        'fail_task',
        'get_job',
        'heartbeat_task',
        'mark_submitting',
        'mark_tasks_enqueued',
        'record_worker_heartbeat',
      ]),
    );
    for (const row of result.rows) {
      expect({
        fn: row.proname,
        anon: row.anon,
        authenticated: row.authenticated,
        service_role: row.service_role,
      }).toEqual({ fn: row.proname, anon: false, authenticated: false, service_role: true });
      expect(row.security_definer).toBe(false);
      expect(row.config).toContain('search_path=public');
    }
  });

  it('anon calling a function is refused', async () => {
    // Prepare
    const customer = await insertCustomer(db.pool);
    const [dir] = await insertDirectories(db.pool, 1);
    // Act
    const error = await pgError(
      rpc(db.pool, 'create_job', { p_customer_id: customer.id, p_directory_ids: [dir!.id] }, 'anon'),
    );
    // Assess
    expect(error.code).toBe('42501');
    const jobs = await db.pool.query('select count(*)::int as n from public.jobs where customer_id = $1', [
      customer.id,
    ]);
    expect(jobs.rows[0].n).toBe(0);
  });

  it('the roles the system uses have statement timeouts', async () => {
    // Act
    const result = await db.pool.query(
      `select r.rolname, s.setconfig
         from pg_db_role_setting s join pg_roles r on r.oid = s.setrole
        where r.rolname in ('service_role', 'authenticated', 'anon') and s.setdatabase = 0`,
    );
    // Assess
    const byRole = Object.fromEntries(result.rows.map((r) => [r.rolname, r.setconfig]));
    expect(byRole.service_role).toContain('statement_timeout=30s');
    expect(byRole.authenticated).toContain('statement_timeout=8s');
    expect(byRole.anon).toContain('statement_timeout=3s');
  });

  it('bootstrap provides Supabase-compatible auth helpers reading request.jwt.claims', async () => {
    // Prepare
    const client = await db.pool.connect();
    try {
      await client.query('begin');
      await client.query(
        `select set_config('request.jwt.claims', '{"sub":"7b0c0f52-4c6a-4a8e-9d7e-2f1f3c7a9b10","role":"authenticated"}', true)`,
      );
      // Act
      const result = await client.query(
        'select auth.uid() as uid, auth.role() as role, auth.jwt() ->> $1 as sub',
        ['sub'],
      );
      // Assess
      expect(result.rows[0]).toEqual({
        uid: '7b0c0f52-4c6a-4a8e-9d7e-2f1f3c7a9b10',
        role: 'authenticated',
        sub: '7b0c0f52-4c6a-4a8e-9d7e-2f1f3c7a9b10',
      });
    } finally {
      await client.query('rollback');
      client.release();
    }
  });
});
