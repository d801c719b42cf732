/**
 * Per-directory politeness (concurrency, rate), the circuit breaker, rate-limited deferrals and the
 * verification of uncertain submissions, against a real PostgreSQL.
 */
import { POLITENESS, TASKS } from '../../lambdas/platform/system-config';
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

/** One directory and `n` jobs of one queued task each on it (tasks of one directory, as many customers make). */
async function directoryWithTasks(n: number, directory: Record<string, unknown> = {}) {
  const [dir] = await insertDirectories(db.pool, 1, directory);
  const taskIds: string[] = [];
  const jobIds: string[] = [];
  for (let i = 0; i < n; i++) {
    const customer = await insertCustomer(db.pool);
    const job = await rpc(db.pool, 'create_job', { p_customer_id: customer.id, p_directory_ids: [dir!.id] });
    await rpc(db.pool, 'mark_tasks_enqueued', { p_task_ids: [job.tasks[0].task_id] });
    taskIds.push(job.tasks[0].task_id);
    jobIds.push(job.job_id);
  }
  return { dirId: dir!.id, taskIds, jobIds };
}

const claim = (taskId: string, worker: string) =>
  rpc(db.pool, 'claim_task', { p_task_id: taskId, p_worker_id: worker, p_lease_seconds: 60 });

const failTransient = (taskId: string, worker: string, attempt: number) =>
  rpc(db.pool, 'fail_task', {
    p_task_id: taskId,
    p_worker_id: worker,
    p_attempt: attempt,
    p_error_class: 'transient',
    p_error: 'HTTP 503',
    p_retry_delay_seconds: 5,
  });

async function task(taskId: string) {
  return (await db.pool.query('select * from public.job_results where id = $1', [taskId])).rows[0];
}
async function directory(dirId: string) {
  return (await db.pool.query('select * from public.directories where id = $1', [dirId])).rows[0];
}
/** The cooldown is over (as if its time had passed). */
async function endCooldown(dirId: string) {
  await db.pool.query(
    `update public.directories set paused_until = now() - interval '1 second' where id = $1`,
    [dirId],
  );
}
/** An earlier attempt clicked submit and its worker died. */
async function diedAfterSubmitClick(taskId: string) {
  const c = await claim(taskId, 'dead-worker');
  await rpc(db.pool, 'mark_submitting', {
    p_task_id: taskId,
    p_worker_id: 'dead-worker',
    p_attempt: c.task.attempt,
  });
  await db.pool.query(
    `update public.job_results set lease_expires_at = now() - interval '1 second' where id = $1`,
    [taskId],
  );
  return c.task.attempt as number;
}

describe('constants mirrored from lambdas/platform/system-config.ts', () => {
  it('argument defaults of the SQL functions equal the configuration', async () => {
    // Act
    const result = await db.pool.query(
      `select p.oid::regprocedure::text as fn, pg_get_function_arguments(p.oid) as args
         from pg_proc p
        where p.proname in ('directory_gate', 'breaker_failure', 'defer_rate_limited', 'claim_verification')`,
    );
    const args = Object.fromEntries(result.rows.map((r) => [r.fn.split('(')[0], r.args as string]));
    const defaultOf = (fn: string, arg: string) => {
      const match = new RegExp(`${arg} [a-z]+ DEFAULT ([0-9.]+)`).exec(args[fn] ?? '');
      return match ? Number(match[1]) : undefined;
    };
    // Assess
    expect(defaultOf('internal.directory_gate', 'p_busy_retry_seconds')).toBe(POLITENESS.busyRetrySeconds);
    expect(defaultOf('internal.directory_gate', 'p_jitter_ratio')).toBe(POLITENESS.deferralJitterRatio);
    expect(defaultOf('internal.breaker_failure', 'p_threshold')).toBe(POLITENESS.breakerFailureThreshold);
    expect(defaultOf('internal.breaker_failure', 'p_cooldown_seconds')).toBe(
      POLITENESS.breakerCooldownSeconds,
    );
    expect(defaultOf('defer_rate_limited', 'p_max_deferrals')).toBe(TASKS.rateLimit.maxDeferrals);
    expect(defaultOf('claim_verification', 'p_max_attempts')).toBe(TASKS.maxVerificationAttempts);
  });
});

