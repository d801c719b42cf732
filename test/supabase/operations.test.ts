/** The operations SQL functions on a real database: validation, fencing, de-duplication, retention. */
import {
  history,
  insertCustomer,
  insertDirectories,
  json,
  pgError,
  rpc,
  tableCounts,
  createTestDatabase,
  type TestDatabase,
} from '../support/database';

let db: TestDatabase;
let customerId: string;
let directoryIds: string[];

beforeAll(async () => {
  db = await createTestDatabase();
  customerId = (await insertCustomer(db.pool)).id;
  directoryIds = (await insertDirectories(db.pool, 3)).map((d) => d.id);
});
afterAll(async () => db?.drop());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Every priority queue counted empty, now. */
const sweepArgs = {
  p_lease_grace_seconds: 1,
  p_pending_seconds: 1,
  p_queued_seconds: 1,
  p_limit: 1,
  p_queue_messages: { p1: 0, p2: 0, p3: 0 },
  p_queue_counted_at: new Date().toISOString(),
};

describe('argument validation', () => {
  it.each([
    ['sweep_stale_tasks', 'p_lease_grace_seconds', { ...sweepArgs, p_lease_grace_seconds: -1 }],
    ['sweep_stale_tasks', 'p_limit', { ...sweepArgs, p_limit: 0 }],
    ['sweep_stale_tasks', 'p_queue_messages', { ...sweepArgs, p_queue_messages: null }],
    ['sweep_stale_tasks', 'p_queue_messages', { ...sweepArgs, p_queue_messages: json([3]) }],
    ['sweep_stale_tasks', 'p_queue_messages', { ...sweepArgs, p_queue_messages: { p4: 1 } }],
    ['sweep_stale_tasks', 'p_queue_messages', { ...sweepArgs, p_queue_messages: { p1: -1 } }],
    ['sweep_stale_tasks', 'p_queue_messages', { ...sweepArgs, p_queue_messages: { p1: 1.5 } }],
    ['sweep_stale_tasks', 'p_queue_messages', { ...sweepArgs, p_queue_messages: { p1: '2' } }],
    ['sweep_stale_tasks', 'p_queue_counted_at', { ...sweepArgs, p_queue_counted_at: null }],
    ['mark_tasks_requeued', 'p_tasks', { p_tasks: json([]) }],
    ['mark_tasks_requeued', 'p_tasks[].task_id', { p_tasks: json([{ task_id: 'x', updated_at: 'now' }]) }],
    ['list_stale_workers', 'p_stale_seconds', { p_stale_seconds: null }],
    ['record_dead_letter', 'p_message_id', { p_message_id: '', p_body: 'x' }],
    ['record_dead_letter', 'p_body', { p_message_id: 'm', p_body: null }],
    ['claim_dlq_alerts', 'p_claim_seconds', { p_limit: 5, p_claim_seconds: 0 }],
    [
      'redrive_dead_letters',
      'p_message_ids',
      { p_message_ids: [], p_requested_by: 'a', p_retry_budget: 3, p_limit: 10 },
    ],
    [
      'redrive_dead_letters',
      'p_requested_by',
      { p_message_ids: null, p_requested_by: ' ', p_retry_budget: 3, p_limit: 10 },
    ],
    ['delete_archived_history', 'p_ids', { p_ids: [], p_older_than_days: 90, p_archive_key: 'k' }],
    [
      'purge_expired_rows',
      'p_rate_limit_days',
      { p_rate_limit_days: 0, p_idempotency_days: 7, p_dlq_alert_days: 90, p_inbound_mail_days: 30 },
    ],
    [
      'purge_expired_rows',
      'p_inbound_mail_days',
      { p_rate_limit_days: 2, p_idempotency_days: 7, p_dlq_alert_days: 90, p_inbound_mail_days: null },
    ],
    ['health_details', 'p_stale_worker_seconds', { p_lease_grace_seconds: 1, p_stale_worker_seconds: 0 }],
  ])('%s refuses a bad %s with 22023 naming the argument and changes nothing', async (fn, name, args) => {
    const before = await tableCounts(db.pool);
    const error = await pgError(rpc(db.pool, fn, args));
    expect(error.code).toBe('22023');
    expect(error.message).toContain(name);
    expect(await tableCounts(db.pool)).toEqual(before);
  });

  it('unknown rows are P0002', async () => {
    expect((await pgError(rpc(db.pool, 'mark_dlq_alert_sent', { p_message_id: 'nope' }))).code).toBe('P0002');
    const redrive = await pgError(
      rpc(db.pool, 'redrive_dead_letters', {
        p_message_ids: ['nope'],
        p_requested_by: 'a',
        p_retry_budget: 3,
        p_limit: 10,
      }),
    );
    expect(redrive.code).toBe('P0002');
  });

  it('only service_role may execute them', async () => {
    for (const role of ['anon', 'authenticated'] as const) {
      const error = await pgError(rpc(db.pool, 'health_ping', {}, role));
      expect(error.code).toBe('42501');
    }
  });
});

