/**
 * scripts/api-keys.ts: the first key after a deploy, rotation and revocation, kept in step in API
 * Gateway and Postgres by one command. Postgres, the RPC endpoint and the API handlers are real; API
 * Gateway has no emulator here, so a fake implements the CLI's GatewayKeys port and also serves as the
 * local gateway's key store: a request passes it only with a key the fake holds enabled on a plan,
 * as API Gateway would. Failures are injected at that port to check the order and the rollbacks.
 */
import { createClient } from '@supabase/supabase-js';
import { API_ROUTES } from '../../lambdas/handlers/api/routes';
import { rpcThrough, type Rpc } from '../../lambdas/platform/rpc';
import { CUSTOMER_TIERS, type CustomerTier } from '../../lambdas/platform/system-config';
import {
  startGateway,
  type ApiHandler,
  type Gateway,
  type GatewayKeyStore,
} from '../../local/emulators/api-gateway';
import { runCli } from '../../scripts/api-keys';
import type { GatewayKey, GatewayKeys, GatewayTarget } from '../../scripts/api-keys/key-sync';
import { call } from '../system/api/api-client';
import { registerSecret } from '../support/log-scan';
import { startHandlerEnvironment, type HandlerEnvironment } from '../support/handler-environment';

type Method = keyof GatewayKeys;

/** API Gateway's keys and usage-plan keys, in memory, with failures to order. */
class FakeApiGateway implements GatewayKeys {
  readonly keys = new Map<string, GatewayKey & { value: string; planIds: Set<string> }>();
  readonly calls: Method[] = [];
  private readonly failures = new Map<Method, number>();
  private next = 0;

  constructor(private readonly target: GatewayTarget) {}

  /** Forget the calls and pending failures (the keys stay, as in a real account). */
  resetCalls(): void {
    this.calls.length = 0;
    this.failures.clear();
  }

  failNext(method: Method, times = 1): void {
    this.failures.set(method, times);
  }

  private enter(method: Method): void {
    this.calls.push(method);
    const left = this.failures.get(method) ?? 0;
    if (left > 0) {
      this.failures.set(method, left - 1);
      throw new Error(`${method}: TooManyRequestsException (injected)`);
    }
  }

  async createKey(input: { name: string; value: string; description: string }): Promise<string> {
    this.enter('createKey');
    if ([...this.keys.values()].some((k) => k.value === input.value)) throw new Error('ConflictException');
    const id = `gw${++this.next}`;
    this.keys.set(id, { id, name: input.name, enabled: true, value: input.value, planIds: new Set() });
    return id;
  }
  async addToUsagePlan(keyId: string, usagePlanId: string): Promise<void> {
    this.enter('addToUsagePlan');
    this.keys.get(keyId)!.planIds.add(usagePlanId);
  }
  async updateKey(keyId: string, change: { name?: string; enabled?: boolean }): Promise<void> {
    this.enter('updateKey');
    Object.assign(this.keys.get(keyId)!, change);
  }
  async deleteKey(keyId: string): Promise<void> {
    this.enter('deleteKey');
    this.keys.delete(keyId);
  }
  async listKeys(namePrefix: string): Promise<GatewayKey[]> {
    this.enter('listKeys');
    return [...this.keys.values()]
      .filter((k) => k.name.startsWith(namePrefix))
      .map(({ id, name, enabled }) => ({ id, name, enabled }));
  }

  byName(name: string) {
    return [...this.keys.values()].find((k) => k.name === name);
  }

  /** What API Gateway lets through: an enabled key on one of the stack's plans. */
  readonly keyStore: GatewayKeyStore = async (value) => {
    const key = [...this.keys.values()].find((k) => k.value === value && k.enabled);
    const tier = CUSTOMER_TIERS.find((t) => key?.planIds.has(this.target.usagePlanIds[t]));
    return key && tier ? { id: key.id, plan: tier } : undefined;
  };
}

const target: GatewayTarget = {
  keyNamePrefix: 'DirectoryBolt-Api-',
  usagePlanIds: { starter: 'plan-starter', pro: 'plan-pro', enterprise: 'plan-enterprise' },
};

let env: HandlerEnvironment;
let gateway: Gateway;
let fake: FakeApiGateway;
let rpc: Rpc;
/** Lets a test make one SQL function fail, as a database hiccup would. */
let failFunction: string | undefined;