describe('concurrency limit', () => {
  it('claims racing for one directory: exactly max_concurrency win, the rest are deferred unchanged', async () => {
    // Prepare
    const { taskIds, jobIds } = await directoryWithTasks(6, { max_concurrency: 2 });
    // Act: each claim in its own transaction on its own connection, all at once
    const results = await Promise.all(taskIds.map((id, i) => claim(id, `racer-${i}`)));
    // Assess
    const winners = results.filter((r) => r.claimed);
    const refused = results.filter((r) => !r.claimed);
    expect(winners).toHaveLength(2);
    expect(refused).toHaveLength(4);
    for (const r of refused) {
      expect(r.reason).toBe('directory_busy');
      expect(r.retry_after_seconds).toBeGreaterThanOrEqual(POLITENESS.busyRetrySeconds);
      expect(r.retry_after_seconds).toBeLessThanOrEqual(
        Math.ceil(POLITENESS.busyRetrySeconds * (1 + POLITENESS.deferralJitterRatio)) + 1,
      );
    }
    const rows = await Promise.all(taskIds.map(task));
    expect(rows.filter((t) => t.status === 'in_progress')).toHaveLength(2);
    expect(rows.filter((t) => t.status === 'queued' && t.attempt === 0 && t.next_attempt_at)).toHaveLength(4);
    const deferred = (await Promise.all(jobIds.map((jobId) => history(db.pool, { jobId }))))
      .flat()
      .filter((e) => e.event === 'claim_deferred');
    expect(deferred).toHaveLength(4);
    expect(deferred[0]!.details).toMatchObject({
      reason: 'directory_busy',
      live_leases: 2,
      concurrency_limit: 2,
    });
  });

  it('a lease that expired does not count, and a finished task frees its slot', async () => {
    // Prepare
    const { taskIds } = await directoryWithTasks(3, { max_concurrency: 1 });
    const first = await claim(taskIds[0]!, 'w1');
    expect((await claim(taskIds[1]!, 'w2')).reason).toBe('directory_busy');
    await rpc(db.pool, 'complete_task', {
      p_task_id: taskIds[0],
      p_worker_id: 'w1',
      p_attempt: first.task.attempt,
      p_outcome: 'submitted',
    });
    // Act
    const second = await claim(taskIds[1]!, 'w2');
    await db.pool.query(
      `update public.job_results set lease_expires_at = now() - interval '1 second' where id = $1`,
      [taskIds[1]],
    );
    const third = await claim(taskIds[2]!, 'w3');
    // Assess
    expect(second.claimed).toBe(true);
    expect(third.claimed).toBe(true);
  });
});

describe('rate limit (min_interval_ms)', () => {
  it('a claim within the interval is deferred until the slot, without touching the attempt', async () => {
    // Prepare
    const { taskIds } = await directoryWithTasks(2, { max_concurrency: 10, min_interval_ms: 60_000 });
    // Act
    const first = await claim(taskIds[0]!, 'w1');
    const second = await claim(taskIds[1]!, 'w2');
    // Assess
    expect(first.claimed).toBe(true);
    expect(second).toMatchObject({ claimed: false, reason: 'directory_rate_limited' });
    expect(second.retry_after_seconds).toBeGreaterThanOrEqual(59);
    expect(second.retry_after_seconds).toBeLessThanOrEqual(
      Math.ceil(60 * (1 + POLITENESS.deferralJitterRatio)) + 1,
    );
    expect(await task(taskIds[1]!)).toMatchObject({ status: 'queued', attempt: 0 });
  });
});

