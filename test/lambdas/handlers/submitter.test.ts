import { GetObjectCommand } from '@aws-sdk/client-s3';
import { DeleteMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { history, insertDirectories, releaseListings, rpc, tableCounts } from '../../support/database';
import { context, startHandlerEnvironment, type HandlerEnvironment } from '../../support/handler-environment';

/**
 * The submitter handler on real Postgres (through the RPC endpoint), fauxqs SQS/S3, @sparticuz/chromium
 * and the demo directory site: SQS records in, outcomes, proof and history out.
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

// Jobs, not listings, are under test here: every test may send the demo business's directories again.
beforeEach(async () => {
  await releaseListings(env.db.pool);
});

afterAll(async () => {
  await shutdown?.();
  await env?.stop();
});

beforeEach(() => env.demoSite.reset());

/**
 * Creates a job through the SQL function and sends its messages as the API does (the API itself, with
 * its keys, is tested in test/system/api).
 */
async function enqueueJob(directoryIds: string[]): Promise<{ jobId: string; records: SQSRecord[] }> {
  const job = await rpc(env.db.pool, 'create_job', {
    p_customer_id: env.demoCustomerId,
    p_directory_ids: directoryIds,
  });
  for (const t of job.tasks as Array<{ task_id: string }>) {
    await env.aws.sqs.send(
      new SendMessageCommand({
        QueueUrl: env.aws.queues.p2.url,
        MessageBody: JSON.stringify({ task_id: t.task_id, job_id: job.job_id, priority: 'p2' }),
      }),
    );
  }
  await rpc(env.db.pool, 'mark_tasks_enqueued', {
    p_task_ids: (job.tasks as Array<{ task_id: string }>).map((t) => t.task_id),
  });
  const records = await env.receive('p2');
  expect(records).toHaveLength(directoryIds.length);
  return { jobId: job.job_id, records };
}

async function task(jobId: string) {
  const result = await env.db.pool.query(
    `select id, status, attempt, screenshot_key, listing_url, last_error, error_class, next_attempt_at
       from job_results where job_id = $1`,
    [jobId],
  );
  return result.rows[0];
}

async function directory(path: string): Promise<string> {
  const [row] = await insertDirectories(env.db.pool, 1, { submission_url: `${env.demoSite.url}${path}` });
  return row!.id;
}

it('submits each task of a batch in parallel and records the outcome with a screenshot in S3', async () => {
  const { jobId, records } = await enqueueJob(env.demoDirectories.map((d) => d.id));

  const response = await submit({ Records: records }, context('submitter'));

  expect(response.batchItemFailures).toEqual([]);
  const tasks = await env.db.pool.query(
    'select status, screenshot_key, listing_url from job_results where job_id = $1',
    [jobId],
  );
  expect(tasks.rows.map((row) => row.status)).toEqual(['submitted', 'submitted', 'submitted']);
  expect(env.demoSite.submissions().filter((s) => s.accepted)).toHaveLength(3);
  for (const row of tasks.rows) {
    expect(row.listing_url).toMatch(new RegExp(`^${env.demoSite.url}/listings/`));
    const object = await env.aws.s3.send(
      new GetObjectCommand({ Bucket: env.aws.screenshotBucket, Key: row.screenshot_key }),
    );
    expect(object.ContentType).toBe('image/png');
  }
  const job = await env.db.pool.query('select status, tasks_submitted from jobs where id = $1', [jobId]);
  expect(job.rows[0]).toEqual({ status: 'completed', tasks_submitted: 3 });
  const events = (await history(env.db.pool, { jobId })).map((row) => row.event);
  expect(events).toEqual(
    expect.arrayContaining(['claimed', 'submitting', 'task_submitted', 'job_completed']),
  );
  // The worker's liveness note: 'running' is written alongside the claims, 'idle' after it, so the
  // invocation leaves the worker idle.
  const workers = await env.db.pool.query(
    "select status from worker_heartbeats where worker_id like 'submitter:%'",
  );
  expect(workers.rows).toEqual([{ status: 'idle' }]);
});

it('two jobs for the same business and directory make one submission on the directory', async () => {
  // Both jobs go through the API's own create-and-enqueue path; the second sends nothing.
  const { createAndEnqueueJob } = await import('../../../lambdas/jobs/create-job');
  const quiet = { info: () => {}, warn: () => {}, error: () => {} };
  const deps = {
    rpc: <T>(fn: string, args: Record<string, unknown>) => rpc<T>(env.db.pool, fn, args),
    sqs: env.aws.sqs,
    queueUrls: { p1: env.aws.queues.p1.url, p2: env.aws.queues.p2.url, p3: env.aws.queues.p3.url },
    log: quiet,
  };
  const request = {
    customer_id: env.demoCustomerId,
    directory_ids: [env.demoDirectories[0]!.id],
    priority: 'p2' as const,
  };

  const first = await createAndEnqueueJob(deps, request);
  await submit({ Records: await env.receive('p2') }, context('submitter'));
  const second = await createAndEnqueueJob(deps, request);
  const leftover = await env.receive('p2');
  if (leftover.length > 0) await submit({ Records: leftover }, context('submitter'));

  expect(first.kind === 'created' && first.job.tasks_enqueued).toBe(1);
  expect(second.kind === 'created' && second.job).toMatchObject({
    tasks_enqueued: 0,
    tasks_already_listed: 1,
  });
  expect(leftover).toHaveLength(0);
  expect(env.demoSite.submissions()).toHaveLength(1);
  const jobs = await env.db.pool.query(
    `select j.status, r.status as task_status from jobs j join job_results r on r.job_id = j.id
      where j.id = any($1::uuid[]) order by j.created_at`,
    [[first.kind === 'created' && first.job.job_id, second.kind === 'created' && second.job.job_id]],
  );
  expect(jobs.rows).toEqual([
    { status: 'completed', task_status: 'submitted' },
    { status: 'completed', task_status: 'already_listed' },
  ]);
});

it('does nothing on a duplicate delivery of a finished task', async () => {
  const { jobId, records } = await enqueueJob([env.demoDirectories[0]!.id]);
  await submit({ Records: records }, context('submitter'));
  const historyBefore = (await history(env.db.pool, { jobId })).length;

  const again = await submit({ Records: records }, context('submitter'));

  expect(again.batchItemFailures).toEqual([]);
  expect(env.demoSite.submissions()).toHaveLength(1);
  expect((await history(env.db.pool, { jobId })).length).toBe(historyBefore);
  expect((await task(jobId)).status).toBe('submitted');
});

it('retries a transient failure later: the task goes back to queued and the message stays on the queue', async () => {
  // A directory that is down (503).
  const { jobId, records } = await enqueueJob([await directory('/forms/unavailable')]);

  const response = await submit({ Records: records }, context('submitter'));

  expect(response.batchItemFailures).toEqual([{ itemIdentifier: records[0]!.messageId }]);
  const after = await task(jobId);
  expect(after).toMatchObject({ status: 'queued', attempt: 1, error_class: 'transient' });
  const retry = (await history(env.db.pool, { jobId })).find((event) => event.event === 'retry_scheduled');
  expect(retry?.details).toMatchObject({ error_class: 'transient' });
  const delay = Number(retry?.details.delay_seconds);
  expect(delay).toBeGreaterThanOrEqual(0);
  expect(delay).toBeLessThanOrEqual(30); // first attempt: full jitter over the 30 s base
  // The retry's message comes back after that delay, which may be 0 s: take it off the queue so the
  // next test receives only its own.
  await env.aws.sqs.send(
    new DeleteMessageCommand({ QueueUrl: env.aws.queues.p2.url, ReceiptHandle: records[0]!.receiptHandle }),
  );
});

it('fails a task at once on a permanent error (the form is gone)', async () => {
  const { jobId, records } = await enqueueJob([await directory('/forms/no-such-form')]);

  const response = await submit({ Records: records }, context('submitter'));

  expect(response.batchItemFailures).toEqual([]);
  expect(await task(jobId)).toMatchObject({ status: 'failed', error_class: 'permanent' });
  const job = await env.db.pool.query('select status from jobs where id = $1', [jobId]);
  expect(job.rows[0].status).toBe('failed');
});

it('ends a CAPTCHA as needs_manual without submitting', async () => {
  const { jobId, records } = await enqueueJob([await directory('/forms/captcha')]);

  const response = await submit({ Records: records }, context('submitter'));

  expect(response.batchItemFailures).toEqual([]);
  expect((await task(jobId)).status).toBe('needs_manual');
  expect(env.demoSite.submissions()).toHaveLength(0);
});

it('reports a message that is not a task as a failed item and changes nothing', async () => {
  const before = await tableCounts(env.db.pool);
  const [valid] = (await enqueueJob([env.demoDirectories[0]!.id])).records;
  const poison: SQSRecord = { ...valid!, messageId: 'poison-1', body: '{"task_id": 42}' };
  const garbage: SQSRecord = { ...valid!, messageId: 'poison-2', body: 'not json' };
  const countsWithJob = await tableCounts(env.db.pool);

  const response = await submit({ Records: [poison, garbage] }, context('submitter'));

  expect(response.batchItemFailures).toEqual([
    { itemIdentifier: 'poison-1' },
    { itemIdentifier: 'poison-2' },
  ]);
  expect(await tableCounts(env.db.pool)).toEqual(countsWithJob);
  expect(countsWithJob.jobs).toBe((before.jobs ?? 0) + 1);
});
