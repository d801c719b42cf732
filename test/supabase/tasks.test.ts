/**
 * The task state machine: claim (atomic, leased, fenced), heartbeat, mark_submitting, complete_task,
 * fail_task, job counters and completion, against a real PostgreSQL.
 */
import {
  createTestDatabase,
  history,
  insertCustomer,
  insertDirectories,
  json,
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

/** A job with `n` queued tasks. */
async function queuedJob(n = 1, customerOverrides: Record<string, unknown> = {}) {
  const customer = await insertCustomer(db.pool, customerOverrides);
  const dirs = await insertDirectories(db.pool, n);
  const job = await rpc(db.pool, 'create_job', {
    p_customer_id: customer.id,
    p_directory_ids: dirs.map((d) => d.id),
  });
  const taskIds: string[] = job.tasks.map((t: { task_id: string }) => t.task_id);
  await rpc(db.pool, 'mark_tasks_enqueued', { p_task_ids: taskIds });
  return { customer, dirs, jobId: job.job_id as string, taskIds };
}

async function claim(taskId: string, worker: string, leaseSeconds = 60) {
  return rpc(db.pool, 'claim_task', {
    p_task_id: taskId,
    p_worker_id: worker,
    p_lease_seconds: leaseSeconds,
  });
}

async function task(taskId: string) {
  return (await db.pool.query('select * from public.job_results where id = $1', [taskId])).rows[0];
}

async function job(jobId: string) {
  return (await db.pool.query('select * from public.jobs where id = $1', [jobId])).rows[0];
}

/** Makes a lease look expired (as if the worker died long ago). */
async function expireLease(taskId: string) {
  await db.pool.query(
    `update public.job_results set lease_expires_at = now() - interval '1 second' where id = $1`,
    [taskId],
  );
}

describe('claim_task', () => {
  it('claims a queued task: lease, attempt 1, job in_progress, full payload, history', async () => {
    // Prepare
    const { customer, dirs, jobId, taskIds } = await queuedJob(1);
    // Act
    const result = await claim(taskIds[0]!, 'worker-a', 120);
    // Assess
    expect(result.claimed).toBe(true);
    expect(result.task).toMatchObject({
      task_id: taskIds[0],
      job_id: jobId,
      attempt: 1,
      idempotency_key: expect.stringMatching(/^[0-9a-f]{64}$/),
      directory: {
        id: dirs[0]!.id,
        slug: dirs[0]!.slug,
        name: dirs[0]!.name,
        submission_url: dirs[0]!.submission_url,
        field_mapping: null,
      },
      customer: {
        id: customer.id,
        business_name: customer.business_name,
        email: customer.email,
        phone: customer.phone,
        website: customer.website,
        address_line: customer.address_line,
        city: customer.city,
        region: customer.region,
        postal_code: customer.postal_code,
        country: customer.country,
        category: customer.category,
        description: customer.description,
      },
    });
    const leaseMs = new Date(result.task.lease_expires_at).getTime() - Date.now();
    expect(leaseMs).toBeGreaterThan(100_000);
    expect(leaseMs).toBeLessThanOrEqual(121_000);

    const row = await task(taskIds[0]!);
    expect(row).toMatchObject({ status: 'in_progress', attempt: 1, lease_owner: 'worker-a' });
    expect(row.started_at).not.toBeNull();
    const j = await job(jobId);
    expect(j).toMatchObject({ status: 'in_progress', version: 2 });
    expect(j.started_at).not.toBeNull();

    const events = await history(db.pool, { jobId });
    expect(events.map((e) => e.event)).toEqual([
      'job_created',
      'task_created',
      'enqueued',
      'claimed',
      'job_started',
    ]);
    expect(events[3]).toMatchObject({
      from_status: 'queued',
      to_status: 'in_progress',
      attempt: 1,
      worker_id: 'worker-a',
    });
  });

  it('claims a pending task too (the outbox may not have marked it yet)', async () => {
    // Prepare
    const customer = await insertCustomer(db.pool);
    const [dir] = await insertDirectories(db.pool, 1);
    const created = await rpc(db.pool, 'create_job', {
      p_customer_id: customer.id,
      p_directory_ids: [dir!.id],
    });
    // Act
    const result = await claim(created.tasks[0].task_id, 'worker-a');
    // Assess
    expect(result.claimed).toBe(true);
    expect((await task(created.tasks[0].task_id)).status).toBe('in_progress');
  });

  it('two workers racing for one task: exactly one wins', async () => {
    // Prepare: run the claims on two connections, each holding its transaction open
    const { taskIds } = await queuedJob(1);
    const a = await db.pool.connect();
    const b = await db.pool.connect();
    try {
      await a.query('begin');
      await b.query('begin');
      await a.query('set local role service_role');
      await b.query('set local role service_role');
      // Act: both claims are in flight at once; b blocks on a's row lock until a commits
      const claimA = a.query(`select public.claim_task($1, 'racer-a', 60) as r`, [taskIds[0]]);
      const claimB = b.query(`select public.claim_task($1, 'racer-b', 60) as r`, [taskIds[0]]);
      const firstDone = await Promise.race([claimA.then(() => 'a'), claimB.then(() => 'b')]);
      const winnerConn = firstDone === 'a' ? a : b;
      await winnerConn.query('commit');
      const [ra, rb] = await Promise.all([claimA, claimB]);
      await (firstDone === 'a' ? b : a).query('commit');
      // Assess
      const results = [ra.rows[0].r, rb.rows[0].r];
      expect(results.filter((r) => r.claimed === true)).toHaveLength(1);
      const loser = results.find((r) => r.claimed === false);
      expect(loser).toMatchObject({ claimed: false, reason: 'leased', status: 'in_progress' });
      const row = await task(taskIds[0]!);
      expect(row.attempt).toBe(1);
      expect(row.lease_owner).toBe(firstDone === 'a' ? 'racer-a' : 'racer-b');
      const claims = (await history(db.pool, { taskId: taskIds[0] })).filter((e) => e.event === 'claimed');
      expect(claims).toHaveLength(1);
    } finally {
      a.release();
      b.release();
    }
  });

  it('many concurrent claims through separate transactions: one winner', async () => {
    // Prepare
    const { taskIds } = await queuedJob(1);
    // Act
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => claim(taskIds[0]!, `swarm-${i}`)));
    // Assess
    expect(results.filter((r) => r.claimed)).toHaveLength(1);
    expect(results.filter((r) => !r.claimed).every((r) => r.reason === 'leased')).toBe(true);
    expect((await task(taskIds[0]!)).attempt).toBe(1);
  });

  it('reports not_found, finished and leased without changing anything', async () => {
    // Prepare
    const { taskIds } = await queuedJob(2);
    const c = await claim(taskIds[0]!, 'w1');
    await rpc(db.pool, 'complete_task', {
      p_task_id: taskIds[0],
      p_worker_id: 'w1',
      p_attempt: c.task.attempt,
      p_outcome: 'submitted',
    });
    await claim(taskIds[1]!, 'w1');
    const before = await tableCounts(db.pool);
    // Act
    const notFound = await claim(UNKNOWN, 'w2');
    const finished = await claim(taskIds[0]!, 'w2');
    const leased = await claim(taskIds[1]!, 'w2');
    // Assess
    expect(notFound).toEqual({ claimed: false, reason: 'not_found', status: null });
    expect(finished).toEqual({ claimed: false, reason: 'finished', status: 'submitted' });
    expect(leased).toMatchObject({ claimed: false, reason: 'leased', status: 'in_progress' });
    expect(await tableCounts(db.pool)).toEqual(before);
    expect((await task(taskIds[1]!)).lease_owner).toBe('w1');
  });

  it('takes over an expired lease: attempt +1, new owner, lease_taken_over in history', async () => {
    // Prepare
    const { jobId, taskIds } = await queuedJob(1);
    await claim(taskIds[0]!, 'dead-worker');
    await expireLease(taskIds[0]!);
    // Act
    const result = await claim(taskIds[0]!, 'rescuer');
    // Assess
    expect(result.claimed).toBe(true);
    expect(result.task.attempt).toBe(2);
    expect(await task(taskIds[0]!)).toMatchObject({
      lease_owner: 'rescuer',
      attempt: 2,
      status: 'in_progress',
    });
    const events = (await history(db.pool, { taskId: taskIds[0] })).map((e) => e.event);
    expect(events.slice(-2)).toEqual(['lease_taken_over', 'claimed']);
    const takeover = (await history(db.pool, { taskId: taskIds[0] })).find(
      (e) => e.event === 'lease_taken_over',
    );
    expect(takeover!.details).toMatchObject({ previous_owner: 'dead-worker', previous_attempt: 1 });
    // the job stays in_progress and is not "started" twice
    expect((await history(db.pool, { jobId })).filter((e) => e.event === 'job_started')).toHaveLength(1);
  });

  it('does not hand out a task whose earlier attempt started submitting: needs_verification', async () => {
    // Prepare
    const { taskIds } = await queuedJob(1);
    const c = await claim(taskIds[0]!, 'w1');
    await rpc(db.pool, 'mark_submitting', {
      p_task_id: taskIds[0],
      p_worker_id: 'w1',
      p_attempt: c.task.attempt,
    });
    await expireLease(taskIds[0]!);
    const before = await tableCounts(db.pool);
    // Act
    const result = await claim(taskIds[0]!, 'w2');
    // Assess
    expect(result).toMatchObject({ claimed: false, reason: 'needs_verification', status: 'in_progress' });
    expect(await task(taskIds[0]!)).toMatchObject({ attempt: 1, lease_owner: 'w1' });
    expect(await tableCounts(db.pool)).toEqual(before);
  });

  it('does not spend the retry budget on attempts whose workers died: they count as infrastructure attempts', async () => {
    // Prepare: three claims whose workers all died (the whole retry budget, under the old rule)
    const { jobId, taskIds } = await queuedJob(1);
    for (const w of ['w1', 'w2', 'w3']) {
      const c = await claim(taskIds[0]!, w);
      expect(c.claimed).toBe(true);
      await expireLease(taskIds[0]!);
    }
    // Act
    const result = await claim(taskIds[0]!, 'w4');
    // Assess: claimed again; the directory has answered none of the four attempts
    expect(result.claimed).toBe(true);
    expect(await task(taskIds[0]!)).toMatchObject({
      status: 'in_progress',
      attempt: 4,
      infrastructure_attempts: 3,
      max_attempts: 3,
    });
    expect(await job(jobId)).toMatchObject({ status: 'in_progress', tasks_failed: 0 });
    const events = (await history(db.pool, { jobId })).map((e) => e.event);
    expect(events).not.toContain('task_failed');
  });

  it.each([
    ['p_task_id', { p_task_id: null, p_worker_id: 'w', p_lease_seconds: 60 }],
    ['p_worker_id', { p_task_id: UNKNOWN, p_worker_id: null, p_lease_seconds: 60 }],
    ['p_worker_id', { p_task_id: UNKNOWN, p_worker_id: '   ', p_lease_seconds: 60 }],
    ['p_worker_id', { p_task_id: UNKNOWN, p_worker_id: 'x'.repeat(201), p_lease_seconds: 60 }],
    ['p_lease_seconds', { p_task_id: UNKNOWN, p_worker_id: 'w', p_lease_seconds: null }],
    ['p_lease_seconds', { p_task_id: UNKNOWN, p_worker_id: 'w', p_lease_seconds: 0 }],
    ['p_lease_seconds', { p_task_id: UNKNOWN, p_worker_id: 'w', p_lease_seconds: 3601 }],
  ])('rejects a bad %s (22023)', async (name, args) => {
    // Prepare
    const before = await tableCounts(db.pool);
    // Act
    const error = await pgError(rpc(db.pool, 'claim_task', args));
    // Assess
    expect(error.code).toBe('22023');
    expect(error.message).toContain(name);
    expect(await tableCounts(db.pool)).toEqual(before);
  });
});

