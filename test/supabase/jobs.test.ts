/**
 * create_job, mark_tasks_enqueued and get_job against a real PostgreSQL.
 */
import { createHash } from 'node:crypto';
import {
  createTestDatabase,
  history,
  insertCustomer,
  insertDirectories,
  pgError,
  rpc,
  tableCounts,
  type TestDatabase,
} from '../support/database';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

const UNKNOWN = '3f2b8a6e-1d4c-4e8a-9b7f-0c1d2e3f4a5b';

describe('create_job', () => {
  it('creates the job and one pending task per directory in one call, with history', async () => {
    // Prepare
    const customer = await insertCustomer(db.pool, { tier: 'enterprise' });
    const dirs = await insertDirectories(db.pool, 3);
    const ids = dirs.map((d) => d.id);
    // Act
    const result = await rpc(db.pool, 'create_job', { p_customer_id: customer.id, p_directory_ids: ids });
    // Assess
    expect(Object.keys(result).sort()).toEqual(['created_at', 'job_id', 'priority', 'tasks']);
    expect(result.priority).toBe('p1');
    expect(new Date(result.created_at).getTime()).not.toBeNaN();
    expect(result.tasks.map((t: { directory_id: string }) => t.directory_id)).toEqual(ids);

    const job = (await db.pool.query('select * from public.jobs where id = $1', [result.job_id])).rows[0];
    expect(job).toMatchObject({
      customer_id: customer.id,
      status: 'pending',
      priority: 'p1',
      package_size: 3,
      tasks_total: 3,
      tasks_submitted: 0,
      tasks_failed: 0,
      version: 1,
      started_at: null,
      completed_at: null,
    });
    const tasks = (await db.pool.query('select * from public.job_results where job_id = $1', [result.job_id]))
      .rows;
    expect(tasks).toHaveLength(3);
    for (const t of tasks) {
      expect(t).toMatchObject({
        status: 'pending',
        attempt: 0,
        max_attempts: 3,
        // The first generation of each business listing (resubmit_listing makes the next).
        generation: 1,
        lease_owner: null,
      });
      expect(t.idempotency_key).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(new Set(tasks.map((t) => t.id))).toEqual(
      new Set(result.tasks.map((t: { task_id: string }) => t.task_id)),
    );

    const events = await history(db.pool, { jobId: result.job_id });
    expect(events.filter((e) => e.event === 'job_created')).toHaveLength(1);
    const created = events.filter((e) => e.event === 'task_created');
    expect(created).toHaveLength(3);
    expect(created.every((e) => e.to_status === 'pending' && e.task_id !== null)).toBe(true);
  });

  it('priority defaults from the tier, and an explicit priority wins', async () => {
    // Prepare
    const starter = await insertCustomer(db.pool, { tier: 'starter' });
    const pro = await insertCustomer(db.pool, { tier: 'pro' });
    const [dir] = await insertDirectories(db.pool, 1);
    // Act
    const a = await rpc(db.pool, 'create_job', { p_customer_id: starter.id, p_directory_ids: [dir!.id] });
    const b = await rpc(db.pool, 'create_job', { p_customer_id: pro.id, p_directory_ids: [dir!.id] });
    const c = await rpc(db.pool, 'create_job', {
      p_customer_id: starter.id,
      p_directory_ids: [dir!.id],
      p_priority: 'p1',
    });
    // Assess
    expect([a.priority, b.priority, c.priority]).toEqual(['p3', 'p2', 'p1']);
  });

  it('the idempotency key is SHA-256 over customer, directory and listing generation: changed facts are no new listing', async () => {
    // Prepare
    const customer = await insertCustomer(db.pool);
    const [dir] = await insertDirectories(db.pool, 1);
    // Act
    const job = await rpc(db.pool, 'create_job', { p_customer_id: customer.id, p_directory_ids: [dir!.id] });
    await db.pool.query(`update public.customers set phone = '+1 555 9999' where id = $1`, [customer.id]);
    const job2 = await rpc(db.pool, 'create_job', { p_customer_id: customer.id, p_directory_ids: [dir!.id] });
    // Assess: recompute the documented key independently
    const stored = (
      await db.pool.query('select idempotency_key from public.job_results where job_id = $1', [job.job_id])
    ).rows[0].idempotency_key;
    const canonical = (
      await db.pool.query(
        `select jsonb_build_object('customer_id', $1::uuid, 'directory_id', $2::uuid, 'generation', 1)::text as t`,
        [customer.id, dir!.id],
      )
    ).rows[0].t;
    expect(stored).toBe(createHash('sha256').update(canonical, 'utf8').digest('hex'));
    // The business changed its facts: resubmitting them is an explicit action (resubmit_listing).
    const second = (
      await db.pool.query('select idempotency_key, status from public.job_results where job_id = $1', [
        job2.job_id,
      ])
    ).rows[0];
    expect(second).toEqual({ idempotency_key: stored, status: 'already_listed' });
  });

  describe('validation (22023 naming the argument, nothing written)', () => {
    let customerId: string;
    let active: string[];
    let inactiveId: string;
    beforeAll(async () => {
      customerId = (await insertCustomer(db.pool)).id;
      active = (await insertDirectories(db.pool, 2)).map((d) => d.id);
      inactiveId = (await insertDirectories(db.pool, 1, { active: false }))[0]!.id;
    });

    it.each([
      ['null customer', () => ({ p_customer_id: null, p_directory_ids: active }), 'p_customer_id'],
      [
        'null directory list',
        () => ({ p_customer_id: customerId, p_directory_ids: null }),
        'p_directory_ids',
      ],
      ['empty directory list', () => ({ p_customer_id: customerId, p_directory_ids: [] }), 'p_directory_ids'],
      [
        'null element',
        () => ({ p_customer_id: customerId, p_directory_ids: [active[0], null] }),
        'p_directory_ids',
      ],
      [
        'duplicates',
        () => ({ p_customer_id: customerId, p_directory_ids: [active[0], active[1], active[0]] }),
        'p_directory_ids contains duplicate ids',
      ],
      [
        'inactive directory',
        () => ({ p_customer_id: customerId, p_directory_ids: [active[0], inactiveId] }),
        'p_directory_ids contains inactive directories',
      ],
      [
        'unknown priority',
        () => ({ p_customer_id: customerId, p_directory_ids: active, p_priority: 'urgent' }),
        'p_priority',
      ],
      [
        'empty priority',
        () => ({ p_customer_id: customerId, p_directory_ids: active, p_priority: '' }),
        'p_priority',
      ],
    ])('%s', async (_name, args, expected) => {
      // Prepare
      const before = await tableCounts(db.pool);
      // Act
      const error = await pgError(rpc(db.pool, 'create_job', args()));
      // Assess
      expect(error.code).toBe('22023');
      expect(error.message).toContain(expected);
      expect(await tableCounts(db.pool)).toEqual(before);
    });

    it('unknown customer is P0002', async () => {
      // Prepare
      const before = await tableCounts(db.pool);
      // Act
      const error = await pgError(
        rpc(db.pool, 'create_job', { p_customer_id: UNKNOWN, p_directory_ids: active }),
      );
      // Assess
      expect(error.code).toBe('P0002');
      expect(error.message).toBe(`customer ${UNKNOWN} not found`);
      expect(await tableCounts(db.pool)).toEqual(before);
    });

    it('unknown directory is P0002 naming it', async () => {
      // Prepare
      const before = await tableCounts(db.pool);
      // Act
      const error = await pgError(
        rpc(db.pool, 'create_job', { p_customer_id: customerId, p_directory_ids: [active[0], UNKNOWN] }),
      );
      // Assess
      expect(error.code).toBe('P0002');
      expect(error.message).toContain('p_directory_ids');
      expect(error.message).toContain(UNKNOWN);
      expect(await tableCounts(db.pool)).toEqual(before);
    });
  });
});

describe('mark_tasks_enqueued', () => {
  it('moves pending tasks to queued, leaves others alone, and writes history for each change', async () => {
    // Prepare
    const customer = await insertCustomer(db.pool);
    const dirs = await insertDirectories(db.pool, 3);
    const job = await rpc(db.pool, 'create_job', {
      p_customer_id: customer.id,
      p_directory_ids: dirs.map((d) => d.id),
    });
    const [t1, t2, t3] = job.tasks.map((t: { task_id: string }) => t.task_id);
    await rpc(db.pool, 'mark_tasks_enqueued', { p_task_ids: [t1] });
    await rpc(db.pool, 'claim_task', { p_task_id: t1, p_worker_id: 'w1', p_lease_seconds: 60 });
    // Act: t1 is in_progress, t2/t3 pending, plus an unknown id
    const result = await rpc(db.pool, 'mark_tasks_enqueued', { p_task_ids: [t1, t2, t3, UNKNOWN] });
    const again = await rpc(db.pool, 'mark_tasks_enqueued', { p_task_ids: [t2, t3] });
    // Assess
    expect(result).toEqual({ enqueued: 2 });
    expect(again).toEqual({ enqueued: 0 });
    const statuses = (
      await db.pool.query('select id, status, queued_at from public.job_results where job_id = $1', [
        job.job_id,
      ])
    ).rows;
    const byId = Object.fromEntries(statuses.map((r) => [r.id, r]));
    expect(byId[t1].status).toBe('in_progress');
    expect(byId[t2].status).toBe('queued');
    expect(byId[t3].status).toBe('queued');
    expect(byId[t2].queued_at).not.toBeNull();
    const enqueued = (await history(db.pool, { jobId: job.job_id })).filter((e) => e.event === 'enqueued');
    expect(enqueued.map((e) => e.task_id).sort()).toEqual([t1, t2, t3].sort());
    expect(enqueued.every((e) => e.from_status === 'pending' && e.to_status === 'queued')).toBe(true);
  });

  it.each([
    ['null', null],
    ['empty', []],
    ['null element', [UNKNOWN, null]],
  ])('rejects a %s list (22023, p_task_ids)', async (_name, ids) => {
    // Prepare
    const before = await tableCounts(db.pool);
    // Act
    const error = await pgError(rpc(db.pool, 'mark_tasks_enqueued', { p_task_ids: ids }));
    // Assess
    expect(error.code).toBe('22023');
    expect(error.message).toContain('p_task_ids');
    expect(await tableCounts(db.pool)).toEqual(before);
  });
});

describe('get_job', () => {
  it('returns null for an unknown job and 22023 for a null id', async () => {
    // Act
    const missing = await rpc(db.pool, 'get_job', { p_job_id: UNKNOWN });
    const error = await pgError(rpc(db.pool, 'get_job', { p_job_id: null }));
    // Assess
    expect(missing).toBeNull();
    expect(error.code).toBe('22023');
    expect(error.message).toContain('p_job_id');
  });

  it('returns the job, live counters and every result', async () => {
    // Prepare
    const customer = await insertCustomer(db.pool);
    const dirs = await insertDirectories(db.pool, 3);
    const job = await rpc(db.pool, 'create_job', {
      p_customer_id: customer.id,
      p_directory_ids: dirs.map((d) => d.id),
    });
    const [t1, t2] = job.tasks.map((t: { task_id: string }) => t.task_id);
    await rpc(db.pool, 'mark_tasks_enqueued', { p_task_ids: [t1, t2] });
    const claim = await rpc(db.pool, 'claim_task', { p_task_id: t1, p_worker_id: 'w1', p_lease_seconds: 60 });
    await rpc(db.pool, 'complete_task', {
      p_task_id: t1,
      p_worker_id: 'w1',
      p_attempt: claim.task.attempt,
      p_outcome: 'submitted',
      p_details: { screenshot_key: 'shots/t1.png', listing_url: 'https://dir.example/listing/1' },
    });
    // Act
    const result = await rpc(db.pool, 'get_job', { p_job_id: job.job_id });
    // Assess
    expect(Object.keys(result).sort()).toEqual([
      'completed_at',
      'counters',
      'created_at',
      'customer_id',
      'job_id',
      'package_size',
      'priority',
      'results',
      'started_at',
      'status',
      'updated_at',
      'version',
    ]);
    expect(result).toMatchObject({
      job_id: job.job_id,
      customer_id: customer.id,
      status: 'in_progress',
      priority: 'p2',
      version: 2,
      package_size: 3,
      completed_at: null,
      counters: {
        total: 3,
        pending: 1,
        queued: 1,
        in_progress: 0,
        submitted: 1,
        needs_manual: 0,
        failed: 0,
        dead_lettered: 0,
      },
    });
    expect(result.started_at).not.toBeNull();
    expect(result.results).toHaveLength(3);
    const submitted = result.results.find((r: { task_id: string }) => r.task_id === t1);
    expect(submitted).toEqual({
      task_id: t1,
      directory: { id: dirs[0]!.id, slug: dirs[0]!.slug, name: dirs[0]!.name },
      status: 'submitted',
      attempt: 1,
      generation: 1,
      screenshot_key: 'shots/t1.png',
      listing_url: 'https://dir.example/listing/1',
      last_error: null,
      error_class: null,
      completed_at: expect.any(String),
    });
  });
});
