import { randomUUID } from 'node:crypto';
import { API_ROUTES, routeKey, routePolicy, type ApiRoute } from '../../../lambdas/handlers/api/routes';
import { insertCustomer, insertDirectories, releaseListings, rpc, tableCounts } from '../../support/database';
import { captureOutput, leakedSecrets, type CapturedOutput } from '../../support/log-capture';
import { call, startApi, type ApiFixture } from './api-client';

/**
 * The API surface beyond jobs (issue 5 part 2) over HTTP: local gateway -> real handlers -> RPC ->
 * Postgres (and fauxqs, Chromium for the dry run). Success and failure paths of every new route, the
 * authorization matrix over every route, hostile input, the OpenAPI document, and a scan of all the
 * output of this suite for the secrets it handled.
 */
let api: ApiFixture;
let base: string;
let output: CapturedOutput;
let customerA: string;
let customerB: string;
const secrets: string[] = [];
let keys: { staff: string; admin: string; a: string; b: string };
let demoDirectory: { id: string; slug: string };

/** Admin routes allow 10 requests per key and route per minute: a fresh admin key per group. */
async function newKey(role: 'customer' | 'staff' | 'admin', customerId?: string): Promise<string> {
  const { key } = await api.key(role, customerId);
  secrets.push(key);
  return key;
}

beforeAll(async () => {
  output = captureOutput();
  api = await startApi({ routes: /^\/(?!health)/, logLevel: 'DEBUG' });
  base = api.gateway.url;
  customerA = api.env.demoCustomerId;
  customerB = (await insertCustomer(api.env.db.pool, { tier: 'starter' })).id;
  demoDirectory = api.env.demoDirectories[0]!;
  keys = {
    staff: await newKey('staff'),
    admin: await newKey('admin'),
    a: await newKey('customer', customerA),
    b: await newKey('customer', customerB),
  };
  secrets.push(process.env.SUPABASE_SERVICE_ROLE_KEY ?? '', process.env.SUPABASE_URL ?? '');
});

// Jobs, not listings, are under test here: every test may send the demo business's directories again.
beforeEach(async () => {
  await releaseListings(api.env.db.pool);
});

afterAll(async () => {
  // The test-submission handler's warm browser and its SSRF proxy live as long as the process.
  await (await import('../../../lambdas/browser/browser')).closeBrowser();
  await (await import('../../../lambdas/browser/submit-in-browser')).ssrfGuard.close();
  await api?.stop();
  output?.restore();
});

const profile = {
  business_name: 'Blue Door Bakery',
  email: 'hello@bluedoor.example',
  website: 'https://bluedoor.example',
  description: '<b>Fresh</b> bread<script>alert(1)</script> daily',
  tier: 'pro',
};

