import { randomUUID } from 'node:crypto';
import { DeleteQueueCommand } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { createApiKey } from '../../../../local/runtime/api-keys';
import { history, insertCustomer, releaseListings, tableCounts } from '../../../support/database';
import {
  apiEvent,
  context,
  startHandlerEnvironment,
  type HandlerEnvironment,
} from '../../../support/handler-environment';

/** POST /jobs and GET /jobs/{id} handlers on real Postgres (through the RPC endpoint) and fauxqs. */
let env: HandlerEnvironment;
let createJob: (
  event: ReturnType<typeof apiEvent>,
  ctx: ReturnType<typeof context>,
) => Promise<APIGatewayProxyResult>;
let getJob: typeof createJob;
/** The handler layer authenticates every request: a staff key, issued as any key is. */
let staffKey: string;

beforeAll(async () => {
  env = await startHandlerEnvironment();
  staffKey = (await createApiKey(env.db.pool, { role: 'staff' })).key;
  // Imported after the environment is set: handlers read their configuration at load, as in Lambda.
  createJob = (await import('../../../../lambdas/handlers/api/create-job')).handler;
  getJob = (await import('../../../../lambdas/handlers/api/get-job')).handler;
});

// Jobs, not listings, are under test here: every test may send the demo business's directories again.
beforeEach(async () => {
  await releaseListings(env.db.pool);
});

afterAll(async () => {
  await env?.stop();
});

const post = (body: unknown) =>
  createJob(
    apiEvent({
      method: 'POST',
      resource: '/jobs',
      path: '/jobs',
      body: typeof body === 'string' ? body : JSON.stringify(body),
      headers: { 'x-api-key': staffKey },
    }),
    context('create-job'),
  );
const get = (id: string) =>
  getJob(
    apiEvent({
      method: 'GET',
      resource: '/jobs/{id}',
      path: `/jobs/${id}`,
      pathParameters: { id },
      headers: { 'x-api-key': staffKey },
    }),
    context('get-job'),
  );

it('creates the job and its tasks, and sends one message per task to the tier’s queue', async () => {
  const directoryIds = env.demoDirectories.map((directory) => directory.id);

  const response = await post({ customer_id: env.demoCustomerId, directory_ids: directoryIds });

  expect(response.statusCode).toBe(201);
  const job = JSON.parse(response.body) as { job_id: string; priority: string; tasks_enqueued: number };
  expect(job).toMatchObject({ priority: 'p2', tasks_total: 3, tasks_enqueued: 3, status: 'pending' });
  expect(response.headers?.location).toBe(`/jobs/${job.job_id}`);

  const records = await env.receive('p2');
  const bodies = records.map((record) => JSON.parse(record.body) as Record<string, string>);
  expect(bodies).toHaveLength(3);
  expect(new Set(bodies.map((body) => body.task_id)).size).toBe(3);
  expect(bodies.every((body) => body.job_id === job.job_id && body.priority === 'p2')).toBe(true);

  const tasks = await env.db.pool.query('select status from job_results where job_id = $1', [job.job_id]);
  expect(tasks.rows.map((row) => row.status)).toEqual(['queued', 'queued', 'queued']);
  const events = (await history(env.db.pool, { jobId: job.job_id })).map((row) => row.event);
  expect(events.filter((event) => event === 'enqueued')).toHaveLength(3);
});

it('uses the priority the request asks for', async () => {
  const response = await post({
    customer_id: env.demoCustomerId,
    directory_ids: [env.demoDirectories[0]!.id],
    priority: 'p1',
  });

  expect(response.statusCode).toBe(201);
  expect(JSON.parse(response.body)).toMatchObject({ priority: 'p1', tasks_enqueued: 1 });
  expect(await env.receive('p1')).toHaveLength(1);
});

it('answers bad input with 400 naming the problem, and writes nothing', async () => {
  const before = await tableCounts(env.db.pool);
  const cases: [unknown, string][] = [
    ['{"customer_id":', 'JSON'],
    [{ directory_ids: [env.demoDirectories[0]!.id] }, 'customer_id'],
    [{ customer_id: env.demoCustomerId, directory_ids: 'all' }, 'directory_ids'],
    [{ customer_id: env.demoCustomerId, directory_ids: [randomUUID(), 'x'] }, 'directory_ids.1'],
    [
      { customer_id: env.demoCustomerId, directory_ids: [env.demoDirectories[0]!.id], priority: 'p9' },
      'priority',
    ],
    [
      {
        customer_id: env.demoCustomerId,
        directory_ids: [env.demoDirectories[0]!.id, env.demoDirectories[0]!.id],
      },
      'duplicates',
    ],
    [{ customer_id: randomUUID(), directory_ids: [env.demoDirectories[0]!.id] }, 'customer'],
  ];
  for (const [body, mentions] of cases) {
    const response = await post(body);

    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body).error.message).toContain(mentions);
  }
  expect(await tableCounts(env.db.pool)).toEqual(before);
});

it('keeps the job when its messages cannot be sent: the tasks stay pending for the sweeper', async () => {
  const starter = await insertCustomer(env.db.pool, { tier: 'starter' });
  await env.aws.sqs.send(new DeleteQueueCommand({ QueueUrl: env.aws.queues.p3.url }));

  const response = await post({ customer_id: starter.id, directory_ids: [env.demoDirectories[0]!.id] });

  // The send fails after the commit: the job exists and answers 201, its task waits in `pending`.
  expect(response.statusCode).toBe(201);
  const job = JSON.parse(response.body) as { job_id: string; tasks_enqueued: number };
  expect(job.tasks_enqueued).toBe(0);
  const tasks = await env.db.pool.query('select status from job_results where job_id = $1', [job.job_id]);
  expect(tasks.rows.map((row) => row.status)).toEqual(['pending']);
});

it('reads a job with its counters and results; unknown ids are 404, malformed ids 400', async () => {
  const created = JSON.parse(
    (await post({ customer_id: env.demoCustomerId, directory_ids: [env.demoDirectories[1]!.id] })).body,
  ) as { job_id: string };

  const found = await get(created.job_id);
  const missing = await get(randomUUID());
  const malformed = await get('1; drop table jobs');

  expect(found.statusCode).toBe(200);
  const job = JSON.parse(found.body);
  expect(job).toMatchObject({ job_id: created.job_id, status: 'pending', counters: { total: 1, queued: 1 } });
  expect(job.results[0].directory.slug).toBe(env.demoDirectories[1]!.slug);
  expect(found.headers?.etag).toBe(`"${job.version}"`);
  expect(missing.statusCode).toBe(404);
  expect(malformed.statusCode).toBe(400);
  expect(JSON.parse(malformed.body).error.correlation_id).toEqual(expect.any(String));
});