describe('heartbeat_task', () => {
  it('extends the lease for the holder only', async () => {
    // Prepare
    const { taskIds } = await queuedJob(1);
    const c = await claim(taskIds[0]!, 'w1', 30);
    const before = new Date((await task(taskIds[0]!)).lease_expires_at).getTime();
    // Act
    const ok = await rpc(db.pool, 'heartbeat_task', {
      p_task_id: taskIds[0],
      p_worker_id: 'w1',
      p_attempt: c.task.attempt,
      p_lease_seconds: 600,
    });
    const wrongWorker = await rpc(db.pool, 'heartbeat_task', {
      p_task_id: taskIds[0],
      p_worker_id: 'w2',
      p_attempt: c.task.attempt,
      p_lease_seconds: 600,
    });
    const wrongAttempt = await rpc(db.pool, 'heartbeat_task', {
      p_task_id: taskIds[0],
      p_worker_id: 'w1',
      p_attempt: c.task.attempt + 1,
      p_lease_seconds: 600,
    });
    // Assess
    expect(ok.ok).toBe(true);
    expect(wrongWorker).toMatchObject({ ok: false, reason: 'lease_lost' });
    expect(wrongAttempt).toMatchObject({ ok: false, reason: 'lease_lost' });
    const after = new Date((await task(taskIds[0]!)).lease_expires_at).getTime();
    expect(after - before).toBeGreaterThan(500_000);
  });

  it('unknown task is P0002; bad arguments are 22023 naming them', async () => {
    // Act
    const missing = await pgError(
      rpc(db.pool, 'heartbeat_task', {
        p_task_id: UNKNOWN,
        p_worker_id: 'w',
        p_attempt: 1,
        p_lease_seconds: 60,
      }),
    );
    const badAttempt = await pgError(
      rpc(db.pool, 'heartbeat_task', {
        p_task_id: UNKNOWN,
        p_worker_id: 'w',
        p_attempt: 0,
        p_lease_seconds: 60,
      }),
    );
    const badLease = await pgError(
      rpc(db.pool, 'heartbeat_task', {
        p_task_id: UNKNOWN,
        p_worker_id: 'w',
        p_attempt: 1,
        p_lease_seconds: -5,
      }),
    );
    // Assess
    expect(missing.code).toBe('P0002');
    expect(missing.message).toContain(UNKNOWN);
    expect([badAttempt.code, badLease.code]).toEqual(['22023', '22023']);
    expect(badAttempt.message).toContain('p_attempt');
    expect(badLease.message).toContain('p_lease_seconds');
  });
});