describe('defer_rate_limited', () => {
  it('gives the attempt back, clears the submit marker, and holds the whole directory for Retry-After', async () => {
    // Prepare
    const { dirId, taskIds, jobIds } = await directoryWithTasks(2, { max_concurrency: 10 });
    const c = await claim(taskIds[0]!, 'w1');
    await rpc(db.pool, 'mark_submitting', { p_task_id: taskIds[0], p_worker_id: 'w1', p_attempt: 1 });
    // Act
    const result = await rpc(db.pool, 'defer_rate_limited', {
      p_task_id: taskIds[0],
      p_worker_id: 'w1',
      p_attempt: c.task.attempt,
      p_retry_after_seconds: 120,
      p_delay_seconds: 130,
      p_error: 'HTTP 429 Too Many Requests',
    });
    const other = await claim(taskIds[1]!, 'w2');
    // Assess
    expect(result).toMatchObject({
      recorded: true,
      status: 'queued',
      attempt_refunded: true,
      delay_seconds: 130,
    });
    expect(await task(taskIds[0]!)).toMatchObject({
      status: 'queued',
      attempt: 0,
      rate_limited_count: 1,
      submit_started_at: null,
      error_class: 'rate_limited',
    });
    expect(other).toMatchObject({ claimed: false, reason: 'directory_rate_limited' });
    expect(other.retry_after_seconds).toBeGreaterThanOrEqual(119);
    expect((await directory(dirId)).consecutive_failures).toBe(0);
    const event = (await history(db.pool, { jobId: jobIds[0] })).find((e) => e.event === 'rate_limited');
    expect(event).toMatchObject({ from_status: 'in_progress', to_status: 'queued', attempt: 1 });
    expect(event!.details).toMatchObject({
      error_class: 'rate_limited',
      attempt_refunded: true,
      retry_after_seconds: 120,
      delay_seconds: 130,
    });
    // The next claim (after the wait) is attempt 1 again: no attempt was spent.
    await db.pool.query('update public.directories set next_claim_at = null where id = $1', [dirId]);
    expect((await claim(taskIds[0]!, 'w3')).task.attempt).toBe(1);
  });

  it('past p_max_deferrals a 429 spends attempts like a transient error', async () => {
    // Prepare
    const { taskIds } = await directoryWithTasks(1);
    const args = (attempt: number) => ({
      p_task_id: taskIds[0],
      p_worker_id: 'w1',
      p_attempt: attempt,
      p_retry_after_seconds: 1,
      p_error: 'HTTP 429',
      p_max_deferrals: 1,
    });
    await claim(taskIds[0]!, 'w1');
    const first = await rpc(db.pool, 'defer_rate_limited', args(1));
    await db.pool.query('update public.directories set next_claim_at = null');
    await claim(taskIds[0]!, 'w1');
    // Act
    const second = await rpc(db.pool, 'defer_rate_limited', args(1));
    // Assess
    expect(first.attempt_refunded).toBe(true);
    expect(second).toMatchObject({
      recorded: true,
      status: 'queued',
      attempt_refunded: false,
      attempts_left: 2,
    });
    expect(await task(taskIds[0]!)).toMatchObject({ attempt: 1, status: 'queued' });
  });

  it('counts attempts left as every other function does: an attempt lost to infrastructure is not spent', async () => {
    // Prepare: the first worker's lease expires and a second worker takes the task over (attempt 2, the
    // first lost to infrastructure); the directory then answers it 429.
    const { taskIds } = await directoryWithTasks(1);
    await claim(taskIds[0]!, 'w1');
    await db.pool.query(
      `update public.job_results set lease_expires_at = now() - interval '1 second' where id = $1`,
      [taskIds[0]],
    );
    const takeover = await claim(taskIds[0]!, 'w2');
    expect(takeover.task.attempt).toBe(2);
    // Act
    const deferred = await rpc(db.pool, 'defer_rate_limited', {
      p_task_id: taskIds[0],
      p_worker_id: 'w2',
      p_attempt: 2,
      p_retry_after_seconds: 1,
      p_error: 'HTTP 429',
    });
    // Assess: no attempt answered by the directory yet, so the whole budget is left.
    const row = await task(taskIds[0]!);
    expect(row).toMatchObject({ attempt: 1, infrastructure_attempts: 1 });
    expect(deferred).toMatchObject({ attempt_refunded: true, attempts_left: row.max_attempts });
  });

  it('a worker whose lease was taken over records nothing', async () => {
    // Prepare
    const { taskIds } = await directoryWithTasks(1);
    await claim(taskIds[0]!, 'w1');
    await db.pool.query(
      `update public.job_results set lease_expires_at = now() - interval '1 second' where id = $1`,
      [taskIds[0]],
    );
    await claim(taskIds[0]!, 'w2');
    const before = await tableCounts(db.pool);
    // Act
    const result = await rpc(db.pool, 'defer_rate_limited', {
      p_task_id: taskIds[0],
      p_worker_id: 'w1',
      p_attempt: 1,
      p_retry_after_seconds: 5,
      p_error: 'HTTP 429',
    });
    // Assess
    expect(result).toMatchObject({ recorded: false, reason: 'lease_lost' });
    expect(await tableCounts(db.pool)).toEqual(before);
  });

  it.each([
    ['p_retry_after_seconds', { p_retry_after_seconds: 0 }],
    ['p_delay_seconds', { p_retry_after_seconds: 10, p_delay_seconds: 5 }],
    ['p_error', { p_error: ' ' }],
    ['p_max_deferrals', { p_max_deferrals: -1 }],
    ['p_attempt', { p_attempt: 0 }],
  ])('rejects a bad %s (22023) and changes nothing', async (name, override) => {
    // Prepare
    const before = await tableCounts(db.pool);
    const args = {
      p_task_id: UNKNOWN,
      p_worker_id: 'w',
      p_attempt: 1,
      p_retry_after_seconds: 5,
      p_error: 'HTTP 429',
      ...override,
    };
    // Act
    const error = await pgError(rpc(db.pool, 'defer_rate_limited', args));
    // Assess
    expect(error.code).toBe('22023');
    expect(error.message).toContain(name);
    expect(await tableCounts(db.pool)).toEqual(before);
  });

  it('unknown task is P0002', async () => {
    const error = await pgError(
      rpc(db.pool, 'defer_rate_limited', {
        p_task_id: UNKNOWN,
        p_worker_id: 'w',
        p_attempt: 1,
        p_retry_after_seconds: 5,
        p_error: 'HTTP 429',
      }),
    );
    expect(error.code).toBe('P0002');
  });
});

