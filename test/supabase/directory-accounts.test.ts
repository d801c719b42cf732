/**
 * Directory accounts and email verification in SQL (…_baseline_schema.sql and …_baseline_functions_accounts.sql), against a
 * real PostgreSQL: the account is stored once and only sealed, a task waits visibly for its mail and is
 * never claimed while it does, a mail is recorded once and wakes its task, and the sweeper's deadline ends
 * a wait that nothing answers.
 */
import { ACCOUNTS } from '../../lambdas/platform/system-config';
import {
  createTestDatabase,
  history,
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

const SEALED = { v: 1, alg: 'AES-256-GCM', key_id: 'k', edk: 'ZWRr', iv: 'aXY=', tag: 'dGFn', ct: 'Y3Q=' };
const ACCOUNT = {
  signup_url: 'https://join.directory-a.example/signup',
  login_url: 'https://directory-a.example/login',
  email_verification: true,
  login_before_listing: true,
};

/** A claimed task on a directory that needs an account: its fence, ids and submission address. */
async function claimedTask() {
  const customer = await insertCustomer(db.pool);
  const [directory] = await insertDirectories(db.pool, 1, { account: JSON.stringify(ACCOUNT) });
  const job = await rpc(db.pool, 'create_job', {
    p_customer_id: customer.id,
    p_directory_ids: [directory!.id],
    p_priority: 'p2',
  });
  const taskId = job.tasks[0].task_id as string;
  const claim = await rpc(db.pool, 'claim_task', {
    p_task_id: taskId,
    p_worker_id: 'w-1',
    p_lease_seconds: 60,
  });
  expect(claim.claimed).toBe(true);
  const fence = { p_task_id: taskId, p_worker_id: 'w-1', p_attempt: claim.task.attempt as number };
  return { customer, directory: directory!, jobId: job.job_id as string, taskId, fence, claim };
}

async function taskRow(id: string) {
  return (await db.pool.query('select * from public.job_results where id = $1', [id])).rows[0];
}

describe('submission addresses', () => {
  it('gives every customer its own unguessable local part in the format the mail code parses', async () => {
    const a = await insertCustomer(db.pool);
    const b = await insertCustomer(db.pool);

    expect(a.submission_local_part).toMatch(/^b-[a-z2-7]{16}$/);
    expect(b.submission_local_part).toMatch(/^b-[a-z2-7]{16}$/);
    expect(a.submission_local_part).not.toBe(b.submission_local_part);
  });

  it('carries the local part and the account settings in the claimed task', async () => {
    const { claim, customer } = await claimedTask();

    expect(claim.task.submission_local_part).toBe(customer.submission_local_part);
    expect(claim.task.directory.account).toEqual(ACCOUNT);
  });
});

describe('directories.account', () => {
  it.each([
    [{ login_url: 'https://d.example/login' }, 'no signup_url'],
    [{ signup_url: 'javascript:alert(1)' }, 'not http(s)'],
    [{ signup_url: 'https://d.example/join', email_verification: 'yes' }, 'not a boolean'],
    [{ signup_url: 'https://d.example/join', verification_hours: 0 }, 'hours out of range'],
    [{ signup_url: 'https://d.example/join', password: 'x' }, 'an unknown key'],
  ])('refuses %j (%s)', async (account, _why) => {
    const error = await pgError(insertDirectories(db.pool, 1, { account: JSON.stringify(account) }));
    expect(error.constraint).toBe('directories_account_shape');
  });

  it('takes waits up to ACCOUNTS.maxVerificationHours, as the API does, and no longer', async () => {
    const longest = {
      signup_url: 'https://d.example/join',
      verification_hours: ACCOUNTS.maxVerificationHours,
    };
    const tooLong = { ...longest, verification_hours: ACCOUNTS.maxVerificationHours + 1 };

    const [accepted] = await insertDirectories(db.pool, 1, { account: JSON.stringify(longest) });
    const refused = await pgError(insertDirectories(db.pool, 1, { account: JSON.stringify(tooLong) }));

    expect((accepted as unknown as { account: unknown }).account).toEqual(longest);
    expect(refused.constraint).toBe('directories_account_shape');
    const t = await claimedTask();
    await rpc(db.pool, 'begin_directory_sign_up', {
      ...t.fence,
      p_login_email: 'x@mail.example.com',
      p_sealed_credentials: SEALED,
    });
    const waited = await rpc(db.pool, 'await_email_verification', {
      ...t.fence,
      p_timeout_seconds: ACCOUNTS.maxVerificationHours * 3600,
    });
    const beyond = await pgError(
      rpc(db.pool, 'await_email_verification', {
        ...t.fence,
        p_timeout_seconds: ACCOUNTS.maxVerificationHours * 3600 + 1,
      }),
    );
    expect(waited).toMatchObject({ recorded: true });
    expect(beyond.code).toBe('22023');
  });
});

describe('the account', () => {
  it('is stored once, sealed, and a second sign-up gets the first account back', async () => {
    const { fence, customer, directory, taskId } = await claimedTask();

    const first = await rpc(db.pool, 'begin_directory_sign_up', {
      ...fence,
      p_login_email: `${customer.submission_local_part}@mail.example.com`,
      p_sealed_credentials: SEALED,
    });
    const second = await rpc(db.pool, 'begin_directory_sign_up', {
      ...fence,
      p_login_email: 'other@mail.example.com',
      p_sealed_credentials: { ...SEALED, ct: 'b3RoZXI=' },
    });

    expect(first).toMatchObject({ recorded: true, created: true, account: { status: 'signing_up' } });
    expect(second).toMatchObject({ recorded: true, created: false });
    expect(second.account.sealed_credentials).toEqual(SEALED);
    expect(second.account.login_email).toBe(`${customer.submission_local_part}@mail.example.com`);
    const rows = await db.pool.query('select * from directory_accounts where directory_id = $1', [
      directory.id,
    ]);
    expect(rows.rowCount).toBe(1);
    const events = await history(db.pool, { taskId });
    expect(events.filter((e) => e.event === 'account_sign_up_started')).toHaveLength(1);
    expect(JSON.stringify(events)).not.toContain('edk');
  });

  it('refuses a plain password, a worker without the lease, and a bad address', async () => {
    const { fence, directory } = await claimedTask();

    const plain = await pgError(
      rpc(db.pool, 'begin_directory_sign_up', {
        ...fence,
        p_login_email: 'a@mail.example.com',
        p_sealed_credentials: { ...SEALED, password: 'hunter2' },
      }),
    );
    const stranger = await rpc(db.pool, 'begin_directory_sign_up', {
      ...fence,
      p_worker_id: 'w-2',
      p_login_email: 'a@mail.example.com',
      p_sealed_credentials: SEALED,
    });
    const address = await pgError(
      rpc(db.pool, 'begin_directory_sign_up', {
        ...fence,
        p_login_email: 'nope',
        p_sealed_credentials: SEALED,
      }),
    );

    expect(plain.code).toBe('22023');
    expect(stranger).toMatchObject({ recorded: false });
    expect(address.code).toBe('22023');
    // None of them opened an account.
    const accounts = await db.pool.query('select 1 from directory_accounts where directory_id = $1', [
      directory.id,
    ]);
    expect(accounts.rowCount).toBe(0);
  });
});

describe('waiting for the verification mail', () => {
  async function signedUpAndWaiting() {
    const t = await claimedTask();
    await rpc(db.pool, 'begin_directory_sign_up', {
      ...t.fence,
      p_login_email: `${t.customer.submission_local_part}@mail.example.com`,
      p_sealed_credentials: SEALED,
    });
    const waited = await rpc(db.pool, 'await_email_verification', { ...t.fence, p_timeout_seconds: 3600 });
    return { ...t, waited };
  }
  const matchedMail = (t: Awaited<ReturnType<typeof signedUpAndWaiting>>, messageId: string) => ({
    message_id: messageId,
    s3_key: `inbound/${messageId}`,
    recipient: `${t.customer.submission_local_part}@mail.example.com`,
    sender_domain: 'directory-a.example',
    subject: 'Confirm your email',
    outcome: 'matched',
    customer_id: t.customer.id,
    directory_id: t.directory.id,
    verification_link: 'https://directory-a.example/confirm?token=secret-token',
  });

  it('leaves the lease, shows the deadline, and is not claimed while it waits', async () => {
    const t = await signedUpAndWaiting();

    const task = await taskRow(t.taskId);
    const claim = await rpc(db.pool, 'claim_task', {
      p_task_id: t.taskId,
      p_worker_id: 'w-3',
      p_lease_seconds: 60,
    });

    expect(t.waited).toMatchObject({ recorded: true, status: 'awaiting_verification', link_ready: false });
    expect(task).toMatchObject({ status: 'awaiting_verification', lease_owner: null });
    expect(new Date(task.verification_deadline).getTime() - Date.now()).toBeGreaterThan(3500_000);
    expect(claim).toMatchObject({ claimed: false, reason: 'awaiting_verification' });
  });

  it("lists the business's waits with the directory's hosts and pages for the inbound-mail Lambda", async () => {
    const t = await signedUpAndWaiting();

    const waits = await rpc(db.pool, 'verification_waits', {
      p_local_part: t.customer.submission_local_part,
    });
    const unknown = await rpc(db.pool, 'verification_waits', { p_local_part: 'b-aaaaaaaaaaaaaaaa' });
    const bad = await pgError(rpc(db.pool, 'verification_waits', { p_local_part: "x' or 1=1" }));

    expect(waits).toEqual({
      customer_id: t.customer.id,
      waits: [
        {
          task_id: t.taskId,
          directory_id: t.directory.id,
          directory_hosts: expect.arrayContaining(['directory-a.example', 'join.directory-a.example']),
          directory_urls: [t.directory.submission_url, ACCOUNT.signup_url, ACCOUNT.login_url],
          signed_up_at: expect.any(String),
        },
      ],
    });
    expect(unknown).toBeNull();
    expect(bad.code).toBe('22023');
  });

  it('records a mail once, stores its link on the account only, and queues the task again', async () => {
    const t = await signedUpAndWaiting();

    const recorded = await rpc(db.pool, 'record_inbound_mail', { p_mail: matchedMail(t, `m-${t.taskId}`) });
    const again = await rpc(db.pool, 'record_inbound_mail', { p_mail: matchedMail(t, `m-${t.taskId}`) });

    expect(recorded).toMatchObject({
      recorded: true,
      outcome: 'matched',
      woken: true,
      task: { task_id: t.taskId, job_id: t.jobId, priority: 'p2' },
    });
    expect(again).toEqual({ recorded: false, duplicate: true });
    expect((await taskRow(t.taskId)).status).toBe('queued');
    const account = await rpc(db.pool, 'get_directory_account', {
      p_customer_id: t.customer.id,
      p_directory_id: t.directory.id,
    });
    expect(account.verification_link).toBe('https://directory-a.example/confirm?token=secret-token');
    const events = await history(db.pool, { taskId: t.taskId });
    expect(events.at(-1)).toMatchObject({
      event: 'verification_link_received',
      from_status: 'awaiting_verification',
      to_status: 'queued',
      details: { link_host: 'directory-a.example' },
    });
    expect(JSON.stringify(events)).not.toContain('secret-token');
    const mail = (await db.pool.query('select * from inbound_mail where message_id = $1', [`m-${t.taskId}`]))
      .rows;
    expect(mail).toHaveLength(1);
    expect(mail[0]).toMatchObject({
      outcome: 'matched',
      task_id: t.taskId,
      link_host: 'directory-a.example',
    });
  });

  it('wakes a task whose wait began while its mail was being recorded (the wait committed first)', async () => {
    const t = await claimedTask();
    await rpc(db.pool, 'begin_directory_sign_up', {
      ...t.fence,
      p_login_email: `${t.customer.submission_local_part}@mail.example.com`,
      p_sealed_credentials: SEALED,
    });
    // The submitter's wait, in a transaction held open: the mail's recording reads the account before the
    // wait commits (no task waits yet) and then waits for the account's lock.
    const waiter = await db.pool.connect();
    let recording: Promise<{ woken: boolean }> | undefined;
    try {
      await waiter.query('begin');
      await waiter.query('set local role service_role');
      await waiter.query(
        `select public.await_email_verification(p_task_id => $1, p_worker_id => $2, p_attempt => $3,
                                                p_timeout_seconds => 3600)`,
        [t.fence.p_task_id, t.fence.p_worker_id, t.fence.p_attempt],
      );
      recording = rpc(db.pool, 'record_inbound_mail', {
        p_mail: matchedMail({ ...t, waited: null }, `race-${t.taskId}`),
      });
      // Until the recording is blocked on the account's row lock.
      for (let i = 0; i < 200; i += 1) {
        const blocked = await db.pool.query(
          `select 1 from pg_stat_activity where wait_event_type = 'Lock' and query like '%record_inbound_mail%'`,
        );
        if (blocked.rowCount) break;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      await waiter.query('commit');
    } finally {
      waiter.release();
    }

    const recorded = await recording!;

    expect(recorded).toMatchObject({ outcome: 'matched', woken: true, task: { task_id: t.taskId } });
    expect(await taskRow(t.taskId)).toMatchObject({ status: 'queued', verification_deadline: null });
  });

  it('says link_ready when the mail beat the wait, and keeps the lease', async () => {
    const t = await claimedTask();
    await rpc(db.pool, 'begin_directory_sign_up', {
      ...t.fence,
      p_login_email: 'x@mail.example.com',
      p_sealed_credentials: SEALED,
    });
    await rpc(db.pool, 'record_inbound_mail', {
      p_mail: {
        message_id: `early-${t.taskId}`,
        outcome: 'matched',
        customer_id: t.customer.id,
        directory_id: t.directory.id,
        verification_link: 'https://directory-a.example/confirm?token=1',
      },
    });

    const waited = await rpc(db.pool, 'await_email_verification', { ...t.fence, p_timeout_seconds: 3600 });

    expect(waited).toMatchObject({ recorded: true, link_ready: true });
    expect((await taskRow(t.taskId)).status).toBe('in_progress');
  });

  it('keeps unmatched and rejected mail with its reason, and refuses a matched one without a link', async () => {
    const unmatched = await rpc(db.pool, 'record_inbound_mail', {
      p_mail: {
        message_id: 'stray-1',
        recipient: 'someone@mail.example.com',
        outcome: 'unmatched',
        reason: 'unknown_recipient',
      },
    });
    const rejected = await rpc(db.pool, 'record_inbound_mail', {
      p_mail: { message_id: 'spam-1', outcome: 'rejected', reason: 'spam' },
    });
    const noLink = await pgError(
      rpc(db.pool, 'record_inbound_mail', {
        p_mail: { message_id: 'bad-1', outcome: 'matched', customer_id: null, directory_id: null },
      }),
    );
    const badReason = await pgError(
      rpc(db.pool, 'record_inbound_mail', {
        p_mail: { message_id: 'bad-2', outcome: 'unmatched', reason: 'Robert); drop' },
      }),
    );

    expect(unmatched).toMatchObject({ recorded: true, outcome: 'unmatched' });
    expect(rejected).toMatchObject({ recorded: true, outcome: 'rejected' });
    expect([noLink.code, badReason.code]).toEqual(['22023', '22023']);
    const kept = await db.pool.query(
      `select message_id, outcome, reason from inbound_mail where message_id in ('stray-1', 'spam-1', 'bad-1', 'bad-2') order by message_id`,
    );
    expect(kept.rows).toEqual([
      { message_id: 'spam-1', outcome: 'rejected', reason: 'spam' },
      { message_id: 'stray-1', outcome: 'unmatched', reason: 'unknown_recipient' },
    ]);
  });

  it('ends a wait past its deadline as needs_manual, counted on its job, and leaves the others waiting', async () => {
    const late = await signedUpAndWaiting();
    const onTime = await signedUpAndWaiting();
    await db.pool.query(
      `update job_results set verification_deadline = now() - interval '1 minute' where id = $1`,
      [late.taskId],
    );

    const swept = await rpc(db.pool, 'expire_verification_waits', { p_limit: 100 });

    expect(swept.expired_task_ids).toContain(late.taskId);
    expect(swept.expired_task_ids).not.toContain(onTime.taskId);
    expect(swept.waiting).toBeGreaterThanOrEqual(1);
    expect(await taskRow(late.taskId)).toMatchObject({
      status: 'needs_manual',
      error_class: 'verification_timeout',
    });
    expect((await taskRow(onTime.taskId)).status).toBe('awaiting_verification');
    const job = (
      await db.pool.query('select status, tasks_needs_manual from jobs where id = $1', [late.jobId])
    ).rows[0];
    expect(job).toEqual({ status: 'completed', tasks_needs_manual: 1 });
    const account = await rpc(db.pool, 'get_directory_account', {
      p_customer_id: late.customer.id,
      p_directory_id: late.directory.id,
    });
    expect(account.status).toBe('verification_failed');
  });

  it('cancels a waiting task with its job, and refuses to resubmit a listing still waiting', async () => {
    const waiting = await signedUpAndWaiting();
    const other = await signedUpAndWaiting();

    const resubmit = await rpc(db.pool, 'resubmit_listing', {
      p_customer_id: other.customer.id,
      p_directory_id: other.directory.id,
      p_reason: 'try again',
      p_actor: 'staff:test',
    });
    const cancelled = await rpc(db.pool, 'cancel_job', { p_job_id: waiting.jobId });

    expect(resubmit).toMatchObject({ outcome: 'conflict' });
    expect(cancelled).toMatchObject({ outcome: 'cancelled', tasks_cancelled: 1 });
    expect(await taskRow(waiting.taskId)).toMatchObject({ status: 'failed', error_class: 'cancelled' });
  });

  it('verifies the account for good, or marks it failed with the reason', async () => {
    const ok = await signedUpAndWaiting();
    const expired = await signedUpAndWaiting();
    for (const t of [ok, expired])
      await rpc(db.pool, 'record_inbound_mail', { p_mail: matchedMail(t, `v-${t.taskId}`) });
    const claimAgain = async (t: typeof ok) => {
      const claim = await rpc(db.pool, 'claim_task', {
        p_task_id: t.taskId,
        p_worker_id: 'w-9',
        p_lease_seconds: 60,
      });
      return { p_task_id: t.taskId, p_worker_id: 'w-9', p_attempt: claim.task.attempt as number };
    };

    const okFence = await claimAgain(ok);
    await rpc(db.pool, 'finish_email_verification', { ...okFence, p_outcome: 'verified' });
    await rpc(db.pool, 'finish_email_verification', {
      ...(await claimAgain(expired)),
      p_outcome: 'link_expired',
      p_reason: 'HTTP 410',
    });
    const bad = await pgError(rpc(db.pool, 'finish_email_verification', { ...okFence, p_outcome: 'maybe' }));

    const account = (t: typeof ok) =>
      rpc(db.pool, 'get_directory_account', { p_customer_id: t.customer.id, p_directory_id: t.directory.id });
    expect(await account(ok)).toMatchObject({ status: 'verified', verification_link: null });
    expect(await account(expired)).toMatchObject({
      status: 'verification_failed',
      failure_reason: 'HTTP 410',
    });
    expect(bad.code).toBe('22023');
  });

  it("lets a person mark a failed verification verified, audited; a waiting one stays its task's", async () => {
    const failed = await signedUpAndWaiting();
    const waiting = await signedUpAndWaiting();
    await rpc(db.pool, 'record_inbound_mail', { p_mail: matchedMail(failed, `v-${failed.taskId}`) });
    const claim = await rpc(db.pool, 'claim_task', {
      p_task_id: failed.taskId,
      p_worker_id: 'w-9',
      p_lease_seconds: 60,
    });
    await rpc(db.pool, 'finish_email_verification', {
      p_task_id: failed.taskId,
      p_worker_id: 'w-9',
      p_attempt: claim.task.attempt,
      p_outcome: 'link_expired',
      p_reason: 'HTTP 410',
    });
    const mark = (t: typeof failed, reason = 'confirmed by hand') =>
      rpc(db.pool, 'mark_directory_account_verified', {
        p_customer_id: t.customer.id,
        p_directory_id: t.directory.id,
        p_actor: 'admin:key-2',
        p_reason: reason,
      });
    const account = (t: typeof failed) =>
      rpc(db.pool, 'get_directory_account', { p_customer_id: t.customer.id, p_directory_id: t.directory.id });
    const waitingBefore = await account(waiting);

    const busy = await pgError(mark(waiting));
    const noReason = await pgError(mark(failed, '  '));
    const marked = await mark(failed);
    const again = await mark(failed);

    expect([busy.code, busy.message]).toEqual(['55006', expect.stringContaining('awaiting_verification')]);
    expect(await account(waiting)).toEqual(waitingBefore);
    expect(noReason.code).toBe('22023');
    expect(marked).toEqual({ status: 'verified', verified_at: expect.any(String), changed: true });
    expect(again).toEqual({ ...marked, changed: false });
    expect(await account(failed)).toMatchObject({
      status: 'verified',
      failure_reason: null,
      verification_link: null,
    });
    const audit = await history(db.pool, {});
    expect(
      audit
        .filter((e) => e.event === 'account_verified_by_hand')
        .map((e) => [e.from_status, e.to_status, e.worker_id, e.details.directory_id, e.details.reason]),
    ).toEqual([['verification_failed', 'verified', 'admin:key-2', failed.directory.id, 'confirmed by hand']]);
    await expect(
      rpc(db.pool, 'mark_directory_account_verified', {
        p_customer_id: failed.customer.id,
        p_directory_id: '00000000-0000-4000-8000-00000000dead',
        p_actor: 'admin:key-2',
        p_reason: 'confirmed by hand',
      }),
    ).resolves.toBeNull();
  });
});

describe('revealing credentials', () => {
  it('returns the sealed envelope and writes who asked and why, never the envelope, to queue_history', async () => {
    const t = await claimedTask();
    await rpc(db.pool, 'begin_directory_sign_up', {
      ...t.fence,
      p_login_email: 'x@mail.example.com',
      p_sealed_credentials: SEALED,
    });

    const revealed = await rpc(db.pool, 'reveal_directory_account', {
      p_customer_id: t.customer.id,
      p_directory_id: t.directory.id,
      p_actor: 'admin:key-1',
      p_reason: 'finish the sign-up by hand',
    });
    const noReason = await pgError(
      rpc(db.pool, 'reveal_directory_account', {
        p_customer_id: t.customer.id,
        p_directory_id: t.directory.id,
        p_actor: 'admin:key-1',
        p_reason: '',
      }),
    );

    expect(revealed).toMatchObject({ login_email: 'x@mail.example.com', sealed_credentials: SEALED });
    expect(noReason.code).toBe('22023');
    const audit = await db.pool.query(
      `select worker_id, details from queue_history where event = 'account_credentials_revealed' and details ->> 'customer_id' = $1`,
      [t.customer.id],
    );
    expect(audit.rows).toEqual([
      {
        worker_id: 'admin:key-1',
        details: {
          customer_id: t.customer.id,
          directory_id: t.directory.id,
          actor: 'admin:key-1',
          reason: 'finish the sign-up by hand',
        },
      },
    ]);
  });
});