describe('directories', () => {
  it('lists the active directories by slug for any key, paginated', async () => {
    await insertDirectories(api.env.db.pool, 1, { active: false, slug: 'zz-inactive' });
    const first = await call(base, '/directories?limit=1', { key: keys.a });
    expect(first.status).toBe(200);
    expect(first.json.directories).toHaveLength(1);
    const all: string[] = [first.json.directories[0].slug];
    let cursor = first.json.next_cursor as string | null;
    while (cursor) {
      const page = await call(base, `/directories?limit=1&cursor=${cursor}`, { key: keys.a });
      all.push(...page.json.directories.map((d: { slug: string }) => d.slug));
      cursor = page.json.next_cursor;
    }
    expect(all).toEqual([...all].sort());
    expect(all).toContain(demoDirectory.slug);
    expect(all).not.toContain('zz-inactive');
  });

  it('creates a directory (admin), refuses a taken slug (409), a non-http URL and unknown fields (400)', async () => {
    const admin = await newKey('admin');
    const body = { slug: `new-${Date.now()}`, name: 'New Dir', submission_url: 'https://new.example/add' };
    const created = await call(base, '/directories', { method: 'POST', key: admin, body });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ slug: body.slug, active: true, has_field_mapping: false });

    const again = await call(base, '/directories', { method: 'POST', key: admin, body });
    expect(again.status).toBe(409);
    expect(again.json.error.correlation_id).toEqual(expect.any(String));

    for (const bad of [
      { ...body, slug: 'x2', submission_url: 'javascript:alert(1)' },
      { ...body, slug: 'x3', submission_url: 'file:///etc/passwd' },
      { ...body, slug: 'Bad Slug' },
      { ...body, slug: 'x4', max_concurrency: 1000 },
      { ...body, slug: 'x5', extra: true },
    ]) {
      const response = await call(base, '/directories', { method: 'POST', key: admin, body: bad });
      expect(response.status).toBe(400);
    }
    const rows = await api.env.db.pool.query("select count(*)::int n from directories where slug like 'x_'");
    expect(rows.rows[0].n).toBe(0);
  });

  it('reads (staff) and replaces (admin) the field mapping, validated, with history', async () => {
    const admin = await newKey('admin');
    const path = `/directories/${demoDirectory.id}/mapping`;
    const mapping = { fields: { business_name: '#name', email: 'input[name=email]' }, submit: 'button' };
    const put = await call(base, path, { method: 'PUT', key: admin, body: { field_mapping: mapping } });
    expect(put.status).toBe(200);
    expect(put.json.field_mapping).toEqual(mapping);

    const read = await call(base, path, { key: keys.staff });
    expect(read.status).toBe(200);
    expect(read.json).toMatchObject({ directory_id: demoDirectory.id, field_mapping: mapping });

    const bad = await call(base, path, {
      method: 'PUT',
      key: admin,
      body: { field_mapping: { fields: { favourite_colour: '#x' } } },
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toMatch(/field_mapping/);

    const cleared = await call(base, path, { method: 'PUT', key: admin, body: { field_mapping: null } });
    expect(cleared.json.field_mapping).toBeNull();
    const audit = await api.env.db.pool.query(
      "select details from queue_history where event = 'directory_mapping_updated' order by id",
    );
    expect(audit.rows).toHaveLength(2);
    expect(audit.rows[1].details.previous).toEqual(mapping);
    expect(audit.rows[1].details.actor).toMatch(/^admin:/);

    expect((await call(base, `/directories/${randomUUID()}/mapping`, { key: keys.staff })).status).toBe(404);
    expect((await call(base, '/directories/not-a-uuid/mapping', { key: keys.staff })).status).toBe(400);
  });
});

