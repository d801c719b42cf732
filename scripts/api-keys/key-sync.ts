/**
 * Issuing, rotating and revoking API keys in both places that check them, in an order that never
 * leaves a usable key in only one of them and undoes its own first step when the second fails:
 *
 * - Postgres (api_keys, through the SQL functions over the Supabase RPC) is the authority on who a
 *   key is and until when; the handlers refuse anything it does not know (401), has revoked or has
 *   seen expire (403), the end of a rotation's grace period included.
 * - API Gateway knows the same value as a key on its tier's usage plan (throttle and quota), and
 *   refuses unknown or disabled keys before any Lambda runs.
 *
 * A key that expires (its own expiry, or the end of a rotation's grace) stops at once in Postgres, by
 * the clock; API Gateway is told by `retire`, which disables every key Postgres no longer accepts.
 *
 * Each API Gateway key is named `<stack>-<key_id>` after its Postgres row, so the two can be matched.
 * AWS is reached only through the GatewayKeys port (scripts/api-keys/aws.ts implements it), Postgres
 * only through the Rpc port (lambdas/platform/rpc.ts): tests run the ordering with a fake gateway and
 * the real database.
 */
import { generateApiKey } from '../../lambdas/http/auth';
import type { Rpc } from '../../lambdas/platform/rpc';
import type { ApiRole, CustomerTier } from '../../lambdas/platform/system-config';

/** An API Gateway key, as far as this tool needs it. */
export interface GatewayKey {
  id: string;
  name: string;
  enabled: boolean;
}

/** The API Gateway calls this tool makes: narrow, so a fake can stand in where AWS is not reachable. */
export interface GatewayKeys {
  /** Creates an enabled key with exactly this value; returns its id. */
  createKey(input: { name: string; value: string; description: string }): Promise<string>;
  addToUsagePlan(keyId: string, usagePlanId: string): Promise<void>;
  updateKey(keyId: string, change: { name?: string; enabled?: boolean }): Promise<void>;
  deleteKey(keyId: string): Promise<void>;
  /** Every key whose name starts with the prefix. */
  listKeys(namePrefix: string): Promise<GatewayKey[]>;
}

/** Where keys go in API Gateway: the deployed stack's usage plans (its outputs). */
export interface GatewayTarget {
  /** `<stack>-`: the prefix of every key name this tool gives. */
  keyNamePrefix: string;
  usagePlanIds: Readonly<Record<CustomerTier, string>>;
}

/** A key as list_api_keys and friends return it (never the key or its hash). */
export interface KeyRecord {
  key_id: string;
  key_prefix: string;
  role: ApiRole;
  customer_id: string | null;
  label: string | null;
  created_at: string;
  revoked_at: string | null;
  replaced_by: string | null;
  expires_at: string | null;
  /** internal.api_key_state: active and rotated (in its grace period) are accepted. */
  state: 'active' | 'rotated' | 'expired' | 'revoked';
}

/** Whether the API accepts the key now. */
const accepted = (record: KeyRecord) => record.state === 'active' || record.state === 'rotated';

export interface IssuedKey {
  /** Shown once: only its SHA-256 is stored. */
  key: string;
  key_id: string;
  role: ApiRole;
  customer_id: string | null;
  usage_plan: CustomerTier;
  api_gateway_key_id: string;
}

/** A step after the point of no return that did not complete; the state is safe, but not tidy. */
export interface Incomplete {
  incomplete: string[];
}

export class KeySyncError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'KeySyncError';
  }
}

export interface KeySyncDeps {
  rpc: Rpc;
  gateway: GatewayKeys;
  target: GatewayTarget;
}

const reason = (error: unknown) => (error instanceof Error ? error.message : String(error));
const gatewayName = (target: GatewayTarget, keyId: string) => `${target.keyNamePrefix}${keyId}`;

/** The usage plan a key belongs on: its customer's tier; staff and admin keys are on enterprise. */
async function planFor(rpc: Rpc, role: ApiRole, customerId: string | null): Promise<CustomerTier> {
  if (role !== 'customer') return 'enterprise';
  if (!customerId) throw new KeySyncError('--customer is required for a customer key');
  const customer = await rpc<{ tier: CustomerTier } | null>('get_customer', { p_customer_id: customerId });
  if (!customer) throw new KeySyncError(`customer ${customerId} not found`);
  return customer.tier;
}

async function findRecord(rpc: Rpc, keyId: string): Promise<KeyRecord> {
  const keys = await rpc<KeyRecord[]>('list_api_keys', { p_customer_id: null });
  const found = keys.find((k) => k.key_id === keyId);
  if (!found) throw new KeySyncError(`api key ${keyId} not found`);
  return found;
}

async function findGatewayKey(deps: KeySyncDeps, keyId: string): Promise<GatewayKey | undefined> {
  const name = gatewayName(deps.target, keyId);
  return (await deps.gateway.listKeys(name)).find((k) => k.name === name);
}