describe('circuit breaker', () => {
  it('opens after the threshold of consecutive transient failures, defers claims, probes once, closes on success', async () => {
    // Prepare: one task per failure, all on one directory
    const threshold = POLITENESS.breakerFailureThreshold;
    const { dirId, taskIds, jobIds } = await directoryWithTasks(threshold + 2, { max_concurrency: 100 });
    const replies = [];
    // Act: N transient failures in a row
    for (let i = 0; i < threshold; i++) {
      const c = await claim(taskIds[i]!, `w${i}`);
      replies.push(await failTransient(taskIds[i]!, `w${i}`, c.task.attempt));
    }
    const whilePaused = await claim(taskIds[threshold]!, 'late');
    // Assess: open
    expect(replies.map((r) => r.directory_paused ?? false)).toEqual([
      ...Array(threshold - 1).fill(false),
      true,
    ]);
    expect(await directory(dirId)).toMatchObject({ breaker_state: 'open', consecutive_failures: threshold });
    expect(whilePaused).toMatchObject({ claimed: false, reason: 'directory_paused' });
    expect(whilePaused.retry_after_seconds).toBeGreaterThan(POLITENESS.breakerCooldownSeconds - 5);
    expect(await task(taskIds[threshold]!)).toMatchObject({ status: 'queued', attempt: 0 });
    const paused = (await history(db.pool, { jobId: jobIds[threshold - 1] })).find(
      (e) => e.event === 'directory_paused',
    );
    expect(paused).toMatchObject({ from_status: 'closed', to_status: 'open' });
    expect(paused!.details).toMatchObject({
      directory_id: dirId,
      consecutive_failures: threshold,
      cooldown_seconds: POLITENESS.breakerCooldownSeconds,
    });

    // Act: cooldown over -> one probe at a time
    await endCooldown(dirId);
    const probe = await claim(taskIds[threshold]!, 'probe');
    const second = await claim(taskIds[threshold + 1]!, 'other');
    // Assess
    expect(probe).toMatchObject({ claimed: true, directory_half_open: true });
    expect(second).toMatchObject({ claimed: false, reason: 'directory_busy' });

    // Act: the probe succeeds -> closed
    const done = await rpc(db.pool, 'complete_task', {
      p_task_id: taskIds[threshold],
      p_worker_id: 'probe',
      p_attempt: probe.task.attempt,
      p_outcome: 'submitted',
    });
    // Assess
    expect(done).toMatchObject({ recorded: true, directory_resumed: true });
    expect(await directory(dirId)).toMatchObject({
      breaker_state: 'closed',
      consecutive_failures: 0,
      paused_until: null,
    });
    const events = (await history(db.pool, { jobId: jobIds[threshold] })).map((e) => e.event);
    expect(events).toEqual(
      expect.arrayContaining([
        'claim_deferred',
        'directory_half_open',
        'claimed',
        'task_submitted',
        'directory_resumed',
      ]),
    );
    expect((await claim(taskIds[threshold + 1]!, 'other')).claimed).toBe(true);
  });

  it('a failed probe opens the breaker again at once', async () => {
    // Prepare
    const { dirId, taskIds } = await directoryWithTasks(1);
    await db.pool.query(
      `update public.directories set breaker_state = 'open', consecutive_failures = $2,
              paused_until = now() - interval '1 second' where id = $1`,
      [dirId, POLITENESS.breakerFailureThreshold],
    );
    const probe = await claim(taskIds[0]!, 'probe');
    // Act
    const reply = await failTransient(taskIds[0]!, 'probe', probe.task.attempt);
    // Assess
    expect(reply.directory_paused).toBe(true);
    expect((await directory(dirId)).breaker_state).toBe('open');
  });

  it('permanent and rate-limited failures do not count; a success ends the streak', async () => {
    // Prepare
    const { dirId, taskIds } = await directoryWithTasks(4, { max_concurrency: 100 });
    const a = await claim(taskIds[0]!, 'a');
    await failTransient(taskIds[0]!, 'a', a.task.attempt);
    const b = await claim(taskIds[1]!, 'b');
    // Act
    await rpc(db.pool, 'fail_task', {
      p_task_id: taskIds[1],
      p_worker_id: 'b',
      p_attempt: b.task.attempt,
      p_error_class: 'permanent',
      p_error: 'HTTP 404',
      p_retry_delay_seconds: 0,
    });
    const afterPermanent = (await directory(dirId)).consecutive_failures;
    const c = await claim(taskIds[2]!, 'c');
    await rpc(db.pool, 'complete_task', {
      p_task_id: taskIds[2],
      p_worker_id: 'c',
      p_attempt: c.task.attempt,
      p_outcome: 'needs_manual',
    });
    // Assess
    expect(afterPermanent).toBe(1);
    expect(await directory(dirId)).toMatchObject({ consecutive_failures: 0, breaker_state: 'closed' });
  });
});