describe('POST /directories/{id}/test-submission', () => {
  it('fills the demo form in Chromium without submitting and returns the mapping and a screenshot', async () => {
    const before = await tableCounts(api.env.db.pool);
    const posted = api.env.demoSite.submissions().length;
    const response = await call(base, `/directories/${demoDirectory.id}/test-submission`, {
      method: 'POST',
      key: keys.staff,
    });
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({ directory_id: demoDirectory.id, outcome: 'filled' });
    expect(response.json.mapping.filled_fields).toContain('business_name');
    expect(Array.isArray(response.json.unmapped_required_fields)).toBe(true);
    const png = Buffer.from(response.json.screenshot_png_base64, 'base64');
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(await tableCounts(api.env.db.pool)).toEqual(before);
    expect(api.env.demoSite.submissions()).toHaveLength(posted); // a dry run sends nothing
  });

  it('reports every control of the chosen form, the buttons, and a mapping PUT .../mapping takes unchanged', async () => {
    const admin = await newKey('admin');
    const [directory] = await insertDirectories(api.env.db.pool, 1, {
      submission_url: `${api.env.demoSite.url}/forms/plain`,
    });
    const first = await call(base, `/directories/${directory!.id}/test-submission`, {
      method: 'POST',
      key: admin,
    });
    expect(first.status).toBe(200);
    const report = first.json as {
      controls: Array<{
        selector: string;
        label: string;
        field: string | null;
        source: string | null;
        confidence: number;
        value: string | null;
      }>;
      buttons: Array<{ selector: string; text: string; role: string; chosen: boolean }>;
      proposed_mapping: { fields: Record<string, string>; submit?: string };
      container: { selector: string; purpose: string };
    };
    expect(report.container).toMatchObject({ selector: '#listing-form', purpose: 'listing' });
    const company = report.controls.find((c) => c.selector === '#company');
    expect(company).toMatchObject({
      label: 'Company name *',
      field: 'business_name',
      value: 'DirectoryBolt Test Business',
    });
    expect(company!.confidence).toBeGreaterThan(0.5);
    expect(company!.source).toBeTruthy();
    // The honeypot is listed and left empty.
    expect(report.controls.find((c) => c.selector === '#fax')).toMatchObject({ field: null, value: null });
    expect(report.buttons.filter((b) => b.chosen)).toEqual([
      expect.objectContaining({ text: 'Submit listing', role: 'submit' }),
    ]);
    expect(report.proposed_mapping.fields).toMatchObject({
      business_name: '#company',
      email: '#contact_email',
    });

    // The proposal is a mapping the API stores as it is, and the next dry run uses it.
    const stored = await call(base, `/directories/${directory!.id}/mapping`, {
      method: 'PUT',
      key: admin,
      body: { field_mapping: report.proposed_mapping },
    });
    expect(stored.status).toBe(200);
    const again = await call(base, `/directories/${directory!.id}/test-submission`, {
      method: 'POST',
      key: admin,
    });
    // The sample profile's category is not one of this directory's: the run says so, with the field.
    expect(again.json).toMatchObject({
      outcome: 'needs_manual',
      mapping: { source: 'stored' },
      unmapped_required_fields: ['Category *'],
    });
    expect(again.json.mapping.filled_fields.sort()).toEqual(first.json.mapping.filled_fields.sort());
  });

  it('a directory on a loopback test site is accepted only where the local runtime allows its host', async () => {
    const admin = await newKey('admin');
    const allowed = await call(base, '/directories', {
      method: 'POST',
      key: admin,
      body: {
        slug: `local-test-${Date.now()}`,
        name: 'Local test site',
        submission_url: `${api.env.demoSite.url}/forms/plain`,
      },
    });
    expect(allowed.status).toBe(201);
    const other = await call(base, '/directories', {
      method: 'POST',
      key: admin,
      body: {
        slug: `local-other-${Date.now()}`,
        name: 'Not allowed',
        submission_url: 'http://127.0.0.1:9/forms/plain',
      },
    });
    expect(other.status).toBe(400);
    expect(other.json.error.message).toMatch(/submission_url/);
  });

  it('refuses a directory whose form is on a private address (SSRF guard): 422, not a fetch', async () => {
    const [internal] = await insertDirectories(api.env.db.pool, 1, {
      submission_url: 'http://169.254.169.254/latest/meta-data/',
    });
    const response = await call(base, `/directories/${internal!.id}/test-submission`, {
      method: 'POST',
      key: keys.staff,
    });
    expect(response.status).toBe(422);
    expect(response.json.error.code).toBe('test_submission_failed');
  });
});