beforeAll(async () => {
  env = await startHandlerEnvironment();
  const supabase = createClient(process.env.SUPABASE_URL!, process.env.SUPABASE_SERVICE_KEY!, {
    accessToken: async () => process.env.SUPABASE_SERVICE_KEY!,
  });
  const real = rpcThrough(supabase);
  rpc = async (fn, args) => {
    if (fn === failFunction) throw new Error(`${fn}: connection reset (injected)`);
    return real(fn, args);
  };
  const routes = await Promise.all(
    API_ROUTES.filter((r) => r.resource === '/admin/workers' || r.resource === '/directories').map(
      async (route) => ({
        ...route,
        handler: ((await import(`../../lambdas/${route.entry}`)) as { handler: ApiHandler }).handler,
      }),
    ),
  );
  fake = new FakeApiGateway(target);
  gateway = await startGateway({
    routes,
    apiKeys: fake.keyStore,
    functionTimeoutMs: 29_000,
  });
});

afterAll(async () => {
  await gateway?.stop();
  await env?.stop();
});

beforeEach(() => {
  fake.resetCalls();
  failFunction = undefined;
});

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, {
    connect: async () => ({ gateway: fake, target, rpc }),
    out: (text) => out.push(text),
    err: (text) => err.push(text),
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the CLI's JSON, asserted field by field
  const json: any = out.length ? JSON.parse(out.join('')) : undefined;
  if (typeof json?.key === 'string') registerSecret(json.key);
  return { code, json, stderr: err.join('') };
}

const adminWorkers = (key: string) => call(gateway.url, '/admin/workers', { key });
const keyRow = async (keyId: string) =>
  (await env.db.pool.query('select role, revoked_at, replaced_by from api_keys where id = $1', [keyId]))
    .rows[0];

describe('create', () => {
  it('issues the first admin key: on the enterprise plan in API Gateway, hashed in Postgres, accepted by both', async () => {
    // Act
    const { code, json, stderr } = await cli('create', '--role', 'admin', '--label', 'first admin');
    // Assess
    expect(code).toBe(0);
    expect(stderr).toContain('shown once');
    expect(json).toMatchObject({ role: 'admin', customer_id: null, usage_plan: 'enterprise' });
    const inGateway = fake.byName(`DirectoryBolt-Api-${json.key_id}`)!;
    expect(inGateway).toMatchObject({ id: json.api_gateway_key_id, enabled: true, value: json.key });
    expect([...inGateway.planIds]).toEqual(['plan-enterprise']);
    expect(await keyRow(json.key_id)).toMatchObject({ role: 'admin', revoked_at: null });
    const answer = await adminWorkers(json.key);
    expect(answer.status).toBe(200);
  });

  it('puts a customer key on its customer\u2019s tier plan', async () => {
    const tier = (
      await env.db.pool.query<{ tier: CustomerTier }>('select tier from customers where id = $1', [
        env.demoCustomerId,
      ])
    ).rows[0]!.tier;
    const { code, json } = await cli('create', '--role', 'customer', '--customer', env.demoCustomerId);
    expect(code).toBe(0);
    expect(json.usage_plan).toBe(tier);
    expect([...fake.keys.get(json.api_gateway_key_id)!.planIds]).toEqual([target.usagePlanIds[tier]]);
    expect((await call(gateway.url, '/directories', { key: json.key })).status).toBe(200);
  });

  it.each<[Method, Method[]]>([
    ['createKey', ['createKey']],
    ['addToUsagePlan', ['createKey', 'addToUsagePlan', 'deleteKey']],
  ])('undoes the Postgres key when API Gateway fails at %s', async (method, calls) => {
    // Prepare
    const before = new Set(fake.keys.keys());
    fake.failNext(method);
    fake.calls.length = 0;
    // Act
    const { code, json, stderr } = await cli('create', '--role', 'staff');
    // Assess: nothing issued, nothing left in API Gateway, the Postgres row revoked
    expect(code).toBe(1);
    expect(json).toBeUndefined();
    expect(stderr).toMatch(/API Gateway did not take key (\S+) .*it was revoked in Postgres again/);
    expect(fake.calls).toEqual(calls);
    expect(new Set(fake.keys.keys())).toEqual(before);
    const keyId = /did not take key (\S+) /.exec(stderr)![1]!;
    expect((await keyRow(keyId)).revoked_at).not.toBeNull();
  });

  it('refuses a customer key without a known customer before changing anything', async () => {
    const { code, stderr } = await cli(
      'create',
      '--role',
      'customer',
      '--customer',
      '00000000-0000-4000-8000-000000000000',
    );
    expect(code).toBe(1);
    expect(stderr).toContain('not found');
    expect(fake.calls).toEqual([]);
  });
});