describe('mark_submitting', () => {
  it('records the marker and a submitting history row, fenced', async () => {
    // Prepare
    const { taskIds } = await queuedJob(1);
    const c = await claim(taskIds[0]!, 'w1');
    // Act
    const stranger = await rpc(db.pool, 'mark_submitting', {
      p_task_id: taskIds[0],
      p_worker_id: 'w2',
      p_attempt: c.task.attempt,
    });
    const ok = await rpc(db.pool, 'mark_submitting', {
      p_task_id: taskIds[0],
      p_worker_id: 'w1',
      p_attempt: c.task.attempt,
    });
    // Assess
    expect(stranger).toMatchObject({ ok: false, reason: 'lease_lost' });
    expect(ok.ok).toBe(true);
    expect((await task(taskIds[0]!)).submit_started_at).not.toBeNull();
    const events = (await history(db.pool, { taskId: taskIds[0] })).filter((e) => e.event === 'submitting');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ attempt: 1, worker_id: 'w1' });
  });

  it('bad arguments are 22023 naming them, unknown task P0002', async () => {
    // Act
    const noWorker = await pgError(
      rpc(db.pool, 'mark_submitting', { p_task_id: UNKNOWN, p_worker_id: '', p_attempt: 1 }),
    );
    const noAttempt = await pgError(
      rpc(db.pool, 'mark_submitting', { p_task_id: UNKNOWN, p_worker_id: 'w', p_attempt: null }),
    );
    const missing = await pgError(
      rpc(db.pool, 'mark_submitting', { p_task_id: UNKNOWN, p_worker_id: 'w', p_attempt: 1 }),
    );
    // Assess
    expect([noWorker.code, noAttempt.code, missing.code]).toEqual(['22023', '22023', 'P0002']);
    expect(noWorker.message).toContain('p_worker_id');
    expect(noAttempt.message).toContain('p_attempt');
  });
});

