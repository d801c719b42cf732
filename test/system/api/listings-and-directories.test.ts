/**
 * Issue 12 over HTTP (local gateway -> real handlers -> RPC -> Postgres, fauxqs): one listing per
 * business and directory (a second job does not submit again; a resubmission is explicit and audited),
 * directories managed after creation (GET and PATCH /directories/{id} with If-Match), and If-Match on
 * customer and mapping updates.
 */
import { insertCustomer, insertDirectories, rpc } from '../../support/database';
import { call, startApi, type ApiFixture } from './api-client';

let api: ApiFixture;
let base: string;
let keys: { staff: string; admin: string };

beforeAll(async () => {
  api = await startApi({ routes: /^\/(jobs|customers|directories)(?!.*test-submission)/ });
  base = api.gateway.url;
  keys = { staff: (await api.key('staff')).key, admin: (await api.key('admin')).key };
});
afterAll(async () => {
  await api?.stop();
});

async function historyOf(event: string, detail: string, value: string) {
  return (
    await api.env.db.pool.query(
      `select worker_id, details from public.queue_history where event = $1 and details ->> $2 = $3 order by id`,
      [event, detail, value],
    )
  ).rows;
}

/** A worker's run of one task: claim, "about to submit", submitted. */
async function submitTask(taskId: string): Promise<void> {
  const pool = api.env.db.pool;
  const claim = await rpc(pool, 'claim_task', {
    p_task_id: taskId,
    p_worker_id: 'w-test',
    p_lease_seconds: 60,
  });
  expect(claim.claimed).toBe(true);
  const attempt = claim.task.attempt as number;
  await rpc(pool, 'mark_submitting', { p_task_id: taskId, p_worker_id: 'w-test', p_attempt: attempt });
  await rpc(pool, 'complete_task', {
    p_task_id: taskId,
    p_worker_id: 'w-test',
    p_attempt: attempt,
    p_outcome: 'submitted',
    p_details: {},
  });
}

describe('one listing per business and directory', () => {
  it('a second job for the same business and directory is not sent: already_listed, linked to the first', async () => {
    const customer = await insertCustomer(api.env.db.pool);
    const [dir] = await insertDirectories(api.env.db.pool, 1);
    const body = { customer_id: customer.id, directory_ids: [dir!.id] };

    const first = await call(base, '/jobs', { method: 'POST', key: keys.staff, body });
    const second = await call(base, '/jobs', { method: 'POST', key: keys.staff, body });

    expect(first.status).toBe(201);
    expect(first.json).toMatchObject({ tasks_total: 1, tasks_enqueued: 1, tasks_already_listed: 0 });
    expect(second.status).toBe(201);
    expect(second.json).toMatchObject({
      status: 'completed',
      tasks_total: 1,
      tasks_enqueued: 0,
      tasks_already_listed: 1,
    });
    const firstJob = (await call(base, `/jobs/${first.json.job_id}`, { key: keys.staff })).json;
    const secondJob = await call(base, `/jobs/${second.json.job_id}`, { key: keys.staff });
    expect(secondJob.json.status).toBe('completed');
    expect(secondJob.json.counters).toMatchObject({ total: 1, already_listed: 1 });
    expect(secondJob.json.results[0]).toMatchObject({
      status: 'already_listed',
      already_listed_by: {
        task_id: firstJob.results[0].task_id,
        job_id: first.json.job_id,
        status: 'queued',
      },
    });
  });

  it('a resubmission is an explicit staff action: refused in flight, then generation 2, sent and audited', async () => {
    const customer = await insertCustomer(api.env.db.pool);
    const [dir] = await insertDirectories(api.env.db.pool, 1);
    const customerKey = (await api.key('customer', customer.id)).key;
    const path = `/customers/${customer.id}/listings/${dir!.id}/resubmit`;
    const reason = { reason: 'the directory removed the listing' };

    expect((await call(base, path, { method: 'POST', key: keys.staff, body: reason })).status).toBe(404);
    const created = await call(base, '/jobs', {
      method: 'POST',
      key: keys.staff,
      body: { customer_id: customer.id, directory_ids: [dir!.id] },
    });
    const inFlight = await call(base, path, { method: 'POST', key: keys.staff, body: reason });
    expect(inFlight.status).toBe(409);
    expect(inFlight.json.error.message).toContain('queued');
    expect((await call(base, path, { method: 'POST', key: customerKey, body: reason })).status).toBe(403);
    const noReason = await call(base, path, { method: 'POST', key: keys.staff, body: {} });
    expect(noReason.status).toBe(400);
    expect(noReason.json.error.message).toContain('reason');

    const task = (await call(base, `/jobs/${created.json.job_id}`, { key: keys.staff })).json.results[0];
    await submitTask(task.task_id);
    const resubmitted = await call(base, path, { method: 'POST', key: keys.staff, body: reason });

    expect(resubmitted.status).toBe(201);
    expect(resubmitted.json).toMatchObject({ generation: 2, previous_generation: 1, tasks_enqueued: 1 });
    expect(resubmitted.headers.location).toBe(`/jobs/${resubmitted.json.job_id}`);
    const job = (await call(base, `/jobs/${resubmitted.json.job_id}`, { key: keys.staff })).json;
    expect(job.results[0]).toMatchObject({ status: 'queued', generation: 2 });
    const audit = await historyOf('listing_resubmitted', 'customer_id', customer.id);
    expect(audit).toHaveLength(1);
    expect(audit[0].worker_id).toMatch(/^staff:/);
    expect(audit[0].details).toMatchObject({
      reason: reason.reason,
      generation: 2,
      previous_task_id: task.task_id,
    });
  });
});