describe('customers', () => {
  it('creates (staff) with the description sanitized, reads, updates and deletes', async () => {
    const created = await call(base, '/customers', { method: 'POST', key: keys.staff, body: profile });
    expect(created.status).toBe(201);
    expect(created.json.description).toBe('Fresh bread daily');
    const id = created.json.id as string;

    const read = await call(base, `/customers/${id}`, { key: keys.staff });
    expect(read.json).toMatchObject({ business_name: 'Blue Door Bakery', tier: 'pro' });

    const patched = await call(base, `/customers/${id}`, {
      method: 'PATCH',
      key: keys.staff,
      body: { city: 'Portland', website: null, description: 'Now &lt;i&gt;open&lt;/i&gt; Sundays' },
    });
    expect(patched.status).toBe(200);
    expect(patched.json).toMatchObject({ city: 'Portland', website: null, description: 'Now open Sundays' });

    const deleted = await call(base, `/customers/${id}`, { method: 'DELETE', key: keys.staff });
    expect(deleted.status).toBe(200);
    expect((await call(base, `/customers/${id}`, { key: keys.staff })).status).toBe(404);
    const audit = await api.env.db.pool.query(
      "select event from queue_history where details->>'customer_id' = $1 order by id",
      [id],
    );
    expect(audit.rows.map((r) => r.event)).toEqual([
      'customer_created',
      'customer_updated',
      'customer_deleted',
    ]);
  });

  it('refuses bad profiles with 400 naming the field, and changes nothing', async () => {
    const before = await api.env.db.pool.query('select count(*)::int n from customers');
    for (const [body, field] of [
      [{ ...profile, website: 'javascript:alert(1)' }, 'website'],
      [{ ...profile, website: 'ftp://files.example' }, 'website'],
      [{ ...profile, email: 'not-an-email' }, 'email'],
      [{ ...profile, business_name: 'x'.repeat(301) }, 'business_name'],
      [{ ...profile, tier: 'platinum' }, 'tier'],
      [{ ...profile, is_admin: true }, 'body'],
    ] as const) {
      const response = await call(base, '/customers', { method: 'POST', key: keys.staff, body });
      expect(response.status).toBe(400);
      expect(response.json.error.message).toContain(field === 'body' ? 'is_admin' : field);
    }
    const patch = await call(base, `/customers/${customerB}`, { method: 'PATCH', key: keys.staff, body: {} });
    expect(patch.status).toBe(400);
    const after = await api.env.db.pool.query('select count(*)::int n from customers');
    expect(after.rows[0].n).toBe(before.rows[0].n);
  });

  it('a customer key reads only its own customer; another id is 404', async () => {
    expect((await call(base, `/customers/${customerA}`, { key: keys.a })).status).toBe(200);
    const other = await call(base, `/customers/${customerB}`, { key: keys.a });
    expect(other.status).toBe(404);
    expect(other.json.error.code).toBe('not_found');
  });

  it('refuses to delete a customer with a job in progress (409) and deletes it once the job is done', async () => {
    const c = await insertCustomer(api.env.db.pool, { tier: 'starter' });
    const job = await rpc(api.env.db.pool, 'create_job', {
      p_customer_id: c.id,
      p_directory_ids: [demoDirectory.id],
    });
    const refused = await call(base, `/customers/${c.id}`, { method: 'DELETE', key: keys.staff });
    expect(refused.status).toBe(409);
    expect(refused.json.error.message).toMatch(/cancel them first/);
    expect((await call(base, `/customers/${c.id}`, { key: keys.staff })).status).toBe(200);

    await rpc(api.env.db.pool, 'cancel_job', { p_job_id: job.job_id });
    const deleted = await call(base, `/customers/${c.id}`, { method: 'DELETE', key: keys.staff });
    expect(deleted.status).toBe(200);
    expect(deleted.json.jobs_deleted).toBe(1);
  });
});