describe('complete_task', () => {
  it('records the outcome once, updates counters and history', async () => {
    // Prepare
    const { jobId, taskIds } = await queuedJob(2);
    const c = await claim(taskIds[0]!, 'w1');
    // Act
    const result = await rpc(db.pool, 'complete_task', {
      p_task_id: taskIds[0],
      p_worker_id: 'w1',
      p_attempt: c.task.attempt,
      p_outcome: 'submitted',
      p_details: { screenshot_key: 'screens/a.png', listing_url: 'https://dir.example/l/1', message: 'ok' },
    });
    // Assess
    expect(result).toEqual({ recorded: true, status: 'submitted', job_status: 'in_progress' });
    expect(await task(taskIds[0]!)).toMatchObject({
      status: 'submitted',
      screenshot_key: 'screens/a.png',
      listing_url: 'https://dir.example/l/1',
      lease_expires_at: null,
      last_error: null,
    });
    expect(await job(jobId)).toMatchObject({
      tasks_submitted: 1,
      tasks_total: 2,
      status: 'in_progress',
      completed_at: null,
    });
    const events = (await history(db.pool, { taskId: taskIds[0] })).filter(
      (e) => e.event === 'task_submitted',
    );
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      from_status: 'in_progress',
      to_status: 'submitted',
      attempt: 1,
      worker_id: 'w1',
    });
  });

  it('a duplicate complete_task changes nothing and says finished', async () => {
    // Prepare
    const { jobId, taskIds } = await queuedJob(2);
    const c = await claim(taskIds[0]!, 'w1');
    const args = {
      p_task_id: taskIds[0],
      p_worker_id: 'w1',
      p_attempt: c.task.attempt,
      p_outcome: 'submitted',
    };
    await rpc(db.pool, 'complete_task', args);
    const before = {
      counts: await tableCounts(db.pool),
      job: await job(jobId),
      task: await task(taskIds[0]!),
    };
    // Act
    const again = await rpc(db.pool, 'complete_task', args);
    const different = await rpc(db.pool, 'complete_task', { ...args, p_outcome: 'failed' });
    // Assess
    expect(again).toEqual({ recorded: false, reason: 'finished', job_status: 'in_progress' });
    expect(different).toEqual({ recorded: false, reason: 'finished', job_status: 'in_progress' });
    expect(await tableCounts(db.pool)).toEqual(before.counts);
    expect(await job(jobId)).toEqual(before.job);
    expect(await task(taskIds[0]!)).toEqual(before.task);
  });

  it('a worker whose expired lease was taken over cannot complete, fail or heartbeat', async () => {
    // Prepare
    const { jobId, taskIds } = await queuedJob(1);
    const old = await claim(taskIds[0]!, 'slow-worker');
    await expireLease(taskIds[0]!);
    const fresh = await claim(taskIds[0]!, 'new-worker');
    const before = {
      counts: await tableCounts(db.pool),
      job: await job(jobId),
      task: await task(taskIds[0]!),
    };
    // Act
    const completed = await rpc(db.pool, 'complete_task', {
      p_task_id: taskIds[0],
      p_worker_id: 'slow-worker',
      p_attempt: old.task.attempt,
      p_outcome: 'submitted',
    });
    const failed = await rpc(db.pool, 'fail_task', {
      p_task_id: taskIds[0],
      p_worker_id: 'slow-worker',
      p_attempt: old.task.attempt,
      p_error_class: 'transient',
      p_error: 'timeout',
      p_retry_delay_seconds: 10,
    });
    const beat = await rpc(db.pool, 'heartbeat_task', {
      p_task_id: taskIds[0],
      p_worker_id: 'slow-worker',
      p_attempt: old.task.attempt,
      p_lease_seconds: 60,
    });
    const submitting = await rpc(db.pool, 'mark_submitting', {
      p_task_id: taskIds[0],
      p_worker_id: 'slow-worker',
      p_attempt: old.task.attempt,
    });
    // Assess
    expect(completed).toMatchObject({ recorded: false, reason: 'lease_lost' });
    expect(failed).toMatchObject({ recorded: false, reason: 'lease_lost', status: 'in_progress' });
    expect(beat).toMatchObject({ ok: false });
    expect(submitting).toMatchObject({ ok: false });
    expect(await tableCounts(db.pool)).toEqual(before.counts);
    expect(await job(jobId)).toEqual(before.job);
    expect(await task(taskIds[0]!)).toEqual(before.task);
    // ...while the new holder still can
    const ok = await rpc(db.pool, 'complete_task', {
      p_task_id: taskIds[0],
      p_worker_id: 'new-worker',
      p_attempt: fresh.task.attempt,
      p_outcome: 'needs_manual',
      p_details: { message: 'captcha', error_class: 'captcha' },
    });
    expect(ok).toEqual({ recorded: true, status: 'needs_manual', job_status: 'completed' });
  });

  it('the last terminal task completes the job (submitted/needs_manual) with counters, version and history', async () => {
    // Prepare
    const { jobId, taskIds } = await queuedJob(3);
    const versionBefore = (await job(jobId)).version;
    const outcomes = ['submitted', 'needs_manual', 'failed'] as const;
    const results = [];
    // Act
    for (let i = 0; i < 3; i++) {
      const c = await claim(taskIds[i]!, `w${i}`);
      results.push(
        await rpc(db.pool, 'complete_task', {
          p_task_id: taskIds[i],
          p_worker_id: `w${i}`,
          p_attempt: c.task.attempt,
          p_outcome: outcomes[i],
        }),
      );
    }
    // Assess
    expect(results.map((r) => r.job_status)).toEqual(['in_progress', 'in_progress', 'completed']);
    const j = await job(jobId);
    expect(j).toMatchObject({
      status: 'completed',
      tasks_total: 3,
      tasks_submitted: 1,
      tasks_needs_manual: 1,
      tasks_failed: 1,
      tasks_dead_lettered: 0,
      version: versionBefore + 2, // pending -> in_progress, in_progress -> completed
    });
    expect(j.completed_at).not.toBeNull();
    const events = (await history(db.pool, { jobId })).filter((e) => e.task_id === null).map((e) => e.event);
    expect(events).toEqual(['job_created', 'job_started', 'job_completed']);
    expect((await task(taskIds[2]!)).error_class).toBe('permanent');
  });

  it('a job whose every task failed ends failed', async () => {
    // Prepare
    const { jobId, taskIds } = await queuedJob(2);
    // Act
    for (const id of taskIds) {
      const c = await claim(id, 'w');
      await rpc(db.pool, 'complete_task', {
        p_task_id: id,
        p_worker_id: 'w',
        p_attempt: c.task.attempt,
        p_outcome: 'failed',
        p_details: { message: 'form gone' },
      });
    }
    // Assess
    expect(await job(jobId)).toMatchObject({ status: 'failed', tasks_failed: 2 });
    expect((await history(db.pool, { jobId })).at(-1)!.event).toBe('job_failed');
  });

  it('concurrent completions of the last tasks finish the job exactly once', async () => {
    // Prepare
    const { jobId, taskIds } = await queuedJob(6);
    const claims = await Promise.all(taskIds.map((id, i) => claim(id, `w${i}`)));
    // Act
    const results = await Promise.all(
      taskIds.map((id, i) =>
        rpc(db.pool, 'complete_task', {
          p_task_id: id,
          p_worker_id: `w${i}`,
          p_attempt: claims[i].task.attempt,
          p_outcome: 'submitted',
        }),
      ),
    );
    // Assess
    expect(results.every((r) => r.recorded)).toBe(true);
    expect(results.filter((r) => r.job_status === 'completed').length).toBeGreaterThanOrEqual(1);
    expect(await job(jobId)).toMatchObject({ status: 'completed', tasks_submitted: 6 });
    expect((await history(db.pool, { jobId })).filter((e) => e.event === 'job_completed')).toHaveLength(1);
  });

  it.each([
    ['p_outcome', { p_outcome: 'done' }],
    ['p_outcome', { p_outcome: null }],
    ['p_details', { p_details: json(['not', 'an', 'object']) }],
    ['p_details.listing_url', { p_details: { listing_url: 'javascript:alert(1)' } }],
    ['p_details.screenshot_key', { p_details: { screenshot_key: 42 } }],
    ['p_attempt', { p_attempt: -1 }],
    ['p_worker_id', { p_worker_id: null }],
    ['p_task_id', { p_task_id: null }],
  ])('rejects a bad %s (22023, nothing written)', async (name, override) => {
    // Prepare
    const { taskIds } = await queuedJob(1);
    const c = await claim(taskIds[0]!, 'w1');
    const before = { counts: await tableCounts(db.pool), task: await task(taskIds[0]!) };
    const args = {
      p_task_id: taskIds[0],
      p_worker_id: 'w1',
      p_attempt: c.task.attempt,
      p_outcome: 'submitted',
      ...override,
    };
    // Act
    const error = await pgError(rpc(db.pool, 'complete_task', args));
    // Assess
    expect(error.code).toBe('22023');
    expect(error.message).toContain(name);
    expect(await tableCounts(db.pool)).toEqual(before.counts);
    expect(await task(taskIds[0]!)).toEqual(before.task);
  });

  it('unknown task is P0002', async () => {
    // Act
    const error = await pgError(
      rpc(db.pool, 'complete_task', {
        p_task_id: UNKNOWN,
        p_worker_id: 'w',
        p_attempt: 1,
        p_outcome: 'submitted',
      }),
    );
    // Assess
    expect(error.code).toBe('P0002');
  });
});

