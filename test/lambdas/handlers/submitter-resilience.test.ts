import { randomBytes } from 'node:crypto';
import { GetQueueAttributesCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { POLITENESS, QUEUES, TASKS } from '../../../lambdas/platform/system-config';
import { history, insertCustomer, insertDirectories, rpc } from '../../support/database';
import { context, startHandlerEnvironment, type HandlerEnvironment } from '../../support/handler-environment';
import { listProcesses } from '../../support/processes';

/**
 * The submitter's outcomes on real parts (Postgres behind the RPC endpoint, fauxqs, @sparticuz/chromium,
 * the demo directory site): retries with their classes and delays, 429 deferrals that spend no attempt,
 * the circuit breaker, verification of uncertain submissions, a browser killed mid-submission and a
 * lease taken over.
 *
 * A redelivery is simulated by handing the same record to the handler again: the queue would do the same
 * after the visibility delay, and the test need not sleep through backoff delays of up to minutes.
 */
let env: HandlerEnvironment;
let submit: (event: SQSEvent, ctx: Context) => Promise<SQSBatchResponse>;
let shutdown: () => Promise<void>;

beforeAll(async () => {
  env = await startHandlerEnvironment();
  const module = await import('../../../lambdas/handlers/submitter');
  submit = module.handler;
  shutdown = module.shutdown;
});

afterAll(async () => {
  await shutdown?.();
  await env?.stop();
});

beforeEach(() => env.demoSite.reset());

interface Fixture {
  profile: Record<string, string>;
  dirId: string;
  email: string;
  jobIds: string[];
  taskIds: string[];
  records: SQSRecord[];
}

/**
 * A directory on the demo site and `jobs` jobs of one task each on it, for one customer with an email of
 * its own (the demo site counts flaky and rate-limited POSTs, and looks listings up, by email). Messages
 * are sent and received as the API and the event source mapping would.
 */
/**
 * One directory and `jobs` jobs for it, each for a business of its own (a business is listed on a
 * directory once: a second job of the same business would end already_listed, never reaching it).
 */
async function fixture(path: string, options: { jobs?: number; directory?: Record<string, unknown> } = {}) {
  // The demo customer's profile (it fits the demo forms' selects), with an email of its own.
  const demo = (await env.db.pool.query('select * from customers where id = $1', [env.demoCustomerId]))
    .rows[0];
  const newCustomer = (email: string) =>
    insertCustomer(env.db.pool, {
      ...Object.fromEntries(
        [
          'business_name',
          'phone',
          'website',
          'address_line',
          'city',
          'region',
          'postal_code',
          'country',
          'category',
          'description',
        ].map((column) => [column, demo[column]]),
      ),
      email,
    });
  const email = `owner-${randomBytes(4).toString('hex')}@resilience.example`;
  const customer = await newCustomer(email);
  const [dir] = await insertDirectories(env.db.pool, 1, {
    submission_url: `${env.demoSite.url}${path}`,
    max_concurrency: 10,
    ...options.directory,
  });
  const result: Fixture = {
    profile: customer as unknown as Record<string, string>,
    dirId: dir!.id,
    email,
    jobIds: [],
    taskIds: [],
    records: [],
  };
  for (let i = 0; i < (options.jobs ?? 1); i++) {
    const owner =
      i === 0 ? customer : await newCustomer(`owner-${randomBytes(4).toString('hex')}@resilience.example`);
    const job = await rpc(env.db.pool, 'create_job', {
      p_customer_id: owner.id,
      p_directory_ids: [dir!.id],
    });
    const taskId = job.tasks[0].task_id as string;
    await env.aws.sqs.send(
      new SendMessageCommand({
        QueueUrl: env.aws.queues.p2.url,
        MessageBody: JSON.stringify({ task_id: taskId, job_id: job.job_id, priority: 'p2' }),
      }),
    );
    await rpc(env.db.pool, 'mark_tasks_enqueued', { p_task_ids: [taskId] });
    result.jobIds.push(job.job_id);
    result.taskIds.push(taskId);
  }
  result.records = await receiveTasks(result.taskIds);
  return result;
}

/** Receives until a message of each task is in hand (ignores others' leftovers). */
async function receiveTasks(taskIds: string[], rounds = 15): Promise<SQSRecord[]> {
  const found = new Map<string, SQSRecord>();
  for (let i = 0; i < rounds && found.size < taskIds.length; i++) {
    for (const record of await env.receive('p2')) {
      const { task_id } = JSON.parse(record.body) as { task_id: string };
      if (taskIds.includes(task_id)) found.set(task_id, record);
    }
  }
  return taskIds.map((id) => {
    const record = found.get(id);
    if (!record) throw new Error(`no message for task ${id}`);
    return record;
  });
}

const verificationRule = () => JSON.stringify({ lookup_url: `${env.demoSite.url}/listings?email={email}` });

async function taskRow(taskId: string) {
  return (await env.db.pool.query('select * from job_results where id = $1', [taskId])).rows[0];
}

const accepted = () => env.demoSite.submissions().filter((s) => s.accepted);

/** An earlier attempt clicked submit, then its worker died (lease long expired). */
async function diedAfterSubmitClick(taskId: string) {
  const claim = await rpc(env.db.pool, 'claim_task', {
    p_task_id: taskId,
    p_worker_id: 'dead-worker',
    p_lease_seconds: 60,
  });
  await rpc(env.db.pool, 'mark_submitting', {
    p_task_id: taskId,
    p_worker_id: 'dead-worker',
    p_attempt: claim.task.attempt,
  });
  await env.db.pool.query(
    `update job_results set lease_expires_at = now() - interval '1 second' where id = $1`,
    [taskId],
  );
}

it('a flaky directory: transient failures are retried with backoff until the submission goes through once', async () => {
  // Prepare: the first two POSTs answer 500 after the click, so each retry verifies first
  const f = await fixture('/forms/flaky?fail=2', { directory: { verification: verificationRule() } });

  // Act
  const first = await submit({ Records: f.records }, context('submitter'));
  const second = await submit({ Records: f.records }, context('submitter'));
  const third = await submit({ Records: f.records }, context('submitter'));

  // Assess
  const failed = [{ itemIdentifier: f.records[0]!.messageId }];
  expect([first.batchItemFailures, second.batchItemFailures, third.batchItemFailures]).toEqual([
    failed,
    failed,
    [],
  ]);
  expect(await taskRow(f.taskIds[0]!)).toMatchObject({ status: 'submitted', attempt: 3, error_class: null });
  expect(accepted()).toHaveLength(1);
  const events = await history(env.db.pool, { taskId: f.taskIds[0] });
  const retries = events.filter((e) => e.event === 'retry_scheduled');
  expect(retries.map((e) => [e.attempt, e.details.error_class])).toEqual([
    [1, 'transient'],
    [2, 'transient'],
  ]);
  for (const [i, retry] of retries.entries()) {
    // Full jitter over base * 2^(attempt-1)
    expect(Number(retry.details.delay_seconds)).toBeGreaterThanOrEqual(0);
    expect(Number(retry.details.delay_seconds)).toBeLessThanOrEqual(TASKS.retryBackoff.baseSeconds * 2 ** i);
  }
  expect(events.map((e) => e.event)).toEqual([
    'task_created',
    'enqueued',
    'claimed',
    'submitting',
    'retry_scheduled',
    'verification_claimed',
    'verified_not_submitted',
    'claimed',
    'submitting',
    'retry_scheduled',
    'verification_claimed',
    'verified_not_submitted',
    'claimed',
    'submitting',
    'task_submitted',
  ]);
});

it('429 honours Retry-After without spending an attempt: the task comes back as a fresh delayed message', async () => {
  // Prepare
  const f = await fixture('/forms/rate-limited?retry_after=2&times=1');

  // Act
  const response = await submit({ Records: f.records }, context('submitter'));
  const [redelivered] = await receiveTasks(f.taskIds);

  // Assess: this delivery succeeded (deleted by Lambda); a new message waits out Retry-After
  expect(response.batchItemFailures).toEqual([]);
  expect(await taskRow(f.taskIds[0]!)).toMatchObject({ status: 'queued', attempt: 0, rate_limited_count: 1 });
  const limited = (await history(env.db.pool, { taskId: f.taskIds[0] })).find(
    (e) => e.event === 'rate_limited',
  );
  expect(limited?.details).toMatchObject({
    error_class: 'rate_limited',
    attempt_refunded: true,
    retry_after_seconds: 2,
  });
  expect(Number(limited?.details.delay_seconds)).toBeGreaterThanOrEqual(2);
  expect(redelivered!.messageId).not.toBe(f.records[0]!.messageId);
  expect(redelivered!.body).toBe(f.records[0]!.body);
  expect(redelivered!.attributes.ApproximateReceiveCount).toBe('1');

  // Act: the fresh message arrives after the wait
  const again = await submit({ Records: [redelivered!] }, context('submitter'));

  // Assess: attempt 1 again, and submitted once
  expect(again.batchItemFailures).toEqual([]);
  expect(await taskRow(f.taskIds[0]!)).toMatchObject({ status: 'submitted', attempt: 1 });
  expect(accepted()).toHaveLength(1);
});

it('the breaker opens after N consecutive transient failures, defers the directory’s tasks, and closes on success', async () => {
  // Prepare: N tasks on a directory that is down, and one more
  const threshold = POLITENESS.breakerFailureThreshold;
  const f = await fixture('/forms/unavailable', { jobs: threshold + 1 });
  const failing = f.records.slice(0, threshold);
  const waiting = f.records[threshold]!;

  // Act: N failures
  const down = await submit({ Records: failing }, context('submitter'));
  const delayedBefore = await delayedMessages();
  const deferred = await submit({ Records: [waiting] }, context('submitter'));

  // Assess: open, and the next task waits without spending an attempt or a receive
  expect(down.batchItemFailures).toHaveLength(threshold);
  const dir = (await env.db.pool.query('select * from directories where id = $1', [f.dirId])).rows[0];
  expect(dir).toMatchObject({ breaker_state: 'open', consecutive_failures: threshold });
  expect(deferred.batchItemFailures).toEqual([]);
  expect(await taskRow(f.taskIds[threshold]!)).toMatchObject({ status: 'queued', attempt: 0 });
  const events = await history(env.db.pool, { taskId: f.taskIds[threshold] });
  const deferral = events.find((e) => e.event === 'claim_deferred');
  expect(deferral?.details).toMatchObject({ reason: 'directory_paused', directory_id: f.dirId });
  expect(Number(deferral?.details.delay_seconds)).toBeGreaterThanOrEqual(
    POLITENESS.breakerCooldownSeconds - 5,
  );
  expect(await delayedMessages()).toBe(delayedBefore + 1);
  const paused = await env.db.pool.query(
    `select count(*)::int as n from queue_history where event = 'directory_paused' and details ->> 'directory_id' = $1`,
    [f.dirId],
  );
  expect(paused.rows[0].n).toBe(1);

  // Act: the cooldown is over and the directory works again; the deferred message comes back
  await env.db.pool.query(
    `update directories set paused_until = now() - interval '1 second', submission_url = $2 where id = $1`,
    [f.dirId, `${env.demoSite.url}/forms/plain`],
  );
  const probe = await submit({ Records: [waiting] }, context('submitter'));

  // Assess: the probe went through and closed the breaker
  expect(probe.batchItemFailures).toEqual([]);
  expect(await taskRow(f.taskIds[threshold]!)).toMatchObject({ status: 'submitted', attempt: 1 });
  const after = (await env.db.pool.query('select * from directories where id = $1', [f.dirId])).rows[0];
  expect(after).toMatchObject({ breaker_state: 'closed', consecutive_failures: 0, paused_until: null });
  const probeEvents = (await history(env.db.pool, { taskId: f.taskIds[threshold] })).map((e) => e.event);
  expect(probeEvents).toEqual(
    expect.arrayContaining(['directory_half_open', 'task_submitted', 'directory_resumed']),
  );
});

describe('a task whose earlier attempt died after clicking submit is verified, never resubmitted blindly', () => {
  it('found: recorded as submitted with its listing URL, nothing posted again', async () => {
    // Prepare: the dead worker's click reached the directory
    const f = await fixture('/forms/plain', { directory: { verification: verificationRule() } });
    await diedAfterSubmitClick(f.taskIds[0]!);
    const posted = await fetch(`${env.demoSite.url}/forms/plain`, {
      method: 'POST',
      body: new URLSearchParams({
        company: f.profile.business_name!,
        contact_email: f.email,
        phone: f.profile.phone!,
        town: f.profile.city!,
        category: f.profile.category!,
      }),
      redirect: 'manual',
    });
    expect(posted.status).toBeLessThan(400);
    const [listing] = accepted();

    // Act
    const response = await submit({ Records: f.records }, context('submitter'));

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(await taskRow(f.taskIds[0]!)).toMatchObject({
      status: 'submitted',
      listing_url: `${env.demoSite.url}/listings/${listing!.id}`,
    });
    expect(accepted()).toHaveLength(1);
    const events = (await history(env.db.pool, { taskId: f.taskIds[0] })).map((e) => e.event);
    expect(events.slice(-2)).toEqual(['verification_claimed', 'verified_submitted']);
  });

  it('not found: the earlier attempt never arrived, so it is submitted now, once', async () => {
    // Prepare
    const f = await fixture('/forms/plain', { directory: { verification: verificationRule() } });
    await diedAfterSubmitClick(f.taskIds[0]!);

    // Act
    const response = await submit({ Records: f.records }, context('submitter'));

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(await taskRow(f.taskIds[0]!)).toMatchObject({ status: 'submitted', attempt: 2 });
    expect(accepted()).toHaveLength(1);
    const events = (await history(env.db.pool, { taskId: f.taskIds[0] })).map((e) => e.event);
    expect(events.slice(-5)).toEqual([
      'verification_claimed',
      'verified_not_submitted',
      'claimed',
      'submitting',
      'task_submitted',
    ]);
  });

  it('no rule: needs_manual, "may have been submitted; verify by hand"', async () => {
    // Prepare
    const f = await fixture('/forms/plain');
    await diedAfterSubmitClick(f.taskIds[0]!);

    // Act
    const response = await submit({ Records: f.records }, context('submitter'));

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(await taskRow(f.taskIds[0]!)).toMatchObject({
      status: 'needs_manual',
      last_error: 'may have been submitted; verify by hand',
    });
    expect(env.demoSite.submissions()).toHaveLength(0);
  });
});

it('a browser killed mid-submission is a transient failure; the retried delivery submits exactly once', async () => {
  // Prepare
  const f = await fixture('/forms/slow?ms=4000');
  const running = submit({ Records: f.records }, context('submitter'));

  // Act: kill Chromium while the slow page loads (claimed, a renderer up, the page's 4 s under way)
  await until(async () => (await taskRow(f.taskIds[0]!)).status === 'in_progress');
  const killed = await killChromiumOnceRendering();
  const first = await running;
  const second = await submit({ Records: f.records }, context('submitter'));

  // Assess
  expect(killed).toBeGreaterThan(0);
  expect(first.batchItemFailures).toEqual([{ itemIdentifier: f.records[0]!.messageId }]);
  const retry = (await history(env.db.pool, { taskId: f.taskIds[0] })).find(
    (e) => e.event === 'retry_scheduled',
  );
  expect(retry?.details.error_class).toBe('transient');
  expect(second.batchItemFailures).toEqual([]);
  expect(await taskRow(f.taskIds[0]!)).toMatchObject({ status: 'submitted', attempt: 2 });
  expect(accepted()).toHaveLength(1);
});

it('a worker whose lease was taken over records nothing and submits nothing', async () => {
  // Prepare
  const f = await fixture('/forms/slow?ms=3000');
  const running = submit({ Records: f.records }, context('submitter'));
  await until(async () => (await taskRow(f.taskIds[0]!)).status === 'in_progress');

  // Act: the lease is taken over while the page loads (as the sweeper would after the lease expired)
  await env.db.pool.query(
    `update job_results set lease_expires_at = now() - interval '1 second' where id = $1`,
    [f.taskIds[0]],
  );
  const usurper = await rpc(env.db.pool, 'claim_task', {
    p_task_id: f.taskIds[0],
    p_worker_id: 'usurper',
    p_lease_seconds: 60,
  });
  const response = await running;

  // Assess
  expect(usurper.claimed).toBe(true);
  expect(response.batchItemFailures).toEqual([]);
  expect(await taskRow(f.taskIds[0]!)).toMatchObject({
    status: 'in_progress',
    lease_owner: 'usurper',
    attempt: 2,
  });
  expect(env.demoSite.submissions()).toHaveLength(0);
  const events = (await history(env.db.pool, { taskId: f.taskIds[0] })).map((e) => e.event);
  expect(events).not.toContain('submitting');
  expect(events).not.toContain('task_submitted');
});

it('the app retry budget stays below the queues’ maxReceiveCount', () => {
  expect(TASKS.retryBudget).toBeLessThan(QUEUES.maxReceiveCount);
});

/** Messages on the p2 queue waiting out a DelaySeconds. */
async function delayedMessages(): Promise<number> {
  const { Attributes } = await env.aws.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: env.aws.queues.p2.url,
      AttributeNames: ['ApproximateNumberOfMessagesDelayed'],
    }),
  );
  return Number(Attributes?.ApproximateNumberOfMessagesDelayed ?? 0);
}

