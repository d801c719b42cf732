import { randomUUID } from 'node:crypto';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { history, insertCustomer, releaseListings, rpc, tableCounts } from '../../support/database';
import { call, startApi, type ApiFixture } from './api-client';

/**
 * The jobs and queue endpoints over HTTP (local gateway -> real handlers -> RPC -> Postgres, fauxqs):
 * success and failure paths, idempotency, optimistic locking, cancellation, pagination, and the
 * authorization matrix.
 */
let api: ApiFixture;
let base: string;
let customerA: string;
let customerB: string;
let keys: { staff: string; admin: string; a: string; b: string; revoked: string };
let directoryIds: string[];

beforeAll(async () => {
  api = await startApi();
  base = api.gateway.url;
  customerA = api.env.demoCustomerId;
  customerB = (await insertCustomer(api.env.db.pool, { tier: 'starter' })).id;
  directoryIds = api.env.demoDirectories.map((d) => d.id);
  const revoked = await api.key('staff');
  await rpc(api.env.db.pool, 'revoke_api_key', { p_key_id: revoked.key_id });
  keys = {
    staff: (await api.key('staff')).key,
    admin: (await api.key('admin')).key,
    a: (await api.key('customer', customerA)).key,
    b: (await api.key('customer', customerB)).key,
    revoked: revoked.key,
  };
});

// Jobs, not listings, are under test here: every test may send the demo business's directories again.
beforeEach(async () => {
  await releaseListings(api.env.db.pool);
});

afterAll(async () => {
  await api?.stop();
});

const createJob = (key: string, body: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
  call(base, '/jobs', {
    method: 'POST',
    key,
    headers,
    body: { customer_id: customerA, directory_ids: [directoryIds[0]], ...body },
  });

async function drain(priority: 'p1' | 'p2' | 'p3'): Promise<string[]> {
  const bodies: string[] = [];
  for (;;) {
    const { Messages } = await api.env.aws.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: api.env.aws.queues[priority].url,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
      }),
    );
    if (!Messages || Messages.length === 0) return bodies;
    bodies.push(...Messages.map((m) => m.Body ?? ''));
  }
}

describe('POST /jobs', () => {
  it('creates a job for the customer key’s own customer at its tier', async () => {
    const response = await createJob(keys.a);

    expect(response.status).toBe(201);
    expect(response.json).toMatchObject({ priority: 'p2', tasks_total: 1, tasks_enqueued: 1 });
    expect(response.headers['x-ratelimit-limit']).toBe('100');
    expect(response.headers['x-correlation-id']).toEqual(expect.any(String));
  });

  it('replays the first answer for a retried Idempotency-Key, and never creates a second job', async () => {
    const key = `retry-${randomUUID()}`;
    const before = await tableCounts(api.env.db.pool);

    const responses = await Promise.all(
      [1, 2, 3, 4].map(() => createJob(keys.a, { notes: 'first' }, { 'idempotency-key': key })),
    );
    const again = await createJob(keys.a, { notes: 'first' }, { 'idempotency-key': key });
    const other = await createJob(keys.a, { notes: 'different' }, { 'idempotency-key': key });

    const ids = new Set([...responses, again].map((r) => r.json.job_id));
    expect(ids.size).toBe(1);
    expect([...responses, again].every((r) => r.status === 201)).toBe(true);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json).toEqual(responses.find((r) => !r.headers['idempotent-replayed'])!.json);
    expect((await tableCounts(api.env.db.pool)).jobs).toBe(before.jobs! + 1);
    expect(other.status).toBe(422);
    expect(other.json.error.message).toContain('Idempotency-Key');
  });

  it('keeps customers to their own customer and tier', async () => {
    const before = await tableCounts(api.env.db.pool);

    const foreign = await createJob(keys.b);
    const priority = await createJob(keys.a, { priority: 'p1' });
    const staff = await createJob(keys.staff, { customer_id: customerB, priority: 'p1' });

    expect(foreign.status).toBe(404);
    expect(priority.status).toBe(403);
    expect(staff.status).toBe(201);
    expect(staff.json.priority).toBe('p1');
    expect((await tableCounts(api.env.db.pool)).jobs).toBe(before.jobs! + 1);
  });

  it('refuses bad bodies, media types and headers with 4xx naming the problem, writing nothing', async () => {
    const before = await tableCounts(api.env.db.pool);
    const cases: [Parameters<typeof call>[2], number, string][] = [
      [{ body: '{"customer_id":' }, 400, 'JSON'],
      [{ body: { customer_id: customerA, directory_ids: directoryIds, extra: 1 } }, 400, 'extra'],
      [{ body: { customer_id: 'nope', directory_ids: directoryIds } }, 400, 'customer_id'],
      [{ body: { customer_id: customerA, directory_ids: [randomUUID()] } }, 400, 'director'],
      [{ body: 'customer_id=x', headers: { 'content-type': 'text/plain' } }, 415, 'Content-Type'],
      [
        {
          body: { customer_id: customerA, directory_ids: directoryIds },
          headers: { 'idempotency-key': 'ä' },
        },
        400,
        'Idempotency-Key',
      ],
    ];
    for (const [init, status, mentions] of cases) {
      const response = await call(base, '/jobs', { method: 'POST', key: keys.staff, ...init });

      expect(response.status).toBe(status);
      expect(response.json.error.message).toContain(mentions);
      expect(response.json.error.correlation_id).toEqual(expect.any(String));
    }
    expect(await tableCounts(api.env.db.pool)).toEqual(before);
  });
});