describe('GET /submissions', () => {
  let jobA: string;
  let jobB: string;
  beforeAll(async () => {
    const ids = api.env.demoDirectories.slice(0, 3).map((d) => d.id);
    jobA = (await rpc(api.env.db.pool, 'create_job', { p_customer_id: customerA, p_directory_ids: ids }))
      .job_id;
    jobB = (await rpc(api.env.db.pool, 'create_job', { p_customer_id: customerB, p_directory_ids: ids }))
      .job_id;
  });

  it('filters by job and status and pages with a cursor', async () => {
    const first = await call(base, `/submissions?job_id=${jobA}&limit=2`, { key: keys.staff });
    expect(first.status).toBe(200);
    expect(first.json.submissions).toHaveLength(2);
    const second = await call(base, `/submissions?job_id=${jobA}&limit=2&cursor=${first.json.next_cursor}`, {
      key: keys.staff,
    });
    expect(second.json.submissions).toHaveLength(1);
    expect(second.json.next_cursor).toBeNull();
    const seen = [...first.json.submissions, ...second.json.submissions].map((s: { id: string }) => s.id);
    expect(new Set(seen).size).toBe(3);

    const pending = await call(base, `/submissions?job_id=${jobA}&status=pending`, { key: keys.staff });
    expect(pending.json.submissions).toHaveLength(3);
    const none = await call(base, `/submissions?job_id=${jobA}&status=submitted`, { key: keys.staff });
    expect(none.json.submissions).toHaveLength(0);
  });

  it('shows a customer only its own submissions (another customer is 404, another job is empty)', async () => {
    const own = await call(base, '/submissions?limit=200', { key: keys.a });
    expect(own.json.submissions.length).toBeGreaterThanOrEqual(3);
    expect(own.json.submissions.every((s: { customer_id: string }) => s.customer_id === customerA)).toBe(
      true,
    );
    expect((await call(base, `/submissions?customer_id=${customerB}`, { key: keys.a })).status).toBe(404);
    const foreign = await call(base, `/submissions?job_id=${jobB}`, { key: keys.a });
    expect(foreign.status).toBe(200);
    expect(foreign.json.submissions).toHaveLength(0);
  });

  it('refuses bad filters with 400', async () => {
    for (const query of [
      'status=done',
      'job_id=1',
      'limit=0',
      'limit=201',
      'cursor=abc',
      'sort=id',
      "status=x'%20or%201=1--",
    ]) {
      const response = await call(base, `/submissions?${query}`, { key: keys.staff });
      expect(response.status).toBe(400);
    }
  });
});

describe('GET /metrics', () => {
  it('answers staff with counts by status, today and backlog per priority over every customer', async () => {
    await rpc(api.env.db.pool, 'create_job', {
      p_customer_id: customerB,
      p_directory_ids: [demoDirectory.id],
      p_priority: 'p1',
    });
    const response = await call(base, '/metrics', { key: keys.staff });
    expect(response.status).toBe(200);
    expect(response.json.scope).toBe('all');
    expect(response.json.jobs_by_status.pending).toBeGreaterThanOrEqual(1);
    expect(response.json.tasks_by_status.pending).toBeGreaterThanOrEqual(1);
    expect(response.json.backlog_by_priority.p1.waiting).toBeGreaterThanOrEqual(1);
    expect(Object.keys(response.json.backlog_by_priority).sort()).toEqual(['p1', 'p2', 'p3']);
    expect(response.json.today).toEqual(expect.objectContaining({ tasks_submitted: expect.any(Number) }));
    expect(response.json.paused_directories).toEqual(expect.any(Number));
  });

  it('answers a customer key with its own jobs\u2019 figures only', async () => {
    // Prepare: a customer with one job of its own, while others have jobs waiting too
    const own = (await insertCustomer(api.env.db.pool, { tier: 'pro' })).id;
    const ownKey = await newKey('customer', own);
    await rpc(api.env.db.pool, 'create_job', {
      p_customer_id: customerB,
      p_directory_ids: [demoDirectory.id],
      p_priority: 'p2',
    });
    await rpc(api.env.db.pool, 'create_job', {
      p_customer_id: own,
      p_directory_ids: [demoDirectory.id],
      p_priority: 'p2',
    });
    // Act
    const mine = await call(base, '/metrics', { key: ownKey });
    const everyone = await call(base, '/metrics', { key: keys.admin });
    // Assess
    expect(mine.status).toBe(200);
    expect(mine.json).toMatchObject({ scope: 'customer', customer_id: own });
    expect(mine.json.jobs_by_status).toEqual({
      pending: 1,
      in_progress: 0,
      completed: 0,
      failed: 0,
      cancelled: 0,
    });
    expect(mine.json.tasks_by_status.pending).toBe(1);
    expect(mine.json.backlog_by_priority.p2.waiting).toBe(1);
    expect(mine.json.backlog_by_priority.p1.waiting).toBe(0);
    expect(mine.json.paused_directories).toBeUndefined();
    expect(everyone.json.jobs_by_status.pending).toBeGreaterThan(1);
  });
});

