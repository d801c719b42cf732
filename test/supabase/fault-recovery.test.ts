/**
 * Faults must not cost a healthy task its chances (issue 12), on a real PostgreSQL: attempts lost to
 * our infrastructure (expired leases) are bounded separately from the directory's retry budget, and
 * queue_history holds every state change whatever order the outbox and the workers ran in.
 */
import { TASKS } from '../../lambdas/platform/system-config';
import {
  createTestDatabase,
  history,
  insertCustomer,
  insertDirectories,
  json,
  rpc,
  type TestDatabase,
} from '../support/database';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => db?.drop());

async function createdJob(n = 1): Promise<{ jobId: string; taskIds: string[] }> {
  const customer = await insertCustomer(db.pool);
  const dirs = await insertDirectories(db.pool, n);
  const job = await rpc(db.pool, 'create_job', {
    p_customer_id: customer.id,
    p_directory_ids: dirs.map((d) => d.id),
  });
  return { jobId: job.job_id, taskIds: job.tasks.map((t: { task_id: string }) => t.task_id) };
}

const claim = (taskId: string, worker: string) =>
  rpc(db.pool, 'claim_task', { p_task_id: taskId, p_worker_id: worker, p_lease_seconds: 60 });

const expireLease = (taskId: string) =>
  db.pool.query(`update job_results set lease_expires_at = now() - interval '1 hour' where id = $1`, [
    taskId,
  ]);

async function task(taskId: string) {
  return (await db.pool.query('select * from job_results where id = $1', [taskId])).rows[0];
}

/** Each row starts where the previous one ended: no state change is missing from the trail. */
function expectUnbrokenTrail(rows: { from_status: string | null; to_status: string | null }[]): void {
  for (let i = 1; i < rows.length; i += 1) {
    expect({ row: i, from: rows[i]!.from_status }).toEqual({ row: i, from: rows[i - 1]!.to_status });
  }
}

