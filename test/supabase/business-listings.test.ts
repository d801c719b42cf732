/**
 * One listing per business and directory (issue 12), against a real PostgreSQL: create_job makes a
 * task the holder of its listing or ends it as already_listed, resubmit_listing is the explicit,
 * audited second submission, and purging old idempotency rows never opens the door to a duplicate.
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

type CreatedJob = { job_id: string; tasks: { task_id: string; directory_id: string; status: string }[] };

async function task(id: string) {
  return (await db.pool.query('select * from public.job_results where id = $1', [id])).rows[0];
}

async function listing(customerId: string, directoryId: string) {
  return (
    await db.pool.query(
      'select * from public.business_listings where customer_id = $1 and directory_id = $2',
      [customerId, directoryId],
    )
  ).rows[0];
}

/** Runs a task the way a worker does: claim, "about to submit", submitted. */
async function submit(taskId: string): Promise<void> {
  const claim = await rpc(db.pool, 'claim_task', {
    p_task_id: taskId,
    p_worker_id: 'w-1',
    p_lease_seconds: 60,
  });
  expect(claim.claimed).toBe(true);
  const attempt = claim.task.attempt as number;
  await rpc(db.pool, 'mark_submitting', { p_task_id: taskId, p_worker_id: 'w-1', p_attempt: attempt });
  const done = await rpc(db.pool, 'complete_task', {
    p_task_id: taskId,
    p_worker_id: 'w-1',
    p_attempt: attempt,
    p_outcome: 'submitted',
    p_details: { listing_url: 'https://dir.example/listing/1' },
  });
  expect(done).toMatchObject({ recorded: true, status: 'submitted' });
}