describe('admin', () => {
  it('lists workers as active or stale', async () => {
    const admin = await newKey('admin');
    await api.env.db.pool.query(
      `insert into worker_heartbeats (worker_id, status, last_heartbeat) values
         ('w-live', 'running', now()), ('w-dead', 'running', now() - interval '2 hours')`,
    );
    const response = await call(base, '/admin/workers', { key: admin });
    expect(response.status).toBe(200);
    const state = Object.fromEntries(
      response.json.workers.map((w: { worker_id: string; state: string }) => [w.worker_id, w.state]),
    );
    expect(state).toMatchObject({ 'w-live': 'active', 'w-dead': 'stale' });
  });

  it('lists the recorded dead letters and redrives them with the admin key in the audit trail', async () => {
    const admin = await newKey('admin');
    const job = await rpc(api.env.db.pool, 'create_job', {
      p_customer_id: customerA,
      p_directory_ids: [api.env.demoDirectories[1]!.id],
    });
    const task = (await api.env.db.pool.query('select id from job_results where job_id = $1', [job.job_id]))
      .rows[0].id as string;
    await rpc(api.env.db.pool, 'record_dead_letter', {
      p_message_id: 'msg-dlq-1',
      p_body: JSON.stringify({ task_id: task, job_id: job.job_id, priority: 'p2' }),
      p_receive_count: 5,
      p_source_queue: 'p2',
    });
    const listed = await call(base, '/admin/dlq', { key: admin });
    expect(listed.status).toBe(200);
    expect(listed.json.dead_letters[0]).toMatchObject({
      message_id: 'msg-dlq-1',
      task_status: 'dead_lettered',
    });

    const bad = await call(base, '/admin/dlq/redrive', { method: 'POST', key: admin, body: {} });
    expect(bad.status).toBe(400);
    const redriven = await call(base, '/admin/dlq/redrive', {
      method: 'POST',
      key: admin,
      body: { message_ids: ['msg-dlq-1'] },
    });
    expect(redriven.status).toBe(200);
    expect(redriven.json.redriven).toEqual([expect.objectContaining({ task_id: task, sent: true })]);
    const unknown = await call(base, '/admin/dlq/redrive', {
      method: 'POST',
      key: admin,
      body: { message_ids: ['msg-unknown'] },
    });
    expect(unknown.status).toBe(404);
    const audit = await api.env.db.pool.query(
      "select details from queue_history where task_id = $1 and event like '%redriv%'",
      [task],
    );
    expect(JSON.stringify(audit.rows)).toMatch(/admin:/);
  });

  it('pauses a priority: claims are deferred with a retry-after until it is resumed', async () => {
    const admin = await newKey('admin');
    const job = await rpc(api.env.db.pool, 'create_job', {
      p_customer_id: customerB,
      p_directory_ids: [api.env.demoDirectories[2]!.id],
      p_priority: 'p3',
    });
    const task = (await api.env.db.pool.query('select id from job_results where job_id = $1', [job.job_id]))
      .rows[0].id as string;
    const target = { scope: 'priority', priority: 'p3', reason: 'directory maintenance' };

    const paused = await call(base, '/admin/pauses', { method: 'POST', key: admin, body: target });
    expect(paused.status).toBe(201);
    expect(
      (await call(base, '/admin/pauses', { method: 'POST', key: admin, body: target })).json.changed,
    ).toBe(false);
    expect((await call(base, '/admin/pauses', { key: admin })).json.pauses).toHaveLength(1);

    const refused = await rpc(api.env.db.pool, 'claim_task', {
      p_task_id: task,
      p_worker_id: 'w1',
      p_lease_seconds: 60,
    });
    // Its message was delivered, so the claim records it as queued (enqueued in queue_history) before
    // refusing it for the pause.
    expect(refused).toMatchObject({ claimed: false, reason: 'processing_paused', status: 'queued' });
    expect(refused.retry_after_seconds).toBeGreaterThanOrEqual(30);

    const resumed = await call(base, '/admin/pauses/resume', { method: 'POST', key: admin, body: target });
    expect(resumed.json.changed).toBe(true);
    const claimed = await rpc(api.env.db.pool, 'claim_task', {
      p_task_id: task,
      p_worker_id: 'w1',
      p_lease_seconds: 60,
    });
    expect(claimed.claimed).toBe(true);

    const audit = await api.env.db.pool.query(
      "select event, details from queue_history where event in ('processing_paused', 'processing_resumed') order by id",
    );
    expect(audit.rows.map((r) => r.event)).toEqual(['processing_paused', 'processing_resumed']);
    expect(audit.rows[0].details).toMatchObject({
      scope: 'priority',
      priority: 'p3',
      actor: expect.stringMatching(/^admin:/),
    });
  });

  it('refuses bad pause targets and unknown directories', async () => {
    const admin = await newKey('admin');
    for (const body of [
      { scope: 'priority', priority: 'p9' },
      { scope: 'galaxy' },
      { scope: 'directory', directory_id: 'x' },
    ]) {
      expect((await call(base, '/admin/pauses', { method: 'POST', key: admin, body })).status).toBe(400);
    }
    const unknown = await call(base, '/admin/pauses', {
      method: 'POST',
      key: admin,
      body: { scope: 'directory', directory_id: randomUUID() },
    });
    expect(unknown.status).toBe(404);
  });
});