describe('GET and PATCH /directories/{id}', () => {
  it('reads a directory with its ETag; PATCH needs If-Match (428), refuses a stale one (412), applies and audits', async () => {
    const [dir] = await insertDirectories(api.env.db.pool, 1);
    const read = await call(base, `/directories/${dir!.id}`, { key: keys.staff });
    expect(read.status).toBe(200);
    expect(read.headers.etag).toBe('"1"');
    expect(read.json).toMatchObject({
      id: dir!.id,
      max_concurrency: 2,
      active: true,
      verification: null,
      version: 1,
    });

    const changes = {
      max_concurrency: 5,
      min_interval_ms: 2000,
      active: false,
      verification: { lookup_url: 'https://dir.example/listings?email={email}' },
    };
    const path = `/directories/${dir!.id}`;
    const missing = await call(base, path, { method: 'PATCH', key: keys.admin, body: changes });
    expect(missing.status).toBe(428);
    const stale = await call(base, path, {
      method: 'PATCH',
      key: keys.admin,
      body: changes,
      headers: { 'if-match': '"7"' },
    });
    expect(stale.status).toBe(412);
    expect((await call(base, path, { key: keys.staff })).json).toMatchObject({
      max_concurrency: 2,
      version: 1,
    });

    const patched = await call(base, path, {
      method: 'PATCH',
      key: keys.admin,
      body: changes,
      headers: { 'if-match': read.headers.etag! },
    });
    expect(patched.status).toBe(200);
    expect(patched.headers.etag).toBe('"2"');
    expect(patched.json).toMatchObject({ ...changes, version: 2 });
    const again = await call(base, path, {
      method: 'PATCH',
      key: keys.admin,
      body: { active: true },
      headers: { 'if-match': read.headers.etag! },
    });
    expect(again.status).toBe(412);

    const audit = await historyOf('directory_updated', 'directory_id', dir!.id);
    expect(audit).toHaveLength(1);
    expect(audit[0].worker_id).toMatch(/^admin:/);
    expect(audit[0].details.changes).toEqual({
      max_concurrency: { from: 2, to: 5 },
      min_interval_ms: { from: 0, to: 2000 },
      active: { from: true, to: false },
      verification: { from: null, to: changes.verification },
    });
  });

  it('refuses invalid changes (400) and changes nothing; unknown directory 404; staff may read, not patch', async () => {
    const [dir] = await insertDirectories(api.env.db.pool, 1);
    const path = `/directories/${dir!.id}`;
    const headers = { 'if-match': '"1"' };
    // Admin routes allow 10 requests per key and route per minute: one key for the refusals, one after.
    const admin = (await api.key('admin')).key;
    for (const body of [
      {},
      { max_concurrency: 0 },
      { min_interval_ms: 86_400_001 },
      { name: ' ' },
      { slug: 'renamed' },
      { submission_url: 'http://169.254.169.254/latest/meta-data' },
      { submission_url: 'file:///etc/passwd' },
      { verification: { lookup_url: 'http://localhost:8080/' } },
      { verification: { lookup_url: 'https://dir.example/', extra: 1 } },
      { active: 'yes' },
    ]) {
      const response = await call(base, path, { method: 'PATCH', key: admin, body, headers });
      expect([body, response.status]).toEqual([body, 400]);
    }
    expect((await call(base, path, { key: keys.staff })).json).toMatchObject({
      version: 1,
      max_concurrency: 2,
    });
    expect(await historyOf('directory_updated', 'directory_id', dir!.id)).toHaveLength(0);
    expect(
      (
        await call(base, `/directories/${crypto.randomUUID()}`, {
          method: 'PATCH',
          key: keys.admin,
          body: { active: false },
          headers,
        })
      ).status,
    ).toBe(404);
    expect(
      (await call(base, path, { method: 'PATCH', key: keys.staff, body: { active: false }, headers })).status,
    ).toBe(403);
  });
});