describe('create_job: one listing per business and directory', () => {
  it('a second job for a listing already submitted does not submit again: already_listed, linked, counted, audited', async () => {
    const customer = await insertCustomer(db.pool);
    const [dir, other] = await insertDirectories(db.pool, 2);
    const first = await rpc<CreatedJob>(db.pool, 'create_job', {
      p_customer_id: customer.id,
      p_directory_ids: [dir!.id],
    });
    const holder = first.tasks[0]!.task_id;
    await submit(holder);

    const second = await rpc<CreatedJob>(db.pool, 'create_job', {
      p_customer_id: customer.id,
      p_directory_ids: [dir!.id, other!.id],
    });

    // Only the other directory's task is to be sent; the listed one is finished at once.
    expect(second.tasks.map((t) => [t.directory_id, t.status])).toEqual([
      [dir!.id, 'already_listed'],
      [other!.id, 'pending'],
    ]);
    const duplicate = await task(second.tasks[0]!.task_id);
    expect(duplicate).toMatchObject({ status: 'already_listed', listing_task_id: holder, generation: 1 });
    expect(duplicate.completed_at).not.toBeNull();
    expect(duplicate.idempotency_key).toBe((await task(holder)).idempotency_key);
    // Never sent, and even a stray message cannot turn the duplicate into a submission.
    const stray = await pgError(
      rpc(db.pool, 'claim_task', { p_task_id: duplicate.id, p_worker_id: 'w-2', p_lease_seconds: 60 }),
    );
    expect(stray.code).toBe('55000');
    expect(await task(duplicate.id)).toMatchObject({ status: 'already_listed', attempt: 0 });

    const job = await rpc(db.pool, 'get_job', { p_job_id: second.job_id });
    expect(job.counters).toMatchObject({ total: 2, already_listed: 1, pending: 1 });
    const result = job.results.find((r: { task_id: string }) => r.task_id === duplicate.id);
    expect(result.already_listed_by).toMatchObject({
      task_id: holder,
      job_id: first.job_id,
      status: 'submitted',
      generation: 1,
      listing_url: 'https://dir.example/listing/1',
    });
    // GET /submissions filters on the status and links the holder the same way.
    const listed = await rpc(db.pool, 'list_submissions', {
      p_customer_id: customer.id,
      p_status: 'already_listed',
    });
    expect(listed.submissions).toHaveLength(1);
    expect(listed.submissions[0]).toMatchObject({
      id: duplicate.id,
      status: 'already_listed',
      already_listed_by: { task_id: holder, status: 'submitted' },
    });
    const row = (await db.pool.query('select * from public.jobs where id = $1', [second.job_id])).rows[0];
    expect(row).toMatchObject({ status: 'pending', tasks_already_listed: 1, tasks_total: 2 });
    expect((await history(db.pool, { taskId: duplicate.id })).map((h) => [h.event, h.to_status])).toEqual([
      ['task_created', 'pending'],
      ['task_already_listed', 'already_listed'],
    ]);
  });

  it('a listing in flight is held too; a job whose every listing is held finishes at once as completed', async () => {
    const customer = await insertCustomer(db.pool);
    const [dir] = await insertDirectories(db.pool, 1);
    const first = await rpc<CreatedJob>(db.pool, 'create_job', {
      p_customer_id: customer.id,
      p_directory_ids: [dir!.id],
    });
    const second = await rpc<CreatedJob>(db.pool, 'create_job', {
      p_customer_id: customer.id,
      p_directory_ids: [dir!.id],
    });
    expect(second.tasks[0]!.status).toBe('already_listed');
    expect((await task(second.tasks[0]!.task_id)).listing_task_id).toBe(first.tasks[0]!.task_id);
    const job = (await db.pool.query('select * from public.jobs where id = $1', [second.job_id])).rows[0];
    expect(job).toMatchObject({ status: 'completed', tasks_already_listed: 1, version: 2 });
    expect((await history(db.pool, { jobId: second.job_id })).map((h) => h.event)).toContain('job_completed');
  });

  it('a job that completes later counts already_listed tasks as terminal', async () => {
    const customer = await insertCustomer(db.pool);
    const [dir, other] = await insertDirectories(db.pool, 2);
    await rpc<CreatedJob>(db.pool, 'create_job', { p_customer_id: customer.id, p_directory_ids: [dir!.id] });
    const second = await rpc<CreatedJob>(db.pool, 'create_job', {
      p_customer_id: customer.id,
      p_directory_ids: [dir!.id, other!.id],
    });
    await submit(second.tasks[1]!.task_id);
    const job = (await db.pool.query('select * from public.jobs where id = $1', [second.job_id])).rows[0];
    expect(job).toMatchObject({ status: 'completed', tasks_submitted: 1, tasks_already_listed: 1 });
  });

  it('a listing whose holder failed before clicking submit is free: the next job submits', async () => {
    const customer = await insertCustomer(db.pool);
    const [dir] = await insertDirectories(db.pool, 1);
    const first = await rpc<CreatedJob>(db.pool, 'create_job', {
      p_customer_id: customer.id,
      p_directory_ids: [dir!.id],
    });
    await rpc(db.pool, 'cancel_job', { p_job_id: first.job_id });
    const second = await rpc<CreatedJob>(db.pool, 'create_job', {
      p_customer_id: customer.id,
      p_directory_ids: [dir!.id],
    });
    expect(second.tasks[0]!.status).toBe('pending');
    expect((await listing(customer.id, dir!.id)).task_id).toBe(second.tasks[0]!.task_id);
  });

  it('two concurrent jobs for the same business and directory: exactly one holder', async () => {
    const customer = await insertCustomer(db.pool);
    const dirs = await insertDirectories(db.pool, 3);
    const ids = dirs.map((d) => d.id);
    const jobs = await Promise.all([
      rpc<CreatedJob>(db.pool, 'create_job', { p_customer_id: customer.id, p_directory_ids: ids }),
      rpc<CreatedJob>(db.pool, 'create_job', {
        p_customer_id: customer.id,
        p_directory_ids: [...ids].reverse(),
      }),
    ]);
    for (const id of ids) {
      const statuses = jobs.map((j) => j.tasks.find((t) => t.directory_id === id)!.status).sort();
      expect(statuses).toEqual(['already_listed', 'pending']);
    }
  });

  it('the idempotency key is SHA-256 over customer, directory and generation', async () => {
    const customer = await insertCustomer(db.pool);
    const [dir] = await insertDirectories(db.pool, 1);
    const job = await rpc<CreatedJob>(db.pool, 'create_job', {
      p_customer_id: customer.id,
      p_directory_ids: [dir!.id],
    });
    const canonical = (
      await db.pool.query(
        `select jsonb_build_object('customer_id', $1::uuid, 'directory_id', $2::uuid, 'generation', 1)::text as t`,
        [customer.id, dir!.id],
      )
    ).rows[0].t;
    expect((await task(job.tasks[0]!.task_id)).idempotency_key).toBe(
      createHash('sha256').update(canonical, 'utf8').digest('hex'),
    );
  });
});