describe('sweep', () => {
  it('returns a pending task once it is stale, and mark_tasks_requeued is fenced on the row it saw', async () => {
    const job = await rpc(db.pool, 'create_job', {
      p_customer_id: customerId,
      p_directory_ids: [directoryIds[0]],
    });
    const taskId = job.tasks[0].task_id;
    expect(
      (
        await rpc(db.pool, 'sweep_stale_tasks', {
          p_lease_grace_seconds: 1,
          p_pending_seconds: 60,
          p_queued_seconds: 60,
          p_limit: 10,
          p_queue_messages: { p1: 0, p2: 0, p3: 0 },
          p_queue_counted_at: new Date().toISOString(),
        })
      ).requeue,
    ).toEqual([]);
    await sleep(1100);
    const swept = await rpc(db.pool, 'sweep_stale_tasks', {
      p_lease_grace_seconds: 1,
      p_pending_seconds: 1,
      p_queued_seconds: 60,
      p_limit: 10,
      p_queue_messages: { p1: 0, p2: 0, p3: 0 },
      p_queue_counted_at: new Date().toISOString(),
    });
    const candidate = swept.requeue.find((t: { task_id: string }) => t.task_id === taskId);
    expect(candidate).toMatchObject({
      from_status: 'pending',
      reason: 'never_enqueued',
      priority: job.priority,
    });

    // A worker got to it first (create-job's own send arrived): the sweeper's mark changes nothing.
    await rpc(db.pool, 'claim_task', { p_task_id: taskId, p_worker_id: 'live', p_lease_seconds: 60 });
    const marked = await rpc(db.pool, 'mark_tasks_requeued', {
      p_tasks: json([{ task_id: taskId, updated_at: candidate.updated_at }]),
    });
    expect(marked).toEqual({ requeued: 0, skipped: [taskId] });
    const row = await db.pool.query('select status, lease_owner from job_results where id = $1', [taskId]);
    expect(row.rows[0]).toEqual({ status: 'in_progress', lease_owner: 'live' });
    expect((await history(db.pool, { taskId })).map((e) => e.event)).not.toContain('requeued_by_sweeper');
  });

  it('reports workers that went silent while running, not idle ones', async () => {
    await rpc(db.pool, 'record_worker_heartbeat', { p_worker_id: 'silent', p_status: 'running' });
    await rpc(db.pool, 'record_worker_heartbeat', { p_worker_id: 'resting', p_status: 'idle' });
    await db.pool.query("update worker_heartbeats set last_heartbeat = now() - interval '1 hour'");
    const stale = await rpc(db.pool, 'list_stale_workers', { p_stale_seconds: 60 });
    expect(stale.map((w: { worker_id: string }) => w.worker_id)).toEqual(['silent']);
  });
});

describe('dead letters', () => {
  it('records a message once, counts the task on its job, and the outbox hands an alert to one run at a time', async () => {
    const job = await rpc(db.pool, 'create_job', {
      p_customer_id: customerId,
      p_directory_ids: [directoryIds[1], directoryIds[2]],
    });
    const taskId = job.tasks[0].task_id;
    const body = JSON.stringify({ task_id: taskId, job_id: job.job_id, priority: 'p2' });
    const first = await rpc(db.pool, 'record_dead_letter', {
      p_message_id: 'msg-1',
      p_body: body,
      p_receive_count: 5,
    });
    expect(first).toMatchObject({
      recorded: true,
      alert: { task_id: taskId, job_id: job.job_id, customer_id: customerId, task_status: 'dead_lettered' },
    });
    expect(await rpc(db.pool, 'record_dead_letter', { p_message_id: 'msg-1', p_body: body })).toEqual({
      recorded: false,
      reason: 'duplicate',
      alert_status: 'pending',
    });
    const counters = await db.pool.query('select status, tasks_dead_lettered from jobs where id = $1', [
      job.job_id,
    ]);
    expect(counters.rows[0]).toEqual({ status: 'pending', tasks_dead_lettered: 1 });

    const runA = await rpc(db.pool, 'claim_dlq_alerts', { p_limit: 10, p_claim_seconds: 60 });
    const runB = await rpc(db.pool, 'claim_dlq_alerts', { p_limit: 10, p_claim_seconds: 60 });
    expect(runA.map((a: { message_id: string }) => a.message_id)).toContain('msg-1');
    expect(runB.map((a: { message_id: string }) => a.message_id)).not.toContain('msg-1');

    const failed = await rpc(db.pool, 'mark_dlq_alert_failed', {
      p_message_id: 'msg-1',
      p_error: 'Slack answered 500',
      p_retry_base_seconds: 60,
      p_retry_cap_seconds: 600,
    });
    expect(failed).toMatchObject({ ok: true, send_attempts: 1 });
    // Not due again before its retry time.
    expect(
      (await rpc(db.pool, 'claim_dlq_alerts', { p_limit: 10, p_claim_seconds: 60 })).map(
        (a: { message_id: string }) => a.message_id,
      ),
    ).not.toContain('msg-1');
    expect(await rpc(db.pool, 'mark_dlq_alert_sent', { p_message_id: 'msg-1' })).toEqual({
      ok: true,
      already_sent: false,
    });
    expect(await rpc(db.pool, 'mark_dlq_alert_sent', { p_message_id: 'msg-1' })).toEqual({
      ok: true,
      already_sent: true,
    });

    // Redrive all: the task is queued again with a fresh budget, the counters and the audit follow.
    const redriven = await rpc(db.pool, 'redrive_dead_letters', {
      p_message_ids: null,
      p_requested_by: 'oncall',
      p_retry_budget: 3,
      p_limit: 10,
    });
    expect(redriven.redriven).toEqual([
      { message_id: 'msg-1', task_id: taskId, job_id: job.job_id, priority: job.priority },
    ]);
    const task = await db.pool.query(
      'select status, completed_at, max_attempts, attempt from job_results where id = $1',
      [taskId],
    );
    expect(task.rows[0]).toMatchObject({ status: 'queued', completed_at: null, max_attempts: 3 });
    const after = await db.pool.query('select tasks_dead_lettered from jobs where id = $1', [job.job_id]);
    expect(after.rows[0].tasks_dead_lettered).toBe(0);
    const again = await rpc(db.pool, 'redrive_dead_letters', {
      p_message_ids: ['msg-1'],
      p_requested_by: 'oncall',
      p_retry_budget: 3,
      p_limit: 10,
    });
    expect(again).toEqual({
      redriven: [],
      skipped: [{ message_id: 'msg-1', reason: 'task_not_dead_lettered', task_status: 'queued' }],
    });
  });
});