describe('verification', () => {
  const rule = { lookup_url: 'https://dir.example/listings?email={email}' };

  it('claim_task still answers needs_verification; claim_verification leases it without spending an attempt', async () => {
    // Prepare
    const { taskIds, jobIds } = await directoryWithTasks(1, { verification: JSON.stringify(rule) });
    const attempt = await diedAfterSubmitClick(taskIds[0]!);
    // Act
    const plain = await claim(taskIds[0]!, 'w2');
    const verify = await rpc(db.pool, 'claim_verification', {
      p_task_id: taskIds[0],
      p_worker_id: 'w2',
      p_lease_seconds: 60,
    });
    // Assess
    expect(plain).toMatchObject({ claimed: false, reason: 'needs_verification' });
    expect(verify).toMatchObject({ claimed: true, verification_attempt: 1 });
    expect(verify.task).toMatchObject({ attempt, directory: { verification: rule } });
    expect(verify.task.customer.email).toBe('owner@acme-plumbing.example');
    expect(await task(taskIds[0]!)).toMatchObject({ status: 'in_progress', attempt, lease_owner: 'w2' });
    const events = (await history(db.pool, { jobId: jobIds[0] })).map((e) => e.event);
    expect(events.at(-1)).toBe('verification_claimed');
  });

  it('found: submitted with the listing URL (verified_submitted), job finished', async () => {
    // Prepare
    const { taskIds, jobIds } = await directoryWithTasks(1, { verification: JSON.stringify(rule) });
    const attempt = await diedAfterSubmitClick(taskIds[0]!);
    await rpc(db.pool, 'claim_verification', {
      p_task_id: taskIds[0],
      p_worker_id: 'v',
      p_lease_seconds: 60,
    });
    // Act
    const result = await rpc(db.pool, 'record_verification', {
      p_task_id: taskIds[0],
      p_worker_id: 'v',
      p_attempt: attempt,
      p_outcome: 'found',
      p_details: {
        listing_url: 'https://dir.example/listings/42',
        lookup_url: 'https://dir.example/listings',
      },
    });
    // Assess
    expect(result).toMatchObject({ recorded: true, status: 'submitted', job_status: 'completed' });
    expect(await task(taskIds[0]!)).toMatchObject({
      status: 'submitted',
      listing_url: 'https://dir.example/listings/42',
    });
    const events = (await history(db.pool, { jobId: jobIds[0] })).map((e) => e.event);
    expect(events.slice(-2)).toEqual(['verified_submitted', 'job_completed']);
  });

  it('not found: the marker is cleared and the next claim is an ordinary one', async () => {
    // Prepare
    const { taskIds, jobIds } = await directoryWithTasks(1, { verification: JSON.stringify(rule) });
    const attempt = await diedAfterSubmitClick(taskIds[0]!);
    await rpc(db.pool, 'claim_verification', {
      p_task_id: taskIds[0],
      p_worker_id: 'v',
      p_lease_seconds: 60,
    });
    // Act
    const result = await rpc(db.pool, 'record_verification', {
      p_task_id: taskIds[0],
      p_worker_id: 'v',
      p_attempt: attempt,
      p_outcome: 'not_found',
    });
    const next = await claim(taskIds[0]!, 'v');
    // Assess
    expect(result).toMatchObject({ recorded: true, status: 'queued' });
    expect(next).toMatchObject({ claimed: true, task: { attempt: attempt + 1 } });
    const events = (await history(db.pool, { jobId: jobIds[0] })).map((e) => e.event);
    expect(events.slice(-2)).toEqual(['verified_not_submitted', 'claimed']);
  });

  it('no rule: needs_manual with the reason, job finished', async () => {
    // Prepare
    const { taskIds, jobIds } = await directoryWithTasks(1);
    await diedAfterSubmitClick(taskIds[0]!);
    // Act
    const result = await rpc(db.pool, 'claim_verification', {
      p_task_id: taskIds[0],
      p_worker_id: 'v',
      p_lease_seconds: 60,
    });
    // Assess
    expect(result).toMatchObject({ claimed: false, reason: 'finished', status: 'needs_manual' });
    expect(await task(taskIds[0]!)).toMatchObject({
      status: 'needs_manual',
      last_error: 'may have been submitted; verify by hand',
    });
    const events = (await history(db.pool, { jobId: jobIds[0] })).map((e) => e.event);
    expect(events.slice(-2)).toEqual(['task_needs_manual', 'job_completed']);
  });

  it('failed lookups are retried, then the task goes to a human', async () => {
    // Prepare
    const { taskIds } = await directoryWithTasks(1, { verification: JSON.stringify(rule) });
    const attempt = await diedAfterSubmitClick(taskIds[0]!);
    // Act
    for (let i = 0; i < TASKS.maxVerificationAttempts; i++) {
      const v = await rpc(db.pool, 'claim_verification', {
        p_task_id: taskIds[0],
        p_worker_id: 'v',
        p_lease_seconds: 60,
      });
      expect(v.claimed).toBe(true);
      const failed = await rpc(db.pool, 'record_verification', {
        p_task_id: taskIds[0],
        p_worker_id: 'v',
        p_attempt: attempt,
        p_outcome: 'error',
        p_details: { error: 'HTTP 502' },
        p_retry_delay_seconds: 3,
      });
      expect(failed).toMatchObject({ recorded: true, status: 'queued' });
    }
    const last = await rpc(db.pool, 'claim_verification', {
      p_task_id: taskIds[0],
      p_worker_id: 'v',
      p_lease_seconds: 60,
    });
    // Assess
    expect(last).toMatchObject({ claimed: false, status: 'needs_manual' });
    expect(await task(taskIds[0]!)).toMatchObject({
      attempt,
      verification_attempts: TASKS.maxVerificationAttempts,
    });
  });

  it('only the verification lease holder can record; an ordinary claim has nothing to verify', async () => {
    // Prepare
    const { taskIds } = await directoryWithTasks(2, {
      verification: JSON.stringify(rule),
      max_concurrency: 5,
    });
    const attempt = await diedAfterSubmitClick(taskIds[0]!);
    await rpc(db.pool, 'claim_verification', {
      p_task_id: taskIds[0],
      p_worker_id: 'v',
      p_lease_seconds: 60,
    });
    const ordinary = await claim(taskIds[1]!, 'o');
    const before = await tableCounts(db.pool);
    // Act
    const stale = await rpc(db.pool, 'record_verification', {
      p_task_id: taskIds[0],
      p_worker_id: 'dead-worker',
      p_attempt: attempt,
      p_outcome: 'not_found',
    });
    const notVerifying = await rpc(db.pool, 'record_verification', {
      p_task_id: taskIds[1],
      p_worker_id: 'o',
      p_attempt: ordinary.task.attempt,
      p_outcome: 'found',
    });
    // Assess
    expect(stale).toMatchObject({ recorded: false, reason: 'lease_lost' });
    expect(notVerifying).toMatchObject({ recorded: false, reason: 'not_verifying' });
    expect(await tableCounts(db.pool)).toEqual(before);
  });

  it.each([
    ['p_outcome', { p_outcome: 'maybe' }],
    ['p_details.listing_url', { p_outcome: 'found', p_details: { listing_url: 'javascript:alert(1)' } }],
    ['p_details.error', { p_outcome: 'error', p_details: {} }],
    ['p_retry_delay_seconds', { p_outcome: 'error', p_details: { error: 'x' }, p_retry_delay_seconds: -1 }],
  ])('record_verification rejects a bad %s (22023)', async (name, override) => {
    const error = await pgError(
      rpc(db.pool, 'record_verification', {
        p_task_id: UNKNOWN,
        p_worker_id: 'w',
        p_attempt: 1,
        ...override,
      }),
    );
    expect(error.code).toBe('22023');
    expect(error.message).toContain(name);
  });

  it('a rule must carry an http(s) lookup_url', async () => {
    const error = await pgError(
      insertDirectories(db.pool, 1, { verification: JSON.stringify({ lookup_url: 'file:///etc/passwd' }) }),
    );
    expect(error.code).toBe('23514');
  });
});