describe('resubmit_listing: the deliberate second submission', () => {
  it('bumps the generation, creates the job that submits again with a new key, and audits who and why', async () => {
    const customer = await insertCustomer(db.pool);
    const [dir] = await insertDirectories(db.pool, 1);
    const first = await rpc<CreatedJob>(db.pool, 'create_job', {
      p_customer_id: customer.id,
      p_directory_ids: [dir!.id],
    });
    await submit(first.tasks[0]!.task_id);

    const result = await rpc(db.pool, 'resubmit_listing', {
      p_customer_id: customer.id,
      p_directory_id: dir!.id,
      p_reason: 'the directory lost the listing',
      p_actor: 'staff:key-1',
    });
    expect(result).toMatchObject({ outcome: 'resubmitted', generation: 2, previous_generation: 1 });
    const again = result.job as CreatedJob;
    expect(again.tasks).toHaveLength(1);
    expect(again.tasks[0]!.status).toBe('pending');
    const resubmitted = await task(again.tasks[0]!.task_id);
    expect(resubmitted.generation).toBe(2);
    expect(resubmitted.idempotency_key).not.toBe((await task(first.tasks[0]!.task_id)).idempotency_key);
    expect(await listing(customer.id, dir!.id)).toMatchObject({ generation: 2, task_id: resubmitted.id });
    await submit(resubmitted.id);
    const submitted = await db.pool.query(
      `select r.generation from public.job_results r join public.jobs j on j.id = r.job_id
        where j.customer_id = $1 and r.directory_id = $2 and r.status = 'submitted' order by r.generation`,
      [customer.id, dir!.id],
    );
    expect(submitted.rows.map((r) => r.generation)).toEqual([1, 2]);

    const audit = (await history(db.pool, { taskId: resubmitted.id })).find(
      (h) => h.event === 'listing_resubmitted',
    );
    expect(audit).toMatchObject({
      worker_id: 'staff:key-1',
      details: expect.objectContaining({
        reason: 'the directory lost the listing',
        actor: 'staff:key-1',
        previous_generation: 1,
        generation: 2,
        previous_task_id: first.tasks[0]!.task_id,
        previous_task_status: 'submitted',
      }),
    });
    // A job after the resubmission is a duplicate of generation 2.
    const third = await rpc<CreatedJob>(db.pool, 'create_job', {
      p_customer_id: customer.id,
      p_directory_ids: [dir!.id],
    });
    expect(third.tasks[0]!.status).toBe('already_listed');
    expect((await task(third.tasks[0]!.task_id)).listing_task_id).toBe(resubmitted.id);
  });

  it('is refused while the listing is in flight, and without a listing; bad arguments raise 22023 and change nothing', async () => {
    const customer = await insertCustomer(db.pool);
    const [dir, unused] = await insertDirectories(db.pool, 2);
    const first = await rpc<CreatedJob>(db.pool, 'create_job', {
      p_customer_id: customer.id,
      p_directory_ids: [dir!.id],
    });
    const args = {
      p_customer_id: customer.id,
      p_directory_id: dir!.id,
      p_reason: 'facts changed',
      p_actor: 'staff:k',
    };
    const before = await tableCounts(db.pool);
    const inFlight = await rpc(db.pool, 'resubmit_listing', args);
    expect(inFlight).toMatchObject({
      outcome: 'conflict',
      holder: { task_id: first.tasks[0]!.task_id, status: 'pending' },
    });
    expect(await rpc(db.pool, 'resubmit_listing', { ...args, p_directory_id: unused!.id })).toEqual({
      outcome: 'not_found',
    });
    for (const [bad, name] of [
      [{ p_reason: ' ' }, 'p_reason'],
      [{ p_reason: 'x'.repeat(501) }, 'p_reason'],
      [{ p_actor: '' }, 'p_actor'],
      [{ p_customer_id: null }, 'p_customer_id'],
      [{ p_directory_id: null }, 'p_directory_id'],
      [{ p_priority: 'p9' }, 'p_priority'],
    ] as const) {
      const error = await pgError(rpc(db.pool, 'resubmit_listing', { ...args, ...bad }));
      expect(error.code).toBe('22023');
      expect(error.message).toContain(name);
    }
    expect(await tableCounts(db.pool)).toEqual(before);
    expect((await listing(customer.id, dir!.id)).generation).toBe(1);
  });
});