async function until(condition: () => Promise<boolean>, rounds = 200): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('condition not met');
}

/**
 * Waits for a Chromium renderer under this process (a page exists, its navigation under way), then
 * SIGKILLs the browser's main process by its id. Returns the id killed.
 */
async function killChromiumOnceRendering(): Promise<number> {
  let browserPid = 0;
  await until(async () => {
    const processes = listProcesses();
    const browser = processes.find(
      (p) => p.ppid === process.pid && /chrom/i.test(p.args) && !p.args.includes('--type='),
    );
    const renderer =
      browser &&
      processes.some((p) => p.args.includes('--type=renderer') && descends(processes, p.pid, browser.pid));
    if (browser && renderer) browserPid = browser.pid;
    return Boolean(browserPid);
  });
  // Into the page load, not the context's creation.
  await new Promise((resolve) => setTimeout(resolve, 500));
  process.kill(browserPid, 'SIGKILL');
  return browserPid;
}

function descends(processes: Array<{ pid: number; ppid: number }>, pid: number, ancestor: number): boolean {
  for (let current = pid, depth = 0; current > 1 && depth < 10; depth++) {
    const parent = processes.find((p) => p.pid === current)?.ppid;
    if (parent === ancestor) return true;
    if (parent === undefined) return false;
    current = parent;
  }
  return false;
}
