/**
 * local/emulators/supabase-rpc.ts through the real @supabase/supabase-js client, as the Lambdas use it.
 */
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { startRpcServer, httpStatusForSqlState, type RpcServer } from '../../../local/emulators/supabase-rpc';
import {
  createTestDatabase,
  insertCustomer,
  insertDirectories,
  tableCounts,
  type TestDatabase,
} from '../../support/database';

const SERVICE_KEY = 'local-service-role-key-0123456789abcdef';

let db: TestDatabase;
let server: RpcServer;
let supabase: SupabaseClient;
const serverErrors: unknown[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  server = await startRpcServer({
    databaseUrl: db.url,
    serviceKey: SERVICE_KEY,
    onError: (e) => serverErrors.push(e),
  });
  supabase = createClient(server.url, SERVICE_KEY, { auth: { persistSession: false } });
});
afterAll(async () => {
  await server?.stop();
  await db?.drop();
});

describe('rpc server', () => {
  it('runs a function and returns its JSON result (create_job -> claim_task -> get_job)', async () => {
    // Prepare
    const customer = await insertCustomer(db.pool, { tier: 'starter' });
    const dirs = await insertDirectories(db.pool, 2);
    // Act
    const created = await supabase.rpc('create_job', {
      p_customer_id: customer.id,
      p_directory_ids: dirs.map((d) => d.id),
    });
    const claimed = await supabase.rpc('claim_task', {
      p_task_id: created.data.tasks[0].task_id,
      p_worker_id: 'rpc-worker',
      p_lease_seconds: 60,
    });
    const completed = await supabase.rpc('complete_task', {
      p_task_id: created.data.tasks[0].task_id,
      p_worker_id: 'rpc-worker',
      p_attempt: claimed.data.task.attempt,
      p_outcome: 'submitted',
      p_details: { screenshot_key: 'k.png' },
    });
    const fetched = await supabase.rpc('get_job', { p_job_id: created.data.job_id });
    // Assess
    expect(created.error).toBeNull();
    expect(created.status).toBe(200);
    expect(created.data).toMatchObject({ priority: 'p3', tasks: expect.any(Array) });
    expect(created.data.tasks).toHaveLength(2);
    expect(claimed.data).toMatchObject({
      claimed: true,
      task: { attempt: 1, customer: { id: customer.id } },
    });
    expect(completed.data).toEqual({ recorded: true, status: 'submitted', job_status: 'in_progress' });
    expect(fetched.data.counters).toMatchObject({ total: 2, submitted: 1 });
    expect(
      fetched.data.results.find((r: { task_id: string }) => r.task_id === created.data.tasks[0].task_id)
        .screenshot_key,
    ).toBe('k.png');
  });

  it('runs as service_role with the role settings and JWT claims PostgREST sets', async () => {
    // Prepare: a throw-away function that reports its context, executable by service_role
    await db.pool.query(`
      create function public.rpc_context_probe() returns jsonb language sql as $$
        select jsonb_build_object('role', current_user, 'claims_role', auth.role(),
                                  'statement_timeout', current_setting('statement_timeout'))
      $$;
      revoke all on function public.rpc_context_probe() from public;
      grant execute on function public.rpc_context_probe() to service_role;`);
    await server.reloadSchemaCache();
    try {
      // Act
      const { data, error } = await supabase.rpc('rpc_context_probe');
      // Assess
      expect(error).toBeNull();
      expect(data).toEqual({ role: 'service_role', claims_role: 'service_role', statement_timeout: '30s' });
    } finally {
      await db.pool.query('drop function public.rpc_context_probe()');
    }
  });

  it('returns null for a function returning SQL null (get_job of an unknown job)', async () => {
    // Act
    const { data, error, status } = await supabase.rpc('get_job', {
      p_job_id: '3f2b8a6e-1d4c-4e8a-9b7f-0c1d2e3f4a5b',
    });
    // Assess
    expect(error).toBeNull();
    expect(status).toBe(200);
    expect(data).toBeNull();
  });

  it('refuses a wrong key with 401 and runs nothing', async () => {
    // Prepare
    const intruder = createClient(server.url, 'not-the-service-key-at-all-000000', {
      auth: { persistSession: false },
    });
    const customer = await insertCustomer(db.pool);
    const [dir] = await insertDirectories(db.pool, 1);
    const before = await tableCounts(db.pool);
    // Act
    const { data, error, status } = await intruder.rpc('create_job', {
      p_customer_id: customer.id,
      p_directory_ids: [dir!.id],
    });
    // Assess
    expect(status).toBe(401);
    expect(data).toBeNull();
    expect(error?.message).toBe('Invalid API key');
    expect(await tableCounts(db.pool)).toEqual(before);
  });

  it('refuses a request without any key with 401', async () => {
    // Act
    const res = await fetch(`${server.url}/rest/v1/rpc/get_job`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"p_job_id":null}',
    });
    // Assess
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ message: 'No API key found in request' });
  });

  it('answers an unknown function (or unknown argument names) with 404 PGRST202', async () => {
    // Act
    const unknown = await supabase.rpc('drop_everything', {});
    const wrongArgs = await supabase.rpc('get_job', { job_id: 'x' });
    // Assess
    expect(unknown.status).toBe(404);
    expect(unknown.error).toMatchObject({
      code: 'PGRST202',
      message: 'Could not find the function public.drop_everything without parameters in the schema cache',
    });
    expect(wrongArgs.status).toBe(404);
    expect(wrongArgs.error?.code).toBe('PGRST202');
    expect(wrongArgs.error?.hint).toContain('get_job(p_job_id)');
  });

  it('does not expose functions service_role may not execute (internal helpers, other schemas)', async () => {
    // Act
    const { error, status } = await supabase.rpc('invalid_argument', { p_message: 'x' });
    // Assess
    expect(status).toBe(404);
    expect(error?.code).toBe('PGRST202');
  });

  it('maps a validation error to 400 with code 22023 and the argument in the message', async () => {
    // Prepare
    const customer = await insertCustomer(db.pool);
    const before = await tableCounts(db.pool);
    // Act
    const { data, error, status } = await supabase.rpc('create_job', {
      p_customer_id: customer.id,
      p_directory_ids: [],
    });
    // Assess
    expect(status).toBe(400);
    expect(data).toBeNull();
    expect(error).toMatchObject({ code: '22023', details: null, hint: null });
    expect(error?.message).toContain('p_directory_ids');
    expect(await tableCounts(db.pool)).toEqual(before);
  });

  it('maps P0002 and bad input syntax as PostgREST does', async () => {
    // Act
    const unknownTask = await supabase.rpc('heartbeat_task', {
      p_task_id: '3f2b8a6e-1d4c-4e8a-9b7f-0c1d2e3f4a5b',
      p_worker_id: 'w',
      p_attempt: 1,
      p_lease_seconds: 30,
    });
    const badUuid = await supabase.rpc('get_job', { p_job_id: 'not-a-uuid' });
    // Assess
    expect(unknownTask.error?.code).toBe('P0002');
    expect(unknownTask.status).toBe(500); // PostgREST: P0001 -> 400, any other P0xxx -> 500
    expect(badUuid.status).toBe(400);
    expect(badUuid.error?.code).toBe('22P02');
  });

  it('refuses an invalid JSON body and a body over the limit, without stack traces', async () => {
    // Prepare
    const headers = {
      apikey: SERVICE_KEY,
      authorization: `Bearer ${SERVICE_KEY}`,
      'content-type': 'application/json',
    };
    // Act
    const invalid = await fetch(`${server.url}/rest/v1/rpc/get_job`, {
      method: 'POST',
      headers,
      body: '{"p_job_id":',
    });
    const huge = await fetch(`${server.url}/rest/v1/rpc/get_job`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ p_job_id: 'x'.repeat(2 * 1024 * 1024) }),
    });
    // Assess
    expect(invalid.status).toBe(400);
    const invalidBody = await invalid.json();
    expect(invalidBody).toMatchObject({ code: 'PGRST102' });
    expect(JSON.stringify(invalidBody)).not.toMatch(/at .*\.ts:\d+/);
    expect(huge.status).toBe(413);
    expect(serverErrors).toEqual([]);
  });

  it('GET runs read-only: a function that writes is refused with 405', async () => {
    // Act
    const read = await supabase.rpc(
      'get_job',
      { p_job_id: '3f2b8a6e-1d4c-4e8a-9b7f-0c1d2e3f4a5b' },
      { get: true },
    );
    const write = await supabase.rpc(
      'record_worker_heartbeat',
      { p_worker_id: 'get-worker', p_status: 'idle' },
      { get: true },
    );
    // Assess
    expect(read.status).toBe(200);
    expect(read.data).toBeNull();
    expect(write.status).toBe(405);
    expect(write.error?.code).toBe('25006');
  });
});

describe('httpStatusForSqlState (PostgREST table)', () => {
  it.each([
    ['22023', 400],
    ['P0001', 400],
    ['P0002', 500],
    ['23505', 409],
    ['23503', 409],
    ['57014', 500],
    ['08006', 503],
    ['42501', 403],
    ['42883', 404],
    ['25006', 405],
    ['40001', 500],
    ['53300', 503],
    ['PT404', 404],
  ])('%s -> %i', (code, status) => {
    expect(httpStatusForSqlState(code)).toBe(status);
  });
});