describe('retention', () => {
  it('deletes only archived ids that are old enough, and purges expired rows', async () => {
    const rows = await db.pool.query<{ id: string; old: boolean }>(
      `insert into queue_history (event, created_at) values ('old', now() - interval '100 days'), ('young', now())
       returning id, event = 'old' as old`,
    );
    const ids = rows.rows.map((r) => Number(r.id));
    const selected = await rpc(db.pool, 'select_history_for_archive', {
      p_older_than_days: 90,
      p_limit: 100,
    });
    expect(selected.map((r: { event: string }) => r.event)).toEqual(['old']);
    // Even if a caller passes a young id, it is not deleted.
    expect(
      await rpc(db.pool, 'delete_archived_history', {
        p_ids: ids,
        p_older_than_days: 90,
        p_archive_key: 'queue_history/x.jsonl',
      }),
    ).toEqual({ deleted: 1 });
    const left = await db.pool.query('select event from queue_history where id = any($1)', [ids]);
    expect(left.rows).toEqual([{ event: 'young' }]);

    await db.pool.query(
      `insert into rate_limit_requests (key, route, window_start, count) values ('k', 'r', now() - interval '3 days', 1), ('k', 'r', now(), 1)`,
    );
    // Mail: one past the mail bucket's expiry, verifying an account that stays verified; one recent.
    const mail = await db.pool.query<{ id: string; message_id: string }>(
      `insert into inbound_mail (message_id, received_at, outcome, reason, customer_id, directory_id)
       values ('old-mail', now() - interval '31 days', 'matched', null, $1, $2),
              ('new-mail', now() - interval '29 days', 'unmatched', 'no_recipient', null, null)
       returning id, message_id`,
      [customerId, directoryIds[0]],
    );
    const oldMail = mail.rows.find((r) => r.message_id === 'old-mail')!.id;
    await db.pool.query(
      `insert into directory_accounts (customer_id, directory_id, login_email, sealed_credentials, status,
                                       verification_mail_id, verified_at)
       values ($1, $2, 'b-test@mail.example', '{"edk": "x", "ct": "y"}', 'verified', $3, now())`,
      [customerId, directoryIds[0], oldMail],
    );

    const purged = await rpc(db.pool, 'purge_expired_rows', {
      p_rate_limit_days: 2,
      p_idempotency_days: 7,
      p_dlq_alert_days: 90,
      p_inbound_mail_days: 30,
    });
    expect(purged).toMatchObject({ rate_limit_requests: 1, inbound_mail: 1 });
    expect((await db.pool.query('select count(*)::int as n from rate_limit_requests')).rows[0].n).toBe(1);
    expect((await db.pool.query('select message_id from inbound_mail')).rows).toEqual([
      { message_id: 'new-mail' },
    ]);
    expect(
      (
        await db.pool.query(
          'select status, verification_mail_id from directory_accounts where customer_id = $1',
          [customerId],
        )
      ).rows,
    ).toEqual([{ status: 'verified', verification_mail_id: null }]);
    const logged = await history(db.pool, {});
    expect(logged.filter((e) => e.event === 'retention_purged').at(-1)?.details).toMatchObject({
      inbound_mail: 1,
    });
  });
});