describe('rotate', () => {
  it('keeps the old key working in both places for the grace period; retire disables it after', async () => {
    // Prepare
    const old = (await cli('create', '--role', 'admin')).json;
    // Act
    const { code, json, stderr } = await cli('rotate', '--key-id', old.key_id);
    // Assess: both keys pass API Gateway and the handlers
    expect(code).toBe(0);
    expect(stderr).toContain(`old key works until ${json.old_key_expires_at}`);
    expect(json).toMatchObject({ old_key_id: old.key_id, incomplete: [] });
    expect(fake.byName(`DirectoryBolt-Api-${old.key_id}`)).toMatchObject({ enabled: true });
    expect((await adminWorkers(old.key)).status).toBe(200);
    expect((await adminWorkers(json.key)).status).toBe(200);
    const during = await cli('retire');
    expect(during.json.disabled).not.toContain(old.key_id);
    const listed = (await cli('list')).json.keys.find((k: { key_id: string }) => k.key_id === old.key_id);
    expect(listed).toMatchObject({ state: 'rotated', api_gateway: 'enabled', in_step: true });

    // Act: the grace period has passed (on the database's clock)
    await env.db.pool.query(
      `update api_keys set created_at = created_at - interval '1 day 1 second',
              expires_at = expires_at - interval '1 day 1 second' where id = $1`,
      [old.key_id],
    );
    // Assess: Postgres refuses it at once; retire then takes it out of API Gateway too
    const refused = await adminWorkers(old.key);
    expect(refused.status).toBe(403);
    expect(refused.json.error.code).toBe('api_key_expired');
    const retired = await cli('retire');
    expect(retired.code).toBe(0);
    expect(retired.json).toMatchObject({ disabled: expect.arrayContaining([old.key_id]), incomplete: [] });
    expect(fake.byName(`DirectoryBolt-Api-${old.key_id}`)).toMatchObject({ enabled: false });
    expect((await adminWorkers(old.key)).status).toBe(401);
    expect((await adminWorkers(json.key)).status).toBe(200);
    expect((await cli('retire')).json.disabled).toEqual([]);
  });

  it('with --grace 0 (a leaked key) gives a new key in both places and stops the old one in both, at once', async () => {
    // Prepare
    const old = (await cli('create', '--role', 'admin')).json;
    // Act
    const { code, json, stderr } = await cli('rotate', '--key-id', old.key_id, '--grace', '0');
    // Assess
    expect(code).toBe(0);
    expect(stderr).toContain('old key no longer works');
    expect(json).toMatchObject({
      old_key_id: old.key_id,
      role: 'admin',
      usage_plan: 'enterprise',
      incomplete: [],
    });
    expect(fake.byName(`DirectoryBolt-Api-${json.key_id}`)).toMatchObject({ enabled: true, value: json.key });
    expect(fake.byName(`DirectoryBolt-Api-${old.key_id}`)).toMatchObject({ enabled: false });
    expect(await keyRow(old.key_id)).toMatchObject({
      replaced_by: json.key_id,
      revoked_at: expect.any(Date),
    });
    expect((await adminWorkers(json.key)).status).toBe(200);
    expect((await adminWorkers(old.key)).status).toBe(401);
  });

  it('deletes the new API Gateway key when Postgres does not rotate, and the old key keeps working', async () => {
    const old = (await cli('create', '--role', 'admin')).json;
    const keysBefore = fake.keys.size;
    failFunction = 'rotate_api_key';
    const { code, stderr } = await cli('rotate', '--key-id', old.key_id);
    expect(code).toBe(1);
    expect(stderr).toContain('connection reset (injected)');
    expect(fake.keys.size).toBe(keysBefore);
    expect(fake.calls.slice(-1)).toEqual(['deleteKey']);
    expect(await keyRow(old.key_id)).toMatchObject({ revoked_at: null, replaced_by: null });
    expect((await adminWorkers(old.key)).status).toBe(200);
  });

  it('reports an old key API Gateway did not disable; Postgres refuses it, and revoke finishes the job', async () => {
    // Prepare
    const old = (await cli('create', '--role', 'admin')).json;
    fake.failNext('updateKey', 2); // the rename and the disable
    // Act
    const rotated = await cli('rotate', '--key-id', old.key_id, '--grace', '0');
    // Assess: the new key is printed and works; the old one passes API Gateway but the handlers refuse it
    expect(rotated.code).toBe(1);
    expect(rotated.json.key).toMatch(/^dbk_/);
    expect(rotated.stderr).toContain(`revoke --key-id ${old.key_id} again to finish`);
    expect((await adminWorkers(rotated.json.key)).status).toBe(200);
    const refused = await adminWorkers(old.key);
    expect(refused.status).toBe(403);
    expect(refused.json.error.code).toBe('api_key_revoked');
    const listed = (await cli('list')).json;
    expect(listed.keys.find((k: { key_id: string }) => k.key_id === old.key_id)).toMatchObject({
      api_gateway: 'enabled',
      in_step: false,
    });
    // Act again: the one command finishes what was left
    const finished = await cli('revoke', '--key-id', old.key_id);
    expect(finished.code).toBe(0);
    expect(finished.json).toMatchObject({ already_revoked: true, incomplete: [] });
    expect((await adminWorkers(old.key)).status).toBe(401);
  });

  it('refuses a revoked key before changing anything', async () => {
    const old = (await cli('create', '--role', 'staff')).json;
    await cli('revoke', '--key-id', old.key_id);
    fake.calls.length = 0;
    const { code, stderr } = await cli('rotate', '--key-id', old.key_id);
    expect(code).toBe(1);
    expect(stderr).toContain('is revoked; create a new key instead');
    expect(fake.calls).toEqual([]);
  });
});