describe('If-Match on customer and mapping updates', () => {
  it('PATCH /customers/{id}: a stale If-Match is 412 and changes nothing; a current one applies; none still applies', async () => {
    const customer = await insertCustomer(api.env.db.pool);
    const path = `/customers/${customer.id}`;
    const read = await call(base, path, { key: keys.staff });
    expect(read.headers.etag).toBe('"1"');

    const stale = await call(base, path, {
      method: 'PATCH',
      key: keys.staff,
      body: { city: 'Shelbyville' },
      headers: { 'if-match': '"9"' },
    });
    expect(stale.status).toBe(412);
    expect((await call(base, path, { key: keys.staff })).json).toMatchObject({
      city: 'Springfield',
      version: 1,
    });

    const current = await call(base, path, {
      method: 'PATCH',
      key: keys.staff,
      body: { city: 'Shelbyville' },
      headers: { 'if-match': read.headers.etag! },
    });
    expect(current.status).toBe(200);
    expect(current.headers.etag).toBe('"2"');
    const without = await call(base, path, {
      method: 'PATCH',
      key: keys.staff,
      body: { city: 'Capital City' },
    });
    expect(without.status).toBe(200);
    expect(without.json).toMatchObject({ city: 'Capital City', version: 3 });
    const malformed = await call(base, path, {
      method: 'PATCH',
      key: keys.staff,
      body: { city: 'Ogdenville' },
      headers: { 'if-match': 'yesterday' },
    });
    expect(malformed.status).toBe(400);
  });

  it('PUT /directories/{id}/mapping: the ETag of GET .../mapping; stale 412, current applies and bumps it', async () => {
    const [dir] = await insertDirectories(api.env.db.pool, 1);
    const path = `/directories/${dir!.id}/mapping`;
    const read = await call(base, path, { key: keys.staff });
    expect(read.headers.etag).toBe('"1"');
    const body = { field_mapping: { fields: { business_name: '#name' } } };
    const stale = await call(base, path, {
      method: 'PUT',
      key: keys.admin,
      body,
      headers: { 'if-match': '"2"' },
    });
    expect(stale.status).toBe(412);
    expect((await call(base, path, { key: keys.staff })).json.field_mapping).toBeNull();
    const current = await call(base, path, {
      method: 'PUT',
      key: keys.admin,
      body,
      headers: { 'if-match': '"1"' },
    });
    expect(current.status).toBe(200);
    expect(current.headers.etag).toBe('"2"');
    expect((await call(base, `/directories/${dir!.id}`, { key: keys.staff })).headers.etag).toBe('"2"');
  });
});