describe('retention: purging old idempotency rows never makes a second submission possible', () => {
  it('a POST /jobs retried with the same Idempotency-Key after its key row was purged does not submit again', async () => {
    const customer = await insertCustomer(db.pool);
    const [dir] = await insertDirectories(db.pool, 1);
    const args = {
      p_principal: 'staff:key-1',
      p_idempotency_key: 'order-4711',
      p_request_hash: 'a'.repeat(64),
      p_customer_id: customer.id,
      p_directory_ids: [dir!.id],
    };
    const first = await rpc(db.pool, 'create_job_idempotent', args);
    expect(first.outcome).toBe('created');
    await submit(first.job.tasks[0].task_id);

    await db.pool.query(`update public.api_idempotency_keys set created_at = now() - interval '30 days'`);
    const purged = await rpc(db.pool, 'purge_expired_rows', {
      p_rate_limit_days: 1,
      p_idempotency_days: 7,
      p_dlq_alert_days: 30,
      p_inbound_mail_days: 30,
    });
    expect(purged.api_idempotency_keys).toBeGreaterThanOrEqual(1);

    // The replay protection is gone, so a new job is created: its task is a duplicate, not a submission.
    const retried = await rpc(db.pool, 'create_job_idempotent', args);
    expect(retried.outcome).toBe('created');
    expect(retried.job.job_id).not.toBe(first.job.job_id);
    expect(retried.job.tasks[0].status).toBe('already_listed');
    expect((await listing(customer.id, dir!.id)).task_id).toBe(first.job.tasks[0].task_id);
  });

  it('the task holding a listing cannot be deleted while it holds it (a purge of old jobs would fail, not forget)', async () => {
    const customer = await insertCustomer(db.pool);
    const [dir] = await insertDirectories(db.pool, 1);
    const job = await rpc<CreatedJob>(db.pool, 'create_job', {
      p_customer_id: customer.id,
      p_directory_ids: [dir!.id],
    });
    await submit(job.tasks[0]!.task_id);
    const error = await pgError(db.pool.query('delete from public.jobs where id = $1', [job.job_id]));
    expect(error.code).toBe('23503');
    expect(error.constraint).toBe('business_listings_task_id_fkey');
    // Deleting the business takes its listings along (the customer delete rule is unchanged).
    await db.pool.query('delete from public.customers where id = $1', [customer.id]);
    expect(await listing(customer.id, dir!.id)).toBeUndefined();
  });
});