describe('expiry', () => {
  it('create --expires-in issues a key that works until then, in both places', async () => {
    const before = Date.now();
    const { code, json } = await cli('create', '--role', 'staff', '--expires-in', '30d');
    expect(code).toBe(0);
    const expiresAt = new Date(json.expires_at).getTime();
    expect(expiresAt).toBeGreaterThanOrEqual(before + 30 * 86_400_000);
    expect(expiresAt).toBeLessThan(Date.now() + 30 * 86_400_000);
    expect((await call(gateway.url, '/directories', { key: json.key })).status).toBe(200);
  });

  it.each([
    [['--expires-in', '30 days'], '--expires-in must be'],
    [['--expires-at', '2030-01-01'], '--expires-at must be'],
    [['--expires-at', '2030-01-01T00:00:00Z', '--expires-in', '1d'], 'not both'],
  ])('create %j exits 2 and changes nothing', async (options, message) => {
    const keysBefore = fake.keys.size;
    const { code, stderr } = await cli('create', '--role', 'staff', ...options);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
    expect(fake.keys.size).toBe(keysBefore);
    expect(fake.calls).toEqual([]);
  });

  it('create --expires-at in the past is refused by Postgres before API Gateway is touched', async () => {
    const { code, stderr } = await cli('create', '--role', 'staff', '--expires-at', '2020-01-01T00:00:00Z');
    expect(code).toBe(1);
    expect(stderr).toContain('p_expires_at must be in the future');
    expect(fake.calls).toEqual([]);
  });
});

describe('revoke and list', () => {
  it('disables the key in both places; again is harmless', async () => {
    const issued = (await cli('create', '--role', 'staff')).json;
    const first = await cli('revoke', '--key-id', issued.key_id);
    expect(first.code).toBe(0);
    expect(first.json).toMatchObject({ key_id: issued.key_id, already_revoked: false, incomplete: [] });
    expect(fake.keys.get(issued.api_gateway_key_id)).toMatchObject({ enabled: false });
    expect((await keyRow(issued.key_id)).revoked_at).not.toBeNull();
    expect((await call(gateway.url, '/directories', { key: issued.key })).status).toBe(401);
    const again = await cli('revoke', '--key-id', issued.key_id);
    expect(again.code).toBe(0);
    expect(again.json.already_revoked).toBe(true);
  });

  it('lists every key with its API Gateway state, in step when issued by the CLI', async () => {
    const issued = (await cli('create', '--role', 'staff')).json;
    const { code, json } = await cli('list');
    expect(code).toBe(0);
    expect(json.keys.find((k: { key_id: string }) => k.key_id === issued.key_id)).toMatchObject({
      api_gateway: 'enabled',
      in_step: true,
    });
    expect(JSON.stringify(json)).not.toContain(issued.key);
  });
});

describe('usage', () => {
  it.each([
    [[], 'a command is required'],
    [['create'], '--role must be one of'],
    [['rotate'], '--key-id is required'],
    [['frobnicate'], 'unknown command frobnicate'],
    [['create', '--bogus'], "Unknown option '--bogus'"],
  ])('%j exits 2 with the usage', async (argv, message) => {
    const { code, stderr } = await cli(...argv);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
    expect(stderr).toContain('Usage:');
  });

  it('--help prints the usage and exits 0', async () => {
    const out: string[] = [];
    const code = await runCli(['--help'], {
      connect: () => Promise.reject(new Error('no')),
      out: (t) => out.push(t),
      err: () => undefined,
    });
    expect(code).toBe(0);
    expect(out.join('')).toContain('npx tsx scripts/api-keys.ts create --role');
  });
});