describe('authorization matrix: every route, every kind of key', () => {
  it('keeps the operator routes (every customer\u2019s queues, workers, jobs) from customer keys', () => {
    // GET /health/details needs the queue configuration these tests do not set: its 403 for a customer
    // key over the handler is in test/lambdas/handlers/operations/operations-handlers.test.ts.
    const operatorRoutes = API_ROUTES.filter(
      (r) => r.resource === '/health/details' || r.resource.startsWith('/admin/'),
    );
    expect(operatorRoutes.length).toBeGreaterThan(5);
    expect(operatorRoutes.filter((r) => routePolicy(r).access === 'customer').map(routeKey)).toEqual([]);
  });

  const samplePath = (route: ApiRoute) =>
    route.resource
      .replace('{id}', randomUUID())
      .replace('{customerId}', randomUUID())
      .replace('{directoryId}', randomUUID());
  const rank = { customer: 1, staff: 2, admin: 3 } as const;

  it.each(
    API_ROUTES.filter((r) => !r.resource.startsWith('/health')).map(
      (r) => [`${r.method} ${r.resource}`, r] as const,
    ),
  )('%s', async (_name, route) => {
    const policy = routePolicy(route);
    const body = ['POST', 'PUT', 'PATCH'].includes(route.method) ? {} : undefined;
    const anonymous = await call(base, samplePath(route), { method: route.method, body });
    expect(anonymous.status).toBe(policy.access === 'public' ? 200 : 401);
    for (const role of ['customer', 'staff', 'admin'] as const) {
      const key = await newKey(role, role === 'customer' ? customerA : undefined);
      const response = await call(base, samplePath(route), { method: route.method, key, body });
      const allowed =
        policy.access === 'public' || policy.access === 'customer' || rank[role] >= rank[policy.access];
      if (allowed) expect([401, 403]).not.toContain(response.status);
      else expect(response.status).toBe(403);
      expect(response.status).toBeLessThan(500);
      expect(response.json.error?.correlation_id ?? 'ok').toEqual(expect.any(String));
    }
  });
});