/** Imports a value into API Gateway on a plan; on failure nothing of it is left behind. */
async function importIntoGateway(
  deps: KeySyncDeps,
  input: { name: string; value: string; description: string; plan: CustomerTier },
): Promise<string> {
  const id = await deps.gateway.createKey(input);
  try {
    await deps.gateway.addToUsagePlan(id, deps.target.usagePlanIds[input.plan]);
  } catch (error) {
    await deps.gateway.deleteKey(id).catch((cleanup: unknown) => {
      throw new KeySyncError(
        `API Gateway key ${id} was created but not added to the ${input.plan} plan (${reason(error)}), ` +
          `and could not be deleted (${reason(cleanup)}): delete it with aws apigateway delete-api-key --api-key ${id}`,
        { cause: error },
      );
    });
    throw error;
  }
  return id;
}

/**
 * A new key. Postgres first (it assigns the key id the API Gateway key is named after), then API
 * Gateway; if API Gateway refuses, the Postgres key is revoked again, so no key exists that only one
 * side knows as valid. Until both steps are done the key works nowhere: API Gateway refuses it.
 */
export async function createKey(
  deps: KeySyncDeps,
  input: { role: ApiRole; customerId?: string | null; label?: string | null; expiresAt?: string | null },
): Promise<IssuedKey & { expires_at: string | null }> {
  const customerId = input.customerId ?? null;
  const plan = await planFor(deps.rpc, input.role, customerId);
  const next = generateApiKey();
  const record = await deps.rpc<KeyRecord>('create_api_key', {
    p_key_hash: next.hash,
    p_key_prefix: next.prefix,
    p_role: input.role,
    p_customer_id: customerId,
    p_label: input.label ?? null,
    p_expires_at: input.expiresAt ?? null,
  });
  let gatewayKeyId: string;
  try {
    gatewayKeyId = await importIntoGateway(deps, {
      name: gatewayName(deps.target, record.key_id),
      value: next.key,
      description: describe(record),
      plan,
    });
  } catch (error) {
    // Undo the first step: the key was never handed out, and now it never will be valid.
    const undo = await deps.rpc('revoke_api_key', { p_key_id: record.key_id }).then(
      () => 'it was revoked in Postgres again: no key was issued',
      (undoError: unknown) =>
        `and revoking it in Postgres failed too (${reason(undoError)}): run revoke --key-id ${record.key_id}`,
    );
    throw new KeySyncError(`API Gateway did not take key ${record.key_id} (${reason(error)}); ${undo}`, {
      cause: error,
    });
  }
  return {
    key: next.key,
    key_id: record.key_id,
    role: record.role,
    customer_id: record.customer_id,
    usage_plan: plan,
    api_gateway_key_id: gatewayKeyId,
    expires_at: record.expires_at,
  };
}

/**
 * A new key for the same principal. The new value goes into API Gateway first (harmless alone: the
 * handlers do not know it yet), then Postgres replaces the old key by the new one in one transaction
 * (the point of no return: if it fails, the new API Gateway key is deleted again), then API Gateway
 * names the new one. The old key keeps working for graceSeconds in both places (Postgres stops it by
 * the clock; `retire` disables it in API Gateway afterwards); with 0 (a leaked key) it is revoked in
 * Postgres and disabled in API Gateway at once. A failure in that last part leaves a safe state and
 * is reported.
 */
export async function rotateKey(
  deps: KeySyncDeps,
  keyId: string,
  graceSeconds: number,
): Promise<IssuedKey & Incomplete & { old_key_id: string; old_key_expires_at: string | null }> {
  const old = await findRecord(deps.rpc, keyId);
  if (old.state === 'rotated') {
    throw new KeySyncError(`api key ${keyId} was already rotated; rotate its replacement ${old.replaced_by}`);
  }
  if (old.state !== 'active') {
    throw new KeySyncError(`api key ${keyId} is ${old.state}; create a new key instead`);
  }
  const plan = await planFor(deps.rpc, old.role, old.customer_id);
  const next = generateApiKey();
  const gatewayKeyId = await importIntoGateway(deps, {
    name: `${gatewayName(deps.target, keyId)}-next`,
    value: next.key,
    description: describe(old),
    plan,
  });
  let rotated: { old: KeyRecord; new: KeyRecord };
  try {
    rotated = await deps.rpc('rotate_api_key', {
      p_key_id: keyId,
      p_new_key_hash: next.hash,
      p_new_key_prefix: next.prefix,
      p_grace_seconds: graceSeconds,
    });
  } catch (error) {
    await deps.gateway.deleteKey(gatewayKeyId).catch((cleanup: unknown) => {
      throw new KeySyncError(
        `Postgres did not rotate ${keyId} (${reason(error)}) and the new API Gateway key ${gatewayKeyId} ` +
          `could not be deleted (${reason(cleanup)}): delete it with aws apigateway delete-api-key --api-key ${gatewayKeyId}`,
        { cause: error },
      );
    });
    throw error;
  }
  const incomplete: string[] = [];
  await deps.gateway
    .updateKey(gatewayKeyId, { name: gatewayName(deps.target, rotated.new.key_id) })
    .catch((error: unknown) => {
      incomplete.push(
        `the new API Gateway key ${gatewayKeyId} keeps its temporary name (${reason(error)}); ` +
          `rename it: aws apigateway update-api-key --api-key ${gatewayKeyId} --patch-operations op=replace,path=/name,value=${gatewayName(deps.target, rotated.new.key_id)}`,
      );
    });
  if (graceSeconds === 0) incomplete.push(...(await disableInGateway(deps, keyId)));
  return {
    key: next.key,
    key_id: rotated.new.key_id,
    role: rotated.new.role,
    customer_id: rotated.new.customer_id,
    usage_plan: plan,
    api_gateway_key_id: gatewayKeyId,
    old_key_id: keyId,
    old_key_expires_at: graceSeconds === 0 ? null : rotated.old.expires_at,
    incomplete,
  };
}