describe('GET /jobs/{id} and GET /jobs', () => {
  it('reads a job with an ETag; another customer’s job is 404 like a missing one', async () => {
    const job = (await createJob(keys.a)).json;

    const own = await call(base, `/jobs/${job.job_id}`, { key: keys.a });
    const foreign = await call(base, `/jobs/${job.job_id}`, { key: keys.b });
    const missing = await call(base, `/jobs/${randomUUID()}`, { key: keys.b });
    const malformed = await call(base, '/jobs/1%3B%20drop%20table%20jobs', { key: keys.a });

    expect(own.status).toBe(200);
    expect(own.headers.etag).toBe(`"${own.json.version}"`);
    expect(foreign.status).toBe(404);
    expect(foreign.json.error.code).toBe(missing.json.error.code);
    expect(malformed.status).toBe(400);
    expect(malformed.json.error.message).toContain('id');
  });

  it('pages through every job newest first with an opaque cursor, without gaps or repeats', async () => {
    const customer = (await insertCustomer(api.env.db.pool, { tier: 'pro' })).id;
    for (let i = 0; i < 5; i += 1) {
      await createJob(keys.staff, { customer_id: customer });
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = `/jobs?customer_id=${customer}&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const page = await call(base, query, { key: keys.staff });
      expect(page.status).toBe(200);
      seen.push(...page.json.jobs.map((job: { job_id: string }) => job.job_id));
      cursor = page.json.next_cursor;
      pages += 1;
    } while (cursor);

    const inDb = await api.env.db.pool.query(
      'select id from jobs where customer_id = $1 order by created_at desc, id desc',
      [customer],
    );
    expect(seen).toEqual(inDb.rows.map((row) => row.id));
    expect(pages).toBe(3);
  });

  it('filters by status and created range, and confines customers to their own jobs', async () => {
    const from = new Date(Date.now() - 3600_000).toISOString();
    const mine = await call(base, `/jobs?status=pending&created_from=${from}`, { key: keys.b });
    const theirs = await call(base, `/jobs?customer_id=${customerA}`, { key: keys.b });
    const future = await call(base, `/jobs?created_from=${new Date(Date.now() + 3600_000).toISOString()}`, {
      key: keys.staff,
    });

    expect(mine.status).toBe(200);
    expect(mine.json.jobs.every((job: { customer_id: string }) => job.customer_id === customerB)).toBe(true);
    expect(theirs.status).toBe(404);
    expect(future.json.jobs).toEqual([]);
  });

  it('refuses unknown, repeated and malformed query parameters with 400 naming them', async () => {
    const cases: [string, string][] = [
      ['/jobs?colour=red', 'colour'],
      ['/jobs?status=done', 'status'],
      ['/jobs?limit=0', 'limit'],
      ['/jobs?limit=5000', 'limit'],
      ['/jobs?status=pending&status=failed', 'status'],
      ['/jobs?cursor=bm90LWEtY3Vyc29y', 'cursor'],
      ['/jobs?created_from=yesterday', 'created_from'],
    ];
    for (const [path, mentions] of cases) {
      const response = await call(base, path, { key: keys.staff });

      expect(response.status).toBe(400);
      expect(response.json.error.message).toContain(mentions);
    }
  });
});

describe('PATCH /jobs/{id}', () => {
  it('needs If-Match (428), refuses a stale version (412), and updates with the current one', async () => {
    const job = (await createJob(keys.a)).json;
    const path = `/jobs/${job.job_id}`;

    const without = await call(base, path, { method: 'PATCH', key: keys.a, body: { notes: 'x' } });
    const ok = await call(base, path, {
      method: 'PATCH',
      key: keys.a,
      body: { notes: 'call before noon' },
      headers: { 'if-match': '"1"' },
    });
    const stale = await call(base, path, {
      method: 'PATCH',
      key: keys.a,
      body: { notes: 'lost update' },
      headers: { 'if-match': '"1"' },
    });

    expect(without.status).toBe(428);
    expect(ok.status).toBe(200);
    expect(ok.headers.etag).toBe('"2"');
    expect(ok.json.notes).toBe('call before noon');
    expect(stale.status).toBe(412);
    expect(stale.headers.etag).toBe('"2"');
    const row = await api.env.db.pool.query('select notes, version from jobs where id = $1', [job.job_id]);
    expect(row.rows[0]).toEqual({ notes: 'call before noon', version: 2 });
    expect((await history(api.env.db.pool, { jobId: job.job_id })).map((h) => h.event)).toContain(
      'job_updated',
    );
  });

  it('lets staff raise a pending job’s priority and sends its tasks to the new queue', async () => {
    await drain('p1');
    const job = (await createJob(keys.staff, { customer_id: customerB })).json;
    expect(job.priority).toBe('p3');

    const customer = await call(base, `/jobs/${job.job_id}`, {
      method: 'PATCH',
      key: keys.b,
      body: { priority: 'p1' },
      headers: { 'if-match': '"1"' },
    });
    const staff = await call(base, `/jobs/${job.job_id}`, {
      method: 'PATCH',
      key: keys.staff,
      body: { priority: 'p1' },
      headers: { 'if-match': '"1"' },
    });

    expect(customer.status).toBe(403);
    expect(staff.status).toBe(200);
    expect(staff.json.priority).toBe('p1');
    const p1 = (await drain('p1')).map((body) => JSON.parse(body));
    expect(p1.filter((m) => m.job_id === job.job_id)).toHaveLength(1);
  });

  it('refuses unknown fields, bad If-Match and other customers’ jobs, changing nothing', async () => {
    const job = (await createJob(keys.a)).json;
    const path = `/jobs/${job.job_id}`;
    const patch = (key: string, body: unknown, ifMatch = '"1"') =>
      call(base, path, { method: 'PATCH', key, body, headers: { 'if-match': ifMatch } });

    expect((await patch(keys.a, { status: 'completed' })).json.error.message).toContain('status');
    expect((await patch(keys.a, {})).status).toBe(400);
    expect((await patch(keys.a, { notes: 'x' }, 'yesterday')).json.error.message).toContain('If-Match');
    expect((await patch(keys.b, { notes: 'x' })).status).toBe(404);
    const row = await api.env.db.pool.query('select notes, version from jobs where id = $1', [job.job_id]);
    expect(row.rows[0]).toEqual({ notes: null, version: 1 });
  });
});

describe('POST /jobs/{id}/cancel', () => {
  it('cancels unclaimed tasks with history; their queued messages are then skipped', async () => {
    const job = (await createJob(keys.a, { directory_ids: directoryIds })).json;

    const cancelled = await call(base, `/jobs/${job.job_id}/cancel`, {
      method: 'POST',
      key: keys.a,
      body: { reason: 'customer asked' },
    });
    const again = await call(base, `/jobs/${job.job_id}/cancel`, { method: 'POST', key: keys.a });

    expect(cancelled.status).toBe(200);
    expect(cancelled.json).toMatchObject({ tasks_cancelled: 3, job: { status: 'cancelled' } });
    expect(again.status).toBe(409);
    const tasks = await api.env.db.pool.query(
      'select id, status, error_class from job_results where job_id = $1',
      [job.job_id],
    );
    expect(tasks.rows.every((t) => t.status === 'failed' && t.error_class === 'cancelled')).toBe(true);
    const claim = await rpc(api.env.db.pool, 'claim_task', {
      p_task_id: tasks.rows[0].id,
      p_worker_id: 'test-worker',
      p_lease_seconds: 60,
    });
    expect(claim).toMatchObject({ claimed: false, reason: 'finished' });
    const events = (await history(api.env.db.pool, { jobId: job.job_id })).map((h) => h.event);
    expect(events.filter((e) => e === 'task_cancelled')).toHaveLength(3);
    expect(events).toContain('job_cancelled');
  });

  it('answers 404 for another customer’s job and leaves it running', async () => {
    const job = (await createJob(keys.a)).json;

    const response = await call(base, `/jobs/${job.job_id}/cancel`, { method: 'POST', key: keys.b });

    expect(response.status).toBe(404);
    const row = await api.env.db.pool.query('select status from jobs where id = $1', [job.job_id]);
    expect(row.rows[0].status).toBe('pending');
  });
});

describe('GET and POST /queue/{customerId}', () => {
  it('shows a customer’s queue and enqueues its next pending job', async () => {
    const customer = (await insertCustomer(api.env.db.pool, { tier: 'enterprise' })).id;
    await drain('p1');
    // Created by the SQL function alone: committed, never sent (as after a crash before the send).
    const created = await rpc(api.env.db.pool, 'create_job', {
      p_customer_id: customer,
      p_directory_ids: directoryIds.slice(0, 2),
    });

    const queue = await call(base, `/queue/${customer}`, { key: keys.staff });
    const processed = await call(base, `/queue/${customer}`, { method: 'POST', key: keys.admin });
    const nothingLeft = await call(base, `/queue/${customer}`, { method: 'POST', key: keys.staff });

    expect(queue.status).toBe(200);
    expect(queue.json).toMatchObject({
      customer: { tier: 'enterprise', priority: 'p1' },
      tasks: { pending: 2 },
    });
    expect(processed.status).toBe(200);
    expect(processed.json).toMatchObject({ job_id: created.job_id, tasks_enqueued: 2 });
    expect(nothingLeft.json).toEqual({ job_id: null, tasks_enqueued: 0 });
    expect(processed.headers['x-ratelimit-limit']).toBe('30');
    const sent = (await drain('p1')).map((body) => JSON.parse(body));
    expect(sent.filter((m) => m.job_id === created.job_id)).toHaveLength(2);
  });

  it('answers 404 for an unknown customer and 400 for a malformed id', async () => {
    expect((await call(base, `/queue/${randomUUID()}`, { key: keys.staff })).status).toBe(404);
    expect((await call(base, `/queue/${randomUUID()}`, { method: 'POST', key: keys.staff })).status).toBe(
      404,
    );
    expect((await call(base, `/queue/not-a-uuid`, { key: keys.staff })).json.error.message).toContain(
      'customerId',
    );
  });
});

describe('authorization matrix', () => {
  it('answers each key kind on each route as documented', async () => {
    const job = (await createJob(keys.a)).json;
    const routes: [string, string, unknown?][] = [
      ['POST', '/jobs', { customer_id: customerA, directory_ids: [directoryIds[1]] }],
      ['GET', '/jobs'],
      ['GET', `/jobs/${job.job_id}`],
      ['PATCH', `/jobs/${job.job_id}`, { notes: 'matrix' }],
      ['POST', `/jobs/${job.job_id}/cancel`],
      ['GET', `/queue/${customerA}`],
      ['POST', `/queue/${customerA}`],
    ];
    // What each key gets; PATCH sends a stale If-Match so that allowed callers answer 412 without changing anything.
    const expected: Record<string, number[]> = {
      customerA: [201, 200, 200, 412, 200, 403, 403],
      customerB: [404, 200, 404, 404, 404, 403, 403],
      // A revoked key is a failed attempt: after RATE_LIMITS.auth (5) of them its IP gets 429.
      revoked: [403, 403, 403, 403, 403, 429, 429],
      none: [401, 401, 401, 401, 401, 401, 401],
    };
    const keyOf: Record<string, string | undefined> = {
      customerA: keys.a,
      customerB: keys.b,
      revoked: keys.revoked,
      none: undefined,
    };
    for (const [who, statuses] of Object.entries(expected)) {
      const got: number[] = [];
      for (const [method, path, body] of routes) {
        const response = await call(base, path, {
          method,
          key: keyOf[who],
          body,
          headers: { 'if-match': '"99"' },
          from: who === 'revoked' ? '127.0.0.9' : undefined, // failed attempts are counted per IP
        });
        got.push(response.status);
        expect(response.json.error?.correlation_id ?? 'ok').toEqual(expect.any(String));
      }
      expect({ who, got }).toEqual({ who, got: statuses });
    }

    // Staff and admin: every route; the job was cancelled above by its customer, so cancel is 409.
    for (const key of [keys.staff, keys.admin]) {
      const got: number[] = [];
      for (const [method, path, body] of routes) {
        got.push((await call(base, path, { method, key, body, headers: { 'if-match': '"99"' } })).status);
      }
      expect(got).toEqual([201, 200, 200, 412, 409, 200, 200]);
    }
  });
});