describe('fail_task', () => {
  it('a transient error with attempts left goes back to queued with a delay and a retry_scheduled row', async () => {
    // Prepare
    const { jobId, taskIds } = await queuedJob(1);
    const c = await claim(taskIds[0]!, 'w1');
    // Act
    const result = await rpc(db.pool, 'fail_task', {
      p_task_id: taskIds[0],
      p_worker_id: 'w1',
      p_attempt: c.task.attempt,
      p_error_class: 'transient',
      p_error: 'navigation timeout',
      p_retry_delay_seconds: 45,
    });
    // Assess
    expect(result).toMatchObject({ recorded: true, status: 'queued', attempts_left: 2 });
    const row = await task(taskIds[0]!);
    expect(row).toMatchObject({
      status: 'queued',
      lease_owner: null,
      lease_expires_at: null,
      last_error: 'navigation timeout',
      error_class: 'transient',
      attempt: 1,
    });
    const delayMs = new Date(row.next_attempt_at).getTime() - Date.now();
    expect(delayMs).toBeGreaterThan(30_000);
    expect(delayMs).toBeLessThanOrEqual(46_000);
    const retry = (await history(db.pool, { taskId: taskIds[0] })).find((e) => e.event === 'retry_scheduled');
    expect(retry).toMatchObject({
      from_status: 'in_progress',
      to_status: 'queued',
      attempt: 1,
      worker_id: 'w1',
    });
    expect(retry!.details).toMatchObject({ error_class: 'transient', attempt: 1, delay_seconds: 45 });
    expect((await job(jobId)).status).toBe('in_progress');
    // the next claim is attempt 2
    const next = await claim(taskIds[0]!, 'w2');
    expect(next.task.attempt).toBe(2);
  });

  it('rate_limited errors retry too; the last attempt fails for good and finishes the job', async () => {
    // Prepare
    const { jobId, taskIds } = await queuedJob(1);
    const results = [];
    // Act
    for (let i = 0; i < 3; i++) {
      const c = await claim(taskIds[0]!, `w${i}`);
      results.push(
        await rpc(db.pool, 'fail_task', {
          p_task_id: taskIds[0],
          p_worker_id: `w${i}`,
          p_attempt: c.task.attempt,
          p_error_class: 'rate_limited',
          p_error: 'HTTP 429',
          p_retry_delay_seconds: 0,
        }),
      );
    }
    // Assess
    expect(results.map((r) => [r.status, r.attempts_left])).toEqual([
      ['queued', 2],
      ['queued', 1],
      ['failed', 0],
    ]);
    expect(await task(taskIds[0]!)).toMatchObject({
      status: 'failed',
      attempt: 3,
      error_class: 'rate_limited',
    });
    expect(await job(jobId)).toMatchObject({ status: 'failed', tasks_failed: 1 });
    const events = (await history(db.pool, { jobId })).map((e) => e.event);
    expect(events.filter((e) => e === 'retry_scheduled')).toHaveLength(2);
    expect(events.slice(-2)).toEqual(['task_failed', 'job_failed']);
  });

  it('a permanent error fails at once', async () => {
    // Prepare
    const { jobId, taskIds } = await queuedJob(1);
    const c = await claim(taskIds[0]!, 'w1');
    // Act
    const result = await rpc(db.pool, 'fail_task', {
      p_task_id: taskIds[0],
      p_worker_id: 'w1',
      p_attempt: c.task.attempt,
      p_error_class: 'permanent',
      p_error: 'HTTP 404: form not found',
      p_retry_delay_seconds: 0,
    });
    // Assess
    expect(result).toMatchObject({ recorded: true, status: 'failed', attempts_left: 2 });
    expect(await task(taskIds[0]!)).toMatchObject({
      status: 'failed',
      error_class: 'permanent',
      last_error: 'HTTP 404: form not found',
    });
    expect((await job(jobId)).status).toBe('failed');
    const failed = (await history(db.pool, { taskId: taskIds[0] })).find((e) => e.event === 'task_failed');
    expect(failed!.details).toMatchObject({ error_class: 'permanent' });
  });

  it('a fail_task after the task finished does nothing', async () => {
    // Prepare
    const { taskIds } = await queuedJob(1);
    const c = await claim(taskIds[0]!, 'w1');
    await rpc(db.pool, 'complete_task', {
      p_task_id: taskIds[0],
      p_worker_id: 'w1',
      p_attempt: c.task.attempt,
      p_outcome: 'submitted',
    });
    const before = { counts: await tableCounts(db.pool), task: await task(taskIds[0]!) };
    // Act
    const result = await rpc(db.pool, 'fail_task', {
      p_task_id: taskIds[0],
      p_worker_id: 'w1',
      p_attempt: c.task.attempt,
      p_error_class: 'transient',
      p_error: 'late',
      p_retry_delay_seconds: 5,
    });
    // Assess
    expect(result).toMatchObject({ recorded: false, reason: 'finished', status: 'submitted' });
    expect(await tableCounts(db.pool)).toEqual(before.counts);
    expect(await task(taskIds[0]!)).toEqual(before.task);
  });

  it.each([
    ['p_error_class', { p_error_class: 'flaky' }],
    ['p_error_class', { p_error_class: null }],
    ['p_error', { p_error: null }],
    ['p_error', { p_error: '  ' }],
    ['p_retry_delay_seconds', { p_retry_delay_seconds: -1 }],
    ['p_retry_delay_seconds', { p_retry_delay_seconds: 43201 }],
    ['p_retry_delay_seconds', { p_retry_delay_seconds: null }],
    ['p_attempt', { p_attempt: null }],
  ])('rejects a bad %s (22023, nothing written)', async (name, override) => {
    // Prepare
    const { taskIds } = await queuedJob(1);
    const c = await claim(taskIds[0]!, 'w1');
    const before = { counts: await tableCounts(db.pool), task: await task(taskIds[0]!) };
    // Act
    const error = await pgError(
      rpc(db.pool, 'fail_task', {
        p_task_id: taskIds[0],
        p_worker_id: 'w1',
        p_attempt: c.task.attempt,
        p_error_class: 'transient',
        p_error: 'boom',
        p_retry_delay_seconds: 5,
        ...override,
      }),
    );
    // Assess
    expect(error.code).toBe('22023');
    expect(error.message).toContain(name);
    expect(await tableCounts(db.pool)).toEqual(before.counts);
    expect(await task(taskIds[0]!)).toEqual(before.task);
  });

  it('unknown task is P0002', async () => {
    // Act
    const error = await pgError(
      rpc(db.pool, 'fail_task', {
        p_task_id: UNKNOWN,
        p_worker_id: 'w',
        p_attempt: 1,
        p_error_class: 'transient',
        p_error: 'x',
        p_retry_delay_seconds: 1,
      }),
    );
    // Assess
    expect(error.code).toBe('P0002');
  });
});

