/**
 * API keys on this machine: the library the local stack uses to issue its demo keys and to act as
 * API Gateway's key store, over the same SQL functions the API uses. Its command line is
 * scripts/local-api-keys.ts.
 */
import pg from 'pg';
import { displayPrefix, generateApiKey, hashApiKey } from '../../lambdas/http/auth';
import { API_ACCESS } from '../../lambdas/platform/system-config';
import type { ApiRole, CustomerTier } from '../../lambdas/platform/system-config';
import type { GatewayKey, GatewayKeyStore } from '../emulators/api-gateway';

type Queryable = Pick<pg.Pool, 'connect'>;

/** Calls one SQL function as service_role in its own transaction, as the RPC endpoint does. */
async function callAsService<T>(db: Queryable, sql: string, values: unknown[]): Promise<T> {
  const client = await db.connect();
  try {
    await client.query('begin');
    try {
      await client.query('set local role service_role');
      const result = await client.query<{ result: T }>(sql, values);
      await client.query('commit');
      return result.rows[0]!.result;
    } catch (error) {
      await client.query('rollback');
      throw error;
    }
  } finally {
    client.release();
  }
}

export interface IssuedKey {
  key: string;
  key_id: string;
  role: ApiRole;
  customer_id: string | null;
}

/** Issues a key (or registers a given one, e.g. LOCAL_API_KEY) for a principal. */
export async function createApiKey(
  db: Queryable,
  options: {
    role: ApiRole;
    customerId?: string | null;
    label?: string | null;
    key?: string;
    /** ISO 8601; the key is refused from then on. */
    expiresAt?: string | null;
  },
): Promise<IssuedKey> {
  const generated = options.key === undefined ? generateApiKey() : undefined;
  const key = options.key ?? generated!.key;
  const row = await callAsService<{ key_id: string; role: ApiRole; customer_id: string | null }>(
    db,
    'select public.create_api_key(p_key_hash => $1, p_key_prefix => $2, p_role => $3, p_customer_id => $4, p_label => $5, p_expires_at => $6) as result',
    [
      hashApiKey(key),
      displayPrefix(key),
      options.role,
      options.customerId ?? null,
      options.label ?? null,
      options.expiresAt ?? null,
    ],
  );
  return { key, key_id: row.key_id, role: row.role, customer_id: row.customer_id };
}

/** A new key for the same principal; the old one keeps working for graceSeconds (0: revoked at once). */
export async function rotateApiKey(
  db: Queryable,
  keyId: string,
  graceSeconds: number = API_ACCESS.rotationGraceSeconds,
): Promise<IssuedKey & { old_key_id: string; old_key_expires_at: string | null }> {
  const next = generateApiKey();
  const row = await callAsService<{
    old: { expires_at: string | null };
    new: { key_id: string; role: ApiRole; customer_id: string | null };
  }>(
    db,
    'select public.rotate_api_key(p_key_id => $1, p_new_key_hash => $2, p_new_key_prefix => $3, p_grace_seconds => $4) as result',
    [keyId, next.hash, next.prefix, graceSeconds],
  );
  return {
    key: next.key,
    key_id: row.new.key_id,
    role: row.new.role,
    customer_id: row.new.customer_id,
    old_key_id: keyId,
    old_key_expires_at: graceSeconds === 0 ? null : row.old.expires_at,
  };
}

export async function revokeApiKey(db: Queryable, keyId: string): Promise<unknown> {
  return callAsService(db, 'select public.revoke_api_key(p_key_id => $1) as result', [keyId]);
}

export async function listApiKeys(db: Queryable, customerId: string | null): Promise<unknown> {
  return callAsService(db, 'select public.list_api_keys(p_customer_id => $1) as result', [customerId]);
}

/**
 * API Gateway's key store, locally. In AWS an issued key is also imported into API Gateway on its
 * tier's usage plan (see docs/architecture.md); here every key ever issued is known to the gateway,
 * on the plan of its customer's tier (staff and admin: enterprise). Revocation is enforced by the
 * handler layer (403), exactly as when API Gateway still has a key that Postgres revoked.
 */
export function databaseKeyStore(
  db: Pick<pg.Pool, 'query'>,
  options: { reuseMs?: number; now?: () => number } = {},
): GatewayKeyStore {
  // API Gateway does not read its key store on every request either: a key it knows stays known for
  // a few seconds (keys are revoked, never deleted, and the handlers refuse revoked ones at once).
  // Unknown keys are looked up every time, so a new key works at once.
  const reuseMs = options.reuseMs ?? 10_000;
  const now = options.now ?? Date.now;
  const known = new Map<string, { key: GatewayKey; at: number }>();
  return async (apiKey) => {
    const hash = hashApiKey(apiKey);
    const cached = known.get(hash);
    if (cached && now() - cached.at < reuseMs) return cached.key;
    const result = await db.query<{ id: string; tier: CustomerTier | null }>(
      `select k.id, c.tier from public.api_keys k left join public.customers c on c.id = k.customer_id
        where k.key_hash = $1`,
      [hash],
    );
    const row = result.rows[0];
    if (!row) return undefined;
    const key: GatewayKey = { id: row.id, plan: row.tier ?? 'enterprise' };
    if (known.size >= 10_000) known.delete(known.keys().next().value!);
    known.set(hash, { key, at: now() });
    return key;
  };
}
