/**
 * Fault: the database goes away for a while. This file runs its own embedded PostgreSQL (the shared
 * test server cannot be stopped under other files), stops it with work in flight, and starts it again
 * on the same data directory and port.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  GetQueueAttributesCommand,
  SendMessageBatchCommand,
  SetQueueAttributesCommand,
} from '@aws-sdk/client-sqs';
import type { APIGatewayProxyResult, Context } from 'aws-lambda';
import pg from 'pg';
import { startLocalAws, type LocalAws } from '../../../local/emulators/sqs-s3';
import { freePort, seedDemoData, startEmbeddedPostgres } from '../../../local/runtime/database';
import { startDemoSite, type DemoSite } from '../../../local/demo-site/server';
import { lambdaEnvironment } from '../../../local/runtime/lambda-env';
import { migrate } from '../../../local/runtime/migrate';
import { startRpcServer, type RpcServer } from '../../../local/emulators/supabase-rpc';
import { apiEvent, context } from '../../support/handler-environment';
import { eventually, startWorker, type WorkerProcess } from '../../../local/runtime/worker-process';
import { OPERATIONS } from '../../../lambdas/platform/system-config';
import { startLocalProcess, type LocalProcess } from '../../support/local-process';

let dataDir: string;
let port: number;
let server: { url: string; adminUrl: string; dataDir: string; stop(): Promise<void> } | undefined;
let pool: pg.Pool;
let rpcServer: RpcServer;
let aws: LocalAws;
let demoSite: DemoSite;
let worker: WorkerProcess | undefined;
let stack: LocalProcess | undefined;
let health: (event: unknown, context: Context) => Promise<APIGatewayProxyResult>;
let getJob: typeof health;
let demo: { customerId: string; directoryIds: string[] };

const start = () =>
  startEmbeddedPostgres({ dataDir, port, settings: { fsync: 'off', synchronous_commit: 'off' } });

beforeAll(async () => {
  // The server's own folder, like global-setup's: as root it is handed to the `postgres` user, who
  // can then reach it (a folder inside the mode-700 temporary one would be moved elsewhere).
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'directorybolt-fault-db-'));
  port = await freePort();
  server = await start();
  const admin = new pg.Client({ connectionString: server.adminUrl });
  await admin.connect();
  await admin.query('create database directorybolt');
  await admin.end();
  await migrate(server.url);
  pool = new pg.Pool({ connectionString: server.url, max: 3 });
  pool.on('error', () => undefined); // connections die with the server on purpose
  demoSite = await startDemoSite();
  const directories = await seedDemoData(pool, { demoSiteUrl: demoSite.url });
  const customer = await pool.query<{ id: string }>(
    "select id from customers where external_ref = 'DEMO-CUSTOMER-001'",
  );
  demo = { customerId: customer.rows[0]!.id, directoryIds: directories.slice(0, 2).map((d) => d.id) };
  const serviceKey = randomBytes(16).toString('hex');
  rpcServer = await startRpcServer({ databaseUrl: server.url, serviceKey, onError: () => undefined });
  aws = await startLocalAws();
  Object.assign(
    process.env,
    lambdaEnvironment({ rpcUrl: rpcServer.url, serviceKey, aws, logLevel: 'SILENT' }),
    {
      SUBMITTER_ALLOWED_HOSTS: new URL(demoSite.url).host,
      DLQ_URL: aws.dlq.url,
      ARCHIVE_BUCKET: aws.archiveBucket,
      SLACK_WEBHOOK_URL: 'http://127.0.0.1:9/webhook',
      POWERTOOLS_METRICS_DISABLED: 'true',
    },
  );
  health = ((await import('../../../lambdas/handlers/api/health')) as { handler: typeof health }).handler;
  getJob = ((await import('../../../lambdas/handlers/api/get-job')) as { handler: typeof health }).handler;
});

afterAll(async () => {
  await stack?.stop();
  await worker?.kill('SIGKILL');
  await pool?.end().catch(() => undefined);
  await rpcServer?.stop();
  await aws?.stop();
  await demoSite?.stop();
  await server?.stop().catch(() => undefined);
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const getHealth = async () => {
  const response = await health(
    apiEvent({ method: 'GET', resource: '/health', path: '/health' }),
    context('health'),
  );
  return {
    status: response.statusCode,
    body: JSON.parse(response.body) as { status: string; checks: Record<string, string> },
  };
};

it('/health turns 503 while the database is down, and no task is lost when it returns', async () => {
  expect(await getHealth()).toEqual({
    status: 200,
    body: { status: 'healthy', checks: { database: 'up', queues: 'up' } },
  });

  // A job committed and enqueued (as create-job does), before any worker runs.
  const job = (
    await pool.query('select public.create_job($1, $2::uuid[]) as r', [demo.customerId, demo.directoryIds])
  ).rows[0].r;
  await aws.sqs.send(
    new SendMessageBatchCommand({
      QueueUrl: aws.queues[job.priority as 'p1' | 'p2' | 'p3'].url,
      Entries: job.tasks.map((t: { task_id: string }, i: number) => ({
        Id: String(i),
        MessageBody: JSON.stringify({ task_id: t.task_id, job_id: job.job_id, priority: job.priority }),
      })),
    }),
  );
  await pool.query('select public.mark_tasks_enqueued($1::uuid[])', [
    job.tasks.map((t: { task_id: string }) => t.task_id),
  ]);

  await server!.stop();
  // The last check's result serves for OPERATIONS.health.resultReuseMs; the next one sees the outage.
  const down = await eventually(
    '/health to see the outage',
    async () => {
      const answer = await getHealth();
      return answer.status === 503 ? answer : undefined;
    },
    OPERATIONS.health.resultReuseMs + OPERATIONS.health.checkTimeoutMs + 5_000,
  );
  expect(down).toEqual({
    status: 503,
    body: { status: 'unhealthy', checks: { database: 'down', queues: 'up' } },
  });
  // A keyed route cannot check its key: a retryable 503, never a 500 or a 401.
  const keyed = await getJob(
    apiEvent({
      method: 'GET',
      resource: '/jobs/{id}',
      path: `/jobs/${job.job_id}`,
      pathParameters: { id: job.job_id },
      headers: { 'x-api-key': 'dbk_any-key-while-the-database-is-down' },
    }),
    context('get-job'),
  );
  expect(keyed.statusCode).toBe(503);
  expect(keyed.headers?.['retry-after']).toBe('5');
  expect(JSON.parse(keyed.body).error).toMatchObject({ code: 'service_unavailable' });

  // Workers run into the outage: every delivery fails and its message goes invisible for the queue's
  // visibility timeout (12 minutes in AWS; seconds here, as the lease and the sweep are). The messages
  // are still in the queue, so the sweeper must not count the tasks as lost: they come back by themselves.
  await aws.sqs.send(
    new SetQueueAttributesCommand({
      QueueUrl: aws.queues[job.priority as 'p1' | 'p2' | 'p3'].url,
      Attributes: { VisibilityTimeout: '4' },
    }),
  );
  worker = await startWorker({
    TASK_LEASE_SECONDS: '10',
    TASK_HEARTBEAT_SECONDS: '2',
    STALE_QUEUED_SECONDS: '3',
    LOCAL_SWEEP_INTERVAL_SECONDS: '2',
    LOCAL_DLQ_CHECK_INTERVAL_SECONDS: '3600',
    LOCAL_RETENTION_INTERVAL_SECONDS: '86400',
    LOCAL_METRICS_FILE: '.local-data/test-metrics/database-down.jsonl',
  });
  await eventually(
    'the worker to take the messages while the database is down',
    async () => {
      const { Attributes } = await aws.sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: aws.queues[job.priority as 'p1' | 'p2' | 'p3'].url,
          AttributeNames: ['ApproximateNumberOfMessages'],
        }),
      );
      return Number(Attributes?.ApproximateNumberOfMessages) === 0 ? true : undefined;
    },
    30_000,
  );
  await new Promise((resolve) => setTimeout(resolve, 2000));
  expect(demoSite.submissions()).toHaveLength(0);

  server = await start();
  await eventually(
    'health to recover',
    async () => ((await getHealth()).status === 200 ? true : undefined),
    30_000,
  );

  const rows = await eventually(
    'every task of the job to be submitted',
    async () => {
      const result = await pool.query<{ status: string }>(
        'select status from job_results where job_id = $1',
        [job.job_id],
      );
      return result.rows.length === 2 && result.rows.every((r) => r.status === 'submitted')
        ? result.rows
        : undefined;
    },
    90_000,
  );
  expect(rows).toHaveLength(2);
  expect(demoSite.submissions().filter((s) => s.accepted)).toHaveLength(2);
  const lost = await pool.query(
    `select count(*)::int as n from queue_history
      where job_id = $1 and event = 'requeued_by_sweeper' and details ->> 'reason' = 'message_lost'`,
    [job.job_id],
  );
  expect(lost.rows[0].n).toBe(0);
});

it('killing the database process leaves `npm start` serving 503s, and it serves again once the database is back', async () => {
  const localData = await mkdtemp(path.join(os.tmpdir(), 'directorybolt-fault-stack-'));
  stack = await startLocalProcess({
    DATABASE_URL: server!.url,
    PORT: '0',
    LOCAL_DEMO_JOB: 'false',
    LOCAL_DATA_DIR: localData,
    LOCAL_METRICS_FILE: path.join(localData, 'metrics.jsonl'),
    LOCAL_SWEEP_INTERVAL_SECONDS: '3600',
    LOCAL_DLQ_CHECK_INTERVAL_SECONDS: '3600',
    LOCAL_RETENTION_INTERVAL_SECONDS: '86400',
  });
  const api = stack.banner('API');
  const staffKey = stack.banner('staff key');
  const unknownJob = '3f2b8a6e-1d4c-4e8a-9b7f-0c1d2e3f4a5b';
  const call = async (route: string, key?: string) => {
    const response = await fetch(`${api}${route}`, { headers: key ? { 'x-api-key': key } : {} }).catch(
      (error: unknown) => {
        throw new Error(`${route}: ${(error as Error).message}; the stack said:\n${stack?.output()}`);
      },
    );
    return { status: response.status, retryAfter: response.headers.get('retry-after') };
  };
  // Connections are open and idle in every pool (the gateway's key store and the RPC endpoint's).
  expect((await call(`/jobs/${unknownJob}`, staffKey)).status).toBe(404);
  expect((await call('/health')).status).toBe(200);

  // Kill PostgreSQL for real: SIGKILL to the postmaster, no shutdown of any kind.
  const postmasterPid = Number(
    (await readFile(path.join(server!.dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0],
  );
  process.kill(postmasterPid, 'SIGKILL');

  const down = await eventually(
    '/health to see the database gone',
    async () => {
      const answer = await call('/health');
      return answer.status === 503 ? answer : undefined;
    },
    OPERATIONS.health.resultReuseMs + OPERATIONS.health.checkTimeoutMs + 10_000,
  );
  expect(down.status).toBe(503);
  // A keyed route and a key the gateway has never seen: retryable 503s, never a 500 or a 401.
  expect(await call(`/jobs/${unknownJob}`, staffKey)).toEqual({ status: 503, retryAfter: '5' });
  expect(await call(`/jobs/${unknownJob}`, 'dbk_a-key-the-gateway-has-never-seen-before-now')).toEqual({
    status: 503,
    retryAfter: '5',
  });
  expect({ exitCode: stack.child.exitCode, output: stack.output() }).toEqual({
    exitCode: null,
    output: expect.any(String),
  });
  expect(stack.output()).not.toMatch(/unhandled|uncaught|DirectoryBolt local stack failed/i);

  // The database comes back (its orphaned backends may take a moment to go): the stack reconnects.
  server = await eventually(
    'the database to start again',
    async () => start().catch(() => undefined),
    30_000,
  );
  await eventually(
    '/health to recover',
    async () => ((await call('/health')).status === 200 ? true : undefined),
    30_000,
  );
  expect((await call(`/jobs/${unknownJob}`, staffKey)).status).toBe(404);
  expect(stack.child.exitCode).toBeNull();

  expect(await stack.stop()).toBe(0);
  stack = undefined;
  await rm(localData, { recursive: true, force: true });
});