describe('record_worker_heartbeat', () => {
  it('inserts, then updates the same row; a restart resets started_at', async () => {
    // Prepare
    const { jobId, taskIds } = await queuedJob(1);
    // Act
    const first = await rpc(db.pool, 'record_worker_heartbeat', {
      p_worker_id: 'hb-1',
      p_status: 'starting',
    });
    const initial = (await db.pool.query(`select * from public.worker_heartbeats where worker_id = 'hb-1'`))
      .rows[0];
    await new Promise((r) => setTimeout(r, 20));
    const second = await rpc(db.pool, 'record_worker_heartbeat', {
      p_worker_id: 'hb-1',
      p_status: 'running',
      p_current_job_id: jobId,
      p_current_task_id: taskIds[0],
      p_metadata: { pid: 42 },
    });
    // Assess
    expect(first).toEqual({ ok: true });
    expect(second).toEqual({ ok: true });
    const rows = (await db.pool.query(`select * from public.worker_heartbeats where worker_id = 'hb-1'`))
      .rows;
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      status: 'running',
      current_job_id: jobId,
      current_task_id: taskIds[0],
      metadata: { pid: 42 },
    });
    expect(rows[0].started_at).toEqual(initial.started_at);
    expect(rows[0].last_heartbeat.getTime()).toBeGreaterThan(initial.last_heartbeat.getTime());
  });

  it.each([
    ['p_worker_id', { p_worker_id: '' }],
    ['p_status', { p_status: 'sleeping' }],
    ['p_status', { p_status: null }],
    ['p_metadata', { p_metadata: '"text"' }],
  ])('rejects a bad %s (22023, nothing written)', async (name, override) => {
    // Prepare
    const before = await tableCounts(db.pool);
    // Act
    const error = await pgError(
      rpc(db.pool, 'record_worker_heartbeat', { p_worker_id: 'hb-x', p_status: 'idle', ...override }),
    );
    // Assess
    expect(error.code).toBe('22023');
    expect(error.message).toContain(name);
    expect(await tableCounts(db.pool)).toEqual(before);
  });

  it('unknown current job or task is P0002', async () => {
    // Act
    const job404 = await pgError(
      rpc(db.pool, 'record_worker_heartbeat', {
        p_worker_id: 'hb-y',
        p_status: 'running',
        p_current_job_id: UNKNOWN,
      }),
    );
    const task404 = await pgError(
      rpc(db.pool, 'record_worker_heartbeat', {
        p_worker_id: 'hb-y',
        p_status: 'running',
        p_current_task_id: UNKNOWN,
      }),
    );
    // Assess
    expect([job404.code, task404.code]).toEqual(['P0002', 'P0002']);
    expect(job404.message).toContain('p_current_job_id');
    expect(task404.message).toContain('p_current_task_id');
  });
});
