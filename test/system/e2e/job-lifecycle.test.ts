import { randomUUID } from 'node:crypto';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type pg from 'pg';
import { createTestDatabase } from '../../support/database';
import { startLocalProcess, type LocalProcess } from '../../support/local-process';

/**
 * The walking skeleton end to end: the local stack runs as `npm start` runs it, and the test is a
 * client over HTTP, from POST /jobs to a finished job with screenshots in S3.
 */
describe('a job, end to end on the local stack', () => {
  const apiKey = `e2e-${randomUUID()}`;
  let stack: LocalProcess;
  let database: { url: string; pool: pg.Pool; drop(): Promise<void> };
  let api: string;
  let customerId: string;
  let directoryIds: string[];

  beforeAll(async () => {
    database = await createTestDatabase();
    stack = await startLocalProcess({
      DATABASE_URL: database.url,
      PORT: '0',
      LOCAL_API_KEY: apiKey,
      LOCAL_DEMO_JOB: 'false',
    });
    api = stack.banner('API');
    const customer = await database.pool.query<{ id: string }>(
      "select id from customers where external_ref = 'DEMO-CUSTOMER-001'",
    );
    customerId = customer.rows[0]!.id;
    const directories = await database.pool.query<{ id: string }>(
      "select id from directories where slug in ('demo-plain', 'demo-labels', 'demo-multistep') order by slug",
    );
    directoryIds = directories.rows.map((row) => row.id);
  }, 180_000);

  afterAll(async () => {
    const code = await stack?.stop();
    await database?.drop();
    expect(code).toBe(0);
  });

  const call = (path: string, init: RequestInit & { key?: string | null } = {}) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (init.key !== null) headers['x-api-key'] = init.key ?? apiKey;
    return fetch(`${api}${path}`, { ...init, headers: { ...headers, ...(init.headers as object) } });
  };
  const jobCount = async () => Number((await database.pool.query('select count(*) from jobs')).rows[0].count);

  it('refuses requests without a valid API key and writes nothing', async () => {
    const body = JSON.stringify({ customer_id: customerId, directory_ids: directoryIds });
    const missing = await call('/jobs', { method: 'POST', body, key: null });
    const wrong = await call('/jobs', { method: 'POST', body, key: 'not-a-key' });

    expect(missing.status).toBe(401);
    expect(wrong.status).toBe(401);
    expect(await jobCount()).toBe(0);
  });

  it('answers invalid bodies with 400 naming the field, and writes nothing', async () => {
    const cases: [string, string][] = [
      ['{not json', 'JSON'],
      [JSON.stringify({ customer_id: 'nope', directory_ids: directoryIds }), 'customer_id'],
      [JSON.stringify({ customer_id: customerId, directory_ids: [] }), 'directory_ids'],
      [JSON.stringify({ customer_id: customerId, directory_ids: directoryIds, extra: 1 }), 'extra'],
      [JSON.stringify({ customer_id: randomUUID(), directory_ids: directoryIds }), 'customer'],
      [JSON.stringify({ customer_id: customerId, directory_ids: [randomUUID()] }), 'director'],
    ];
    for (const [body, mentions] of cases) {
      const response = await call('/jobs', { method: 'POST', body });
      const answer = (await response.json()) as { error: { message: string; correlation_id: string } };

      expect(response.status).toBe(400);
      expect(answer.error.message).toContain(mentions);
      expect(answer.error.correlation_id).toEqual(expect.any(String));
      expect(JSON.stringify(answer)).not.toMatch(/\bat .+\.ts:\d+/); // no stack trace
    }
    expect(await jobCount()).toBe(0);
  });

  it('answers unknown jobs with 404 and malformed ids with 400', async () => {
    expect((await call(`/jobs/${randomUUID()}`)).status).toBe(404);
    expect((await call('/jobs/not-a-uuid')).status).toBe(400);
  });

  it('submits every directory once and finishes the job with screenshots', async () => {
    const created = await call('/jobs', {
      method: 'POST',
      body: JSON.stringify({ customer_id: customerId, directory_ids: directoryIds }),
    });
    const job = (await created.json()) as { job_id: string; tasks_total: number; tasks_enqueued: number };
    expect(created.status).toBe(201);
    expect(job.tasks_total).toBe(3);
    expect(job.tasks_enqueued).toBe(3);

    const finished = await waitForJob(job.job_id, 120_000);

    expect(finished.status).toBe('completed');
    expect(finished.counters).toMatchObject({ total: 3, submitted: 3 });
    expect(finished.results.map((result) => result.status)).toEqual(['submitted', 'submitted', 'submitted']);
    const s3 = new S3Client({
      endpoint: stack.banner('sqs + s3'),
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    for (const result of finished.results) {
      expect(result.screenshot_key).toMatch(/\.png$/);
      const object = await s3.send(
        new GetObjectCommand({ Bucket: 'directorybolt-screenshots-local', Key: result.screenshot_key! }),
      );
      const png = Buffer.from(await object.Body!.transformToByteArray());
      expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    }
    s3.destroy();

    // Exactly once: the demo directories received one submission each.
    const received = (await (await fetch(`${stack.banner('demo site')}/_submissions`)).json()) as unknown[];
    expect(received).toHaveLength(3);

    // Every state change is in queue_history.
    const history = await database.pool.query<{ event: string }>(
      'select event from queue_history where job_id = $1 order by id',
      [job.job_id],
    );
    const events = history.rows.map((row) => row.event);
    expect(events.filter((event) => event === 'claimed')).toHaveLength(3);
    expect(events).toContain('job_completed');
  });

  interface JobView {
    status: string;
    counters: Record<string, number>;
    results: { status: string; screenshot_key: string | null }[];
  }

  async function waitForJob(jobId: string, timeoutMs: number): Promise<JobView> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const response = await call(`/jobs/${jobId}`);
      // With the stack's own output when it refuses, so that a failure says why.
      expect({ status: response.status, output: response.status === 200 ? '' : stack.output() }).toEqual({
        status: 200,
        output: '',
      });
      const job = (await response.json()) as JobView;
      if (job.status === 'completed' || job.status === 'failed') return job;
      if (Date.now() > deadline)
        throw new Error(`job still ${job.status}: ${JSON.stringify(job)}\n${stack.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
});