/**
 * Revoked in Postgres first (the API refuses the key from that moment), then disabled in API Gateway.
 * Safe to run again: a revoked key stays revoked and the API Gateway step is retried.
 */
export async function revokeKey(
  deps: KeySyncDeps,
  keyId: string,
): Promise<KeyRecord & Incomplete & { already_revoked: boolean }> {
  const revoked = await deps.rpc<KeyRecord & { already_revoked: boolean }>('revoke_api_key', {
    p_key_id: keyId,
  });
  return { ...revoked, incomplete: await disableInGateway(deps, keyId) };
}

async function disableInGateway(deps: KeySyncDeps, keyId: string): Promise<string[]> {
  const retry = `revoke --key-id ${keyId} again to finish`;
  try {
    const key = await findGatewayKey(deps, keyId);
    if (!key) {
      return [`no API Gateway key is named ${gatewayName(deps.target, keyId)} (not issued by this tool?)`];
    }
    if (key.enabled) await deps.gateway.updateKey(key.id, { enabled: false });
    return [];
  } catch (error) {
    return [`API Gateway still accepts key ${keyId} (${reason(error)}); Postgres refuses it. Run ${retry}`];
  }
}

/**
 * Disables in API Gateway every key of this stack that Postgres no longer accepts: rotated keys past
 * their grace period, expired and revoked keys. Run it after a rotation's grace has passed (or on a
 * schedule); until then the handlers already refuse those keys (403), so nothing waits on it. Safe to
 * run any time and again.
 */
export async function retireKeys(deps: KeySyncDeps): Promise<{ disabled: string[] } & Incomplete> {
  const [records, gatewayKeys] = await Promise.all([
    deps.rpc<KeyRecord[]>('list_api_keys', { p_customer_id: null }),
    deps.gateway.listKeys(deps.target.keyNamePrefix),
  ]);
  const byName = new Map(gatewayKeys.map((k) => [k.name, k]));
  const disabled: string[] = [];
  const incomplete: string[] = [];
  for (const record of records.filter((r) => !accepted(r))) {
    const key = byName.get(gatewayName(deps.target, record.key_id));
    if (!key?.enabled) continue;
    try {
      await deps.gateway.updateKey(key.id, { enabled: false });
      disabled.push(record.key_id);
    } catch (error) {
      incomplete.push(
        `API Gateway still accepts ${record.state} key ${record.key_id} (${reason(error)}); Postgres refuses it. Run retire again`,
      );
    }
  }
  return { disabled, incomplete };
}

export interface ListedKey extends KeyRecord {
  /** The state of its API Gateway key: enabled, disabled or missing. */
  api_gateway: 'enabled' | 'disabled' | 'missing';
  /** Accepted by Postgres (active, or rotated within its grace) exactly when enabled in API Gateway. */
  in_step: boolean;
}

/** Every key with its state on both sides, and API Gateway keys of this stack that Postgres does not know. */
export async function listKeys(
  deps: KeySyncDeps,
  customerId: string | null,
): Promise<{ keys: ListedKey[]; unknown_to_postgres: GatewayKey[] }> {
  const [records, gatewayKeys] = await Promise.all([
    deps.rpc<KeyRecord[]>('list_api_keys', { p_customer_id: customerId }),
    deps.gateway.listKeys(deps.target.keyNamePrefix),
  ]);
  const byName = new Map(gatewayKeys.map((k) => [k.name, k]));
  const keys = records.map((record): ListedKey => {
    const gatewayKey = byName.get(gatewayName(deps.target, record.key_id));
    const state = !gatewayKey ? 'missing' : gatewayKey.enabled ? 'enabled' : 'disabled';
    return { ...record, api_gateway: state, in_step: accepted(record) === (state === 'enabled') };
  });
  const known = new Set(records.map((r) => gatewayName(deps.target, r.key_id)));
  return {
    keys,
    unknown_to_postgres: customerId === null ? gatewayKeys.filter((k) => !known.has(k.name)) : [],
  };
}

function describe(record: Pick<KeyRecord, 'role' | 'customer_id' | 'label'>): string {
  const who = record.role === 'customer' ? `customer ${record.customer_id}` : record.role;
  return `DirectoryBolt ${who} key${record.label ? `: ${record.label}` : ''} (scripts/api-keys.ts)`.slice(
    0,
    250,
  );
}