describe('hostile input on the new parameters', () => {
  const hostile = [
    "' or 1=1; drop table customers; --",
    '<script>alert(1)</script>',
    '\u202e\u0000',
    'x'.repeat(5000),
  ];
  it('never answers 5xx and changes nothing', async () => {
    const admin = await newKey('admin');
    const before = await tableCounts(api.env.db.pool);
    const customers = (await api.env.db.pool.query('select count(*)::int n from customers')).rows[0].n;
    let nested: unknown = 'x';
    for (let i = 0; i < 100; i++) nested = { a: nested };
    const attempts = [
      ...hostile.map((h) => call(base, `/directories?cursor=${encodeURIComponent(h)}`, { key: keys.a })),
      ...hostile.map((h) => call(base, `/submissions?status=${encodeURIComponent(h)}`, { key: keys.a })),
      ...hostile.map((h) => call(base, `/customers/${encodeURIComponent(h)}`, { key: keys.staff })),
      ...hostile.map((h) =>
        call(base, '/customers', { method: 'POST', key: keys.staff, body: { business_name: 'x', email: h } }),
      ),
      call(base, '/customers', { method: 'POST', key: keys.staff, body: nested }),
      // A lone surrogate, percent-encoded (it cannot be encodeURIComponent'ed) and in JSON.
      call(base, '/submissions?status=%ED%A0%80', { key: keys.a }),
      call(base, '/customers', { method: 'POST', key: keys.staff, body: '{"business_name": "\\ud800"}' }),
      call(base, '/customers', { method: 'POST', key: keys.staff, body: '{"business_name": "\\u0000"}' }),
      call(base, '/admin/pauses', { method: 'POST', key: admin, body: { scope: hostile[0] } }),
      call(base, '/customers', { method: 'POST', key: keys.staff, body: 'not json' }),
      call(base, '/customers', {
        method: 'POST',
        key: keys.staff,
        body: '{}',
        headers: { 'content-type': 'text/plain' },
      }),
    ];
    const responses = await Promise.all(attempts);
    for (const response of responses) {
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
      expect(response.text).not.toMatch(/at .*\.ts:\d+/);
    }
    expect(await tableCounts(api.env.db.pool)).toEqual(before);
    expect((await api.env.db.pool.query('select count(*)::int n from customers')).rows[0].n).toBe(customers);
  });
});

describe('OpenAPI', () => {
  it('is served publicly and documents every route', async () => {
    const response = await call(base, '/openapi.json');
    expect(response.status).toBe(200);
    expect(response.json.openapi).toMatch(/^3\./);
    for (const route of API_ROUTES) {
      expect(response.json.paths[route.resource]?.[route.method.toLowerCase()]).toBeDefined();
    }
  });

  it('its request schemas are the handlers’: what the document refuses, the handler refuses', async () => {
    const document = (await call(base, '/openapi.json')).json;
    for (const route of API_ROUTES) {
      const key = `${route.method} ${route.resource}`;
      // The schemas the route declares, which the handler layer validates with.
      const schemas = route;
      if (!schemas.body) continue;
      const documented =
        document.paths[route.resource][route.method.toLowerCase()].requestBody.content['application/json']
          .schema;
      // Unknown fields: the document forbids them, the schema refuses them, and so does the handler.
      const probe = { unexpected_field: 1 };
      expect(JSON.stringify(documented)).toContain('"additionalProperties":false');
      expect(schemas.body.safeParse(probe).success).toBe(false);
      const response = await call(base, route.resource.replace(/\{\w+\}/, randomUUID()), {
        method: route.method,
        key: keys.admin,
        body: probe,
        headers: { 'if-match': '"1"' },
      });
      expect([key, response.status]).toEqual([key, 400]);
    }
  });
});

describe('logs', () => {
  it('the output of this whole suite contains no API key, service key or service URL', () => {
    const text = output.text();
    // The handlers did log (so the check is not vacuous)...
    expect(text).toMatch(/Customer created/);
    // ...and none of the secrets this suite created or configured.
    expect(leakedSecrets(text, secrets.filter(Boolean))).toEqual([]);
  });
});