describe('attempts lost to infrastructure', () => {
  it('the SQL default mirrors TASKS.infrastructureAttempts and is larger than the retry budget', async () => {
    const { taskIds } = await createdJob(1);
    const row = await task(taskIds[0]!);
    expect(row.max_infrastructure_attempts).toBe(TASKS.infrastructureAttempts);
    expect(row.max_attempts).toBe(TASKS.retryBudget);
    expect(TASKS.infrastructureAttempts).toBeGreaterThan(TASKS.retryBudget);
  });

  it('a task whose every attempt is lost to expired leases ends only after the larger bound, with that reason', async () => {
    const { jobId, taskIds } = await createdJob(1);
    const id = taskIds[0]!;
    await rpc(db.pool, 'mark_tasks_enqueued', { p_task_ids: [id] });
    for (let lost = 0; lost < TASKS.infrastructureAttempts; lost += 1) {
      const claimed = await claim(id, `worker-${lost}`);
      expect({ lost, claimed: claimed.claimed }).toEqual({ lost, claimed: true });
      await expireLease(id); // killed, frozen past its lease, or cut off from the database
    }

    const last = await claim(id, 'worker-last');

    expect(last).toMatchObject({ claimed: false, reason: 'finished', status: 'failed' });
    const row = await task(id);
    expect(row).toMatchObject({
      status: 'failed',
      attempt: TASKS.infrastructureAttempts,
      infrastructure_attempts: TASKS.infrastructureAttempts,
    });
    expect(row.last_error).toContain('lost to infrastructure');
    expect(row.last_error).not.toContain('retry budget');
    const failed = (await history(db.pool, { taskId: id })).find((e) => e.event === 'task_failed');
    expect(failed?.details).toMatchObject({ reason: 'infrastructure_attempts_exhausted' });
    expect((await db.pool.query('select tasks_failed from jobs where id = $1', [jobId])).rows[0]).toEqual({
      tasks_failed: 1,
    });
  });

  it('the sweeper requeues an expired lease without spending the budget, and fails it at the bound', async () => {
    const { taskIds } = await createdJob(1);
    const id = taskIds[0]!;
    await rpc(db.pool, 'mark_tasks_enqueued', { p_task_ids: [id] });
    await db.pool.query('update job_results set max_infrastructure_attempts = 2 where id = $1', [id]);
    const sweep = () =>
      rpc(db.pool, 'sweep_stale_tasks', {
        p_lease_grace_seconds: 0,
        p_pending_seconds: 3600,
        p_queued_seconds: 3600,
        p_limit: 100,
        p_queue_messages: { p1: 0, p2: 0, p3: 0 },
        p_queue_counted_at: new Date().toISOString(),
      });

    // First loss: requeued (the message sent again by the caller, then marked).
    await claim(id, 'w1');
    await expireLease(id);
    const first = await sweep();
    const candidate = first.requeue.find((t: { task_id: string }) => t.task_id === id);
    expect(candidate).toMatchObject({ reason: 'lease_expired' });
    await rpc(db.pool, 'mark_tasks_requeued', {
      p_tasks: json([{ task_id: id, updated_at: candidate.updated_at }]),
    });
    expect(await task(id)).toMatchObject({ status: 'queued', attempt: 1, infrastructure_attempts: 1 });
    const requeued = (await history(db.pool, { taskId: id })).find((e) => e.event === 'requeued_by_sweeper');
    expect(requeued?.details).toMatchObject({ attempts_left: 3, infrastructure_attempts: 1 });

    // Second loss reaches max_infrastructure_attempts (2): failed, with the reason, not "retry budget".
    await claim(id, 'w2');
    await expireLease(id);
    const second = await sweep();
    expect(second.failed).toEqual([
      expect.objectContaining({ task_id: id, reason: 'infrastructure_attempts_exhausted' }),
    ]);
    const row = await task(id);
    expect(row).toMatchObject({ status: 'failed', infrastructure_attempts: 2 });
    expect(row.last_error).toContain('lost to infrastructure');
  });

  it("the directory's answers still spend the retry budget, whatever was lost before", async () => {
    const { taskIds } = await createdJob(1);
    const id = taskIds[0]!;
    await rpc(db.pool, 'mark_tasks_enqueued', { p_task_ids: [id] });
    await claim(id, 'dies');
    await expireLease(id);
    const outcomes: string[] = [];
    for (let answered = 1; answered <= TASKS.retryBudget; answered += 1) {
      const claimed = await claim(id, `w${answered}`);
      const failed = await rpc(db.pool, 'fail_task', {
        p_task_id: id,
        p_worker_id: `w${answered}`,
        p_attempt: claimed.task.attempt,
        p_error_class: 'transient',
        p_error: 'HTTP 503 from the directory',
        p_retry_delay_seconds: 0,
      });
      outcomes.push(`${failed.status}:${failed.attempts_left}`);
    }
    expect(outcomes).toEqual(['queued:2', 'queued:1', 'failed:0']);
    expect(await task(id)).toMatchObject({ status: 'failed', attempt: 4, infrastructure_attempts: 1 });
    const failed = (await history(db.pool, { taskId: id })).find((e) => e.event === 'task_failed');
    expect(failed?.details).toMatchObject({ reason: 'retry_budget_exhausted' });
  });
});

describe('queue_history completeness', () => {
  it('a task claimed before the outbox marked it enqueued still has its enqueued row, in order', async () => {
    const { taskIds } = await createdJob(1);
    const id = taskIds[0]!;
    // The message reached a worker before create-job's mark_tasks_enqueued ran.
    const claimed = await claim(id, 'fast-worker');
    expect(claimed.claimed).toBe(true);
    const marked = await rpc(db.pool, 'mark_tasks_enqueued', { p_task_ids: [id] });
    expect(marked).toEqual({ enqueued: 0 });

    const rows = await history(db.pool, { taskId: id });
    expect(rows.map((r) => [r.event, r.from_status, r.to_status])).toEqual([
      ['task_created', null, 'pending'],
      ['enqueued', 'pending', 'queued'],
      ['claimed', 'queued', 'in_progress'],
    ]);
    expectUnbrokenTrail(rows);
  });

  it('a lease taken over is a state change of its own: the trail never skips a status', async () => {
    const { taskIds } = await createdJob(1);
    const id = taskIds[0]!;
    await rpc(db.pool, 'mark_tasks_enqueued', { p_task_ids: [id] });
    const first = await claim(id, 'dies');
    await expireLease(id);
    const second = await claim(id, 'rescuer');
    await rpc(db.pool, 'complete_task', {
      p_task_id: id,
      p_worker_id: 'rescuer',
      p_attempt: second.task.attempt,
      p_outcome: 'submitted',
    });
    expect(second.task.attempt).toBe(first.task.attempt + 1);

    const rows = await history(db.pool, { taskId: id });
    expect(rows.map((r) => r.event)).toEqual([
      'task_created',
      'enqueued',
      'claimed',
      'lease_taken_over',
      'claimed',
      'task_submitted',
    ]);
    expectUnbrokenTrail(rows);
  });
});
