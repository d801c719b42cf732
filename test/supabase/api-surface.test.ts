import { API_SURFACE } from '../../lambdas/platform/system-config';
import {
  createTestDatabase,
  insertCustomer,
  insertDirectories,
  pgError,
  rpc,
  tableCounts,
  type TestDatabase,
} from '../support/database';

/**
 * The API surface SQL functions (supabase/migrations/*_baseline_functions_api.sql) on a real Postgres: argument checks (22023 naming
 * the argument, P0002), conflicts (23505, 55006), privileges, the constants mirrored from
 * system-config.ts, and claim_task honouring a directory pause.
 */
let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

describe('constants mirrored from system-config.ts', () => {
  it('the page limit is API_SURFACE.page.max', async () => {
    await rpc(db.pool, 'list_directories', { p_limit: API_SURFACE.page.max });
    const error = await pgError(rpc(db.pool, 'list_directories', { p_limit: API_SURFACE.page.max + 1 }));
    expect(error.code).toBe('22023');
    expect(error.message).toMatch(/p_limit/);
  });

  it('a paused claim comes back after API_SURFACE.pauseRecheckSeconds (plus jitter)', async () => {
    const [directory] = await insertDirectories(db.pool, 1);
    const customer = await insertCustomer(db.pool);
    const job = await rpc(db.pool, 'create_job', {
      p_customer_id: customer.id,
      p_directory_ids: [directory!.id],
    });
    const task = (await db.pool.query('select id from job_results where job_id = $1', [job.job_id])).rows[0]
      .id;
    await rpc(db.pool, 'pause_processing', {
      p_scope: 'directory',
      p_priority: null,
      p_directory_id: directory!.id,
      p_reason: null,
      p_actor: 'admin:test',
    });
    const claim = await rpc(db.pool, 'claim_task', {
      p_task_id: task,
      p_worker_id: 'w',
      p_lease_seconds: 60,
    });
    // The message reached a worker, so the task was enqueued (claim_task records it); the pause keeps it there.
    expect(claim).toMatchObject({ claimed: false, reason: 'processing_paused', status: 'queued' });
    expect(claim.retry_after_seconds).toBeGreaterThanOrEqual(API_SURFACE.pauseRecheckSeconds);
    expect(claim.retry_after_seconds).toBeLessThan(API_SURFACE.pauseRecheckSeconds * 1.25);
    const row = (await db.pool.query('select attempt, status from job_results where id = $1', [task]))
      .rows[0];
    expect(row).toEqual({ attempt: 0, status: 'queued' });
  });
});

describe('argument checks and conflicts', () => {
  it('refuses bad arguments with 22023 naming them, unknown rows with P0002, and changes nothing', async () => {
    const before = await tableCounts(db.pool);
    const cases: [string, Record<string, unknown>, string, RegExp][] = [
      [
        'create_customer',
        { p_profile: { business_name: 'x', evil: '1' }, p_actor: 'a' },
        '22023',
        /p_profile\.evil/,
      ],
      ['create_customer', { p_profile: { business_name: 'x' }, p_actor: ' ' }, '22023', /p_actor/],
      [
        'update_customer',
        { p_customer_id: null, p_changes: { city: 'x' }, p_actor: 'a' },
        '22023',
        /p_customer_id/,
      ],
      [
        'update_customer',
        { p_customer_id: '00000000-0000-4000-8000-00000000dead', p_changes: { city: 'x' }, p_actor: 'a' },
        'P0002',
        /not found/,
      ],
      [
        'delete_customer',
        { p_customer_id: '00000000-0000-4000-8000-00000000dead', p_actor: 'a' },
        'P0002',
        /not found/,
      ],
      ['list_submissions', { p_status: 'done' }, '22023', /p_status/],
      [
        'list_submissions',
        { p_after_id: '00000000-0000-4000-8000-00000000dead' },
        '22023',
        /p_after_created_at/,
      ],
      [
        'pause_processing',
        { p_scope: 'galaxy', p_priority: null, p_directory_id: null, p_reason: null, p_actor: 'a' },
        '22023',
        /p_scope/,
      ],
      [
        'resume_processing',
        { p_scope: 'priority', p_priority: 'p7', p_directory_id: null, p_actor: 'a' },
        '22023',
        /p_priority/,
      ],
      [
        'set_directory_mapping',
        { p_directory_id: '00000000-0000-4000-8000-00000000dead', p_mapping: { fields: {} }, p_actor: 'a' },
        'P0002',
        /not found/,
      ],
      ['list_workers', { p_stale_seconds: 0 }, '22023', /p_stale_seconds/],
    ];
    for (const [fn, args, code, message] of cases) {
      const error = await pgError(rpc(db.pool, fn, args));
      expect([fn, error.code]).toEqual([fn, code]);
      expect(error.message).toMatch(message);
    }
    expect(await tableCounts(db.pool)).toEqual(before);
  });

  it('a duplicate slug or external_ref is 23505; deleting a busy customer is 55006', async () => {
    const [directory] = await insertDirectories(db.pool, 1);
    const dup = await pgError(
      rpc(db.pool, 'create_directory', {
        p_directory: { slug: directory!.slug, name: 'x', submission_url: 'https://x.example' },
        p_actor: 'a',
      }),
    );
    expect(dup.code).toBe('23505');
    const customer = await insertCustomer(db.pool);
    const again = await pgError(
      rpc(db.pool, 'create_customer', {
        p_profile: { business_name: 'x', external_ref: customer.external_ref },
        p_actor: 'a',
      }),
    );
    expect(again.code).toBe('23505');
    await rpc(db.pool, 'create_job', { p_customer_id: customer.id, p_directory_ids: [directory!.id] });
    const busy = await pgError(rpc(db.pool, 'delete_customer', { p_customer_id: customer.id, p_actor: 'a' }));
    expect(busy.code).toBe('55006');
  });
});

describe('privileges', () => {
  it.each(['anon', 'authenticated'] as const)('%s may execute none of the new functions', async (role) => {
    for (const fn of ['api_metrics', 'list_processing_pauses']) {
      const error = await pgError(rpc(db.pool, fn, {}, role));
      expect(error.code).toBe('42501');
    }
    const error = await pgError(rpc(db.pool, 'list_workers', { p_stale_seconds: 60 }, role));
    expect(error.code).toBe('42501');
  });
});
