/**
 * Directories that need an account, end to end on the local stack as `npm start` runs it: the submitter
 * signs up on the demo site with the business's submission address, the demo site mails its link over
 * SMTP to the local SES stand-in, the inbound-mail Lambda records it and wakes the task, the submitter
 * follows the link, logs in and fills the listing form.
 */
import nodemailer from 'nodemailer';
import type { DemoAccount } from '../../../local/demo-site/accounts';
import type { DemoSubmission } from '../../../local/demo-site/server';
import { createTestDatabase, type TestDatabase } from '../../support/database';
import { startLocalProcess, type LocalProcess } from '../../support/local-process';

const VERIFY = '00000000-0000-4000-8000-000000000104';
const LOGIN_FIRST = '00000000-0000-4000-8000-000000000105';
const EXPIRING = '00000000-0000-4000-8000-000000000106';
const DEMO_CUSTOMER = '00000000-0000-4000-8000-000000000001';
const MAIL_DOMAIN = 'mail.directorybolt.localhost';
/** A task's whole path: sign-up, the mail, a second claim, the link, log-in, the listing. */
const FINISH_MS = 120_000;

describe('directory accounts and email verification, end to end on the local stack', () => {
  let database: TestDatabase;
  let stack: LocalProcess;
  let api: string;
  let adminKey: string;
  let demoSite: string;
  let smtpUrl: string;
  const staffKey = `accounts-${crypto.randomUUID()}`;
  let firstJob: { job_id: string; tasks: { task_id: string; directory_id: string }[] };

  /** A job's tasks, from the database (POST /jobs answers with the job, not its tasks). */
  async function tasksOf(jobId: string) {
    const { rows } = await database.pool.query<{ task_id: string; directory_id: string }>(
      'select id as task_id, directory_id from job_results where job_id = $1',
      [jobId],
    );
    return rows;
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    stack = await startLocalProcess({
      DATABASE_URL: database.url,
      PORT: '0',
      LOCAL_API_KEY: staffKey,
      LOCAL_DEMO_JOB: 'false',
      LOCAL_MAIL_DOMAIN: MAIL_DOMAIN,
      // Every /accounts/expiring/ link has expired by the time anyone follows it.
      DEMO_EXPIRING_LINK_TTL_MS: '1',
      LOCAL_SWEEP_INTERVAL_SECONDS: '2',
      // Info logs too: the test looks for the password in everything the stack printed.
      LOG_LEVEL: 'INFO',
    });
    api = stack.banner('API');
    adminKey = stack.banner('admin key');
    demoSite = stack.banner('demo site');
    smtpUrl = stack.banner('mail (smtp)');
  }, 180_000);

  afterAll(async () => {
    const code = await stack?.stop();
    await database?.drop();
    expect(code).toBe(0);
  });

  async function call(path: string, init: { method?: string; body?: unknown; key?: string } = {}) {
    const response = await fetch(`${api}${path}`, {
      method: init.method ?? 'GET',
      headers: { 'content-type': 'application/json', 'x-api-key': init.key ?? staffKey },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    return { status: response.status, json: (await response.json()) as any };
  }
  const accounts = async () => (await (await fetch(`${demoSite}/_accounts`)).json()) as DemoAccount[];
  const submissions = async () =>
    (await (await fetch(`${demoSite}/_submissions`)).json()) as DemoSubmission[];

  /** Polls a task until it is in one of `statuses`; fails with the task and the stack's output. */
  async function taskReaches(taskId: string, statuses: string[], timeoutMs = FINISH_MS) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { rows } = await database.pool.query(
        'select status, last_error, verification_deadline from job_results where id = $1',
        [taskId],
      );
      if (statuses.includes(rows[0]?.status)) return rows[0] as { status: string; last_error: string | null };
      const terminal = ['submitted', 'needs_manual', 'failed', 'dead_lettered', 'already_listed'];
      if (Date.now() > deadline || terminal.includes(rows[0]?.status)) {
        throw new Error(`task ${taskId} is ${JSON.stringify(rows[0])}\nthe stack said:\n${stack.output()}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  const events = async (taskId: string) =>
    (
      await database.pool.query<{ event: string; to_status: string | null }>(
        'select event, to_status from queue_history where task_id = $1 order by id',
        [taskId],
      )
    ).rows;

  it(
    'signs up once, follows the mailed link, logs in and lists the business',
    async () => {
      const created = await call('/jobs', {
        method: 'POST',
        body: { customer_id: DEMO_CUSTOMER, directory_ids: [VERIFY, LOGIN_FIRST, EXPIRING] },
      });
      expect(created.status).toBe(201);
      firstJob = { job_id: created.json.job_id, tasks: await tasksOf(created.json.job_id) };
      const taskOf = (directoryId: string) =>
        firstJob.tasks.find((t) => t.directory_id === directoryId)!.task_id;

      // Act
      const verified = await taskReaches(taskOf(VERIFY), ['submitted', 'needs_manual', 'failed']);
      const loggedIn = await taskReaches(taskOf(LOGIN_FIRST), ['submitted', 'needs_manual', 'failed']);

      // Assess
      expect([verified.status, verified.last_error]).toEqual(['submitted', null]);
      expect([loggedIn.status, loggedIn.last_error]).toEqual(['submitted', null]);
      const { rows: customer } = await database.pool.query<{ submission_local_part: string }>(
        'select submission_local_part from customers where id = $1',
        [DEMO_CUSTOMER],
      );
      const address = `${customer[0]!.submission_local_part}@${MAIL_DOMAIN}`;
      const mine = (await accounts()).filter((a) => a.email === address);
      expect(mine.map((a) => [a.directory, a.signup_count, a.verified, a.confirm_clicks]).sort()).toEqual(
        [
          ['/accounts/expiring/', 1, false, 1],
          ['/accounts/login-first/', 1, false, 0],
          ['/accounts/verify/', 1, true, 1],
        ].sort(),
      );
      // The listing reached each directory once, from the logged-in account.
      const listed = (await submissions()).filter((s) => s.accepted && s.form.startsWith('accounts/'));
      expect(listed.map((s) => [s.form, s.account]).sort()).toEqual([
        ['accounts/login-first', address],
        ['accounts/verify', address],
      ]);
      // The task either waited, visibly, and was woken by the mail, or the mail beat the wait.
      const verifyEvents = (await events(taskOf(VERIFY))).map((e) => e.event);
      expect(verifyEvents).toEqual(expect.arrayContaining(['account_sign_up_started', 'account_verified']));
      if (verifyEvents.includes('verification_awaited'))
        expect(verifyEvents).toContain('verification_link_received');
      const { rows: mail } = await database.pool.query(
        `select outcome, reason, directory_id, link_host from inbound_mail where customer_id = $1 order by received_at`,
        [DEMO_CUSTOMER],
      );
      expect(mail).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            outcome: 'matched',
            directory_id: VERIFY,
            link_host: new URL(demoSite).host.split(':')[0],
          }),
        ]),
      );
    },
    FINISH_MS + 30_000,
  );

  it(
    'ends a task whose link has expired as needs_manual, saying so',
    async () => {
      const taskId = firstJob.tasks.find((t) => t.directory_id === EXPIRING)!.task_id;

      const ended = await taskReaches(taskId, ['submitted', 'needs_manual', 'failed']);

      expect(ended.status).toBe('needs_manual');
      expect(ended.last_error).toMatch(/verification link was refused \(HTTP 410, expired\)/);
      const { rows } = await database.pool.query(
        `select a.status from directory_accounts a where a.customer_id = $1 and a.directory_id = $2`,
        [DEMO_CUSTOMER, EXPIRING],
      );
      expect(rows).toEqual([{ status: 'verification_failed' }]);
    },
    FINISH_MS,
  );

  it(
    'reuses the account for a deliberate resubmission: no second sign-up, one more log-in',
    async () => {
      const before = (await accounts()).find((a) => a.directory === '/accounts/verify/' && a.verified)!;
      const resubmitted = await call(`/customers/${DEMO_CUSTOMER}/listings/${VERIFY}/resubmit`, {
        method: 'POST',
        key: adminKey,
        body: { reason: 'the listing was removed by the directory' },
      });
      expect(resubmitted.status).toBe(201);
      const [task] = await tasksOf(resubmitted.json.job_id);
      const taskId = task!.task_id;

      const ended = await taskReaches(taskId, ['submitted', 'needs_manual', 'failed']);

      expect(ended.status).toBe('submitted');
      const after = (await accounts()).find(
        (a) => a.email === before.email && a.directory === '/accounts/verify/',
      )!;
      expect([after.signup_count, after.login_count]).toEqual([before.signup_count, before.login_count + 1]);
      expect((await events(taskId)).map((e) => e.event)).not.toContain('account_sign_up_started');
    },
    FINISH_MS,
  );

  it(
    'refuses a forged mail whose link points away from the directory, and keeps it as unmatched',
    async () => {
      // A directory whose sign-up mails nothing that verifies (log-in-first sends a welcome mail only), so
      // its task waits: the forged mail arrives while it does.
      const directory = await call('/directories', {
        method: 'POST',
        key: adminKey,
        body: {
          slug: 'demo-accounts-silent',
          name: 'Demo Directory (no verification mail)',
          submission_url: `${demoSite}/accounts/login-first/listing`,
          account: {
            signup_url: `${demoSite}/accounts/login-first/signup`,
            login_url: `${demoSite}/accounts/login-first/login`,
            email_verification: true,
            login_before_listing: true,
            verification_hours: 1,
          },
        },
      });
      expect(directory.status).toBe(201);
      const silentId = directory.json.id as string;
      const customer = await call('/customers', {
        method: 'POST',
        body: {
          business_name: 'Quiet Tailors',
          email: 'owner@quiet-tailors.example',
          phone: '+1 555 010 7788',
          website: 'https://quiet-tailors.example',
          address_line: '12 Loom Lane',
          city: 'Springfield',
          region: 'IL',
          postal_code: '62704',
          country: 'US',
          category: 'Tailor',
          description: 'Alterations and made-to-measure suits, by appointment.',
        },
      });
      expect(customer.status).toBe(201);
      const job = await call('/jobs', {
        method: 'POST',
        body: { customer_id: customer.json.id, directory_ids: [silentId] },
      });
      expect(job.status).toBe(201);
      const [task] = await tasksOf(job.json.job_id);
      const taskId = task!.task_id;
      await taskReaches(taskId, ['awaiting_verification'], 60_000);
      const address = `${customer.json.submission_local_part}@${MAIL_DOMAIN}`;

      // Act: a "Confirm" link on another host, sent as if by the directory.
      const transport = nodemailer.createTransport(smtpUrl);
      await transport.sendMail({
        from: 'no-reply@127.0.0.1',
        to: address,
        subject: 'Confirm your account',
        html: '<p><a href="https://directory-accounts.evil.example/verify?token=abc">Confirm your email</a></p>',
        text: 'Confirm your email: https://directory-accounts.evil.example/verify?token=abc',
      });
      transport.close();

      // Assess: recorded as unmatched, the task still waits, nothing was followed.
      const deadline = Date.now() + 30_000;
      let rows: { outcome: string; reason: string | null }[] = [];
      while (Date.now() < deadline) {
        ({ rows } = await database.pool.query(
          `select outcome, reason from inbound_mail where recipient = $1 and subject = 'Confirm your account'`,
          [address],
        ));
        if (rows.length > 0) break;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(rows).toEqual([{ outcome: 'unmatched', reason: 'no_matching_directory' }]);
      const { rows: current } = await database.pool.query('select status from job_results where id = $1', [
        taskId,
      ]);
      expect(current).toEqual([{ status: 'awaiting_verification' }]);
    },
    FINISH_MS,
  );

  it('ends a task whose mail never arrives at its deadline, and the sweeper loses none', async () => {
    const { rows: waiting } = await database.pool.query<{ id: string }>(
      `select id from job_results where status = 'awaiting_verification'`,
    );
    expect(waiting.length).toBeGreaterThan(0);
    // The deadline is an hour away; bring it to now rather than wait.
    await database.pool.query(
      `update job_results set verification_deadline = now() - interval '1 second' where status = 'awaiting_verification'`,
    );

    const ended = await Promise.all(
      waiting.map((t) => taskReaches(t.id, ['needs_manual', 'submitted', 'failed'], 30_000)),
    );

    expect(ended.map((t) => t.status)).toEqual(waiting.map(() => 'needs_manual'));
    expect(ended[0]!.last_error).toMatch(/verification mail did not arrive/);
    expect((await events(waiting[0]!.id)).at(-1)).toEqual({
      event: 'verification_timed_out',
      to_status: 'needs_manual',
    });
  }, 60_000);

  it('never writes the password to logs, API answers or queue_history; an admin can reveal it, audited', async () => {
    const revealed = await call('/admin/directory-accounts/reveal', {
      method: 'POST',
      key: adminKey,
      body: { customer_id: DEMO_CUSTOMER, directory_id: VERIFY, reason: 'finish the listing by hand' },
    });
    expect(revealed.status).toBe(200);
    const password = revealed.json.password as string;
    expect(password).toMatch(/^.{20}$/);

    const { rows: history } = await database.pool.query<{ text: string }>(
      `select string_agg(details::text, ' ') as text from queue_history`,
    );
    const job = await call(`/jobs/${firstJob.job_id}`);
    expect(history[0]!.text).not.toContain(password);
    expect(history[0]!.text).toContain('finish the listing by hand');
    expect(JSON.stringify(job.json)).not.toContain(password);
    expect(stack.output()).not.toContain(password);
    const { rows: stored } = await database.pool.query<{ sealed: string }>(
      `select sealed_credentials::text as sealed from directory_accounts where directory_id = $1`,
      [VERIFY],
    );
    expect(stored[0]!.sealed).not.toContain(password);
  });
});
