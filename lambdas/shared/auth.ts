import { createHash, randomBytes } from 'node:crypto';
import type { Rpc } from './rpc';
import { API_ACCESS, type ApiRole, type CustomerTier } from './system-config';

/** Who an API key stands for. */
export interface Principal {
  keyId: string;
  role: ApiRole;
  /** Set for customer keys only: the one customer whose data the key may see. */
  customerId: string | null;
  customerTier: CustomerTier | null;
}

/**
 * What a route requires: `public` no key, `customer` any valid key (customers see only their own
 * data), `staff` a staff or admin key, `admin` an admin key.
 */
export type Access = 'public' | 'customer' | 'staff' | 'admin';

export type KeyResolution =
  { kind: 'active'; principal: Principal } | { kind: 'revoked' } | { kind: 'unknown' };

/** SHA-256 (hex) of a key: the only form in which a key is stored or sent to the database. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** A new key: 256 random bits, base64url, with a recognisable prefix. Shown once, stored hashed. */
export function generateApiKey(): { key: string; hash: string; prefix: string } {
  const key = `${API_ACCESS.keyPrefix}${randomBytes(API_ACCESS.keyRandomBytes).toString('base64url')}`;
  return { key, hash: hashApiKey(key), prefix: displayPrefix(key) };
}

/** The first characters of a key, safe to show and log (they identify, they do not authorize). */
export function displayPrefix(key: string): string {
  return key.slice(0, API_ACCESS.keyPrefix.length + 6).replace(/[^A-Za-z0-9_-]/g, '_');
}

export function allows(principal: Principal, access: Access): boolean {
  switch (access) {
    case 'public':
    case 'customer':
      return true;
    case 'staff':
      return principal.role === 'staff' || principal.role === 'admin';
    case 'admin':
      return principal.role === 'admin';
  }
}

/** The customer a principal is confined to, or null for staff and admin (all customers). */
export function customerScope(principal: Principal | null): string | null {
  return principal?.role === 'customer' ? principal.customerId : null;
}

/** A principal's stable name for per-principal records (idempotency keys). */
export function principalRef(principal: Principal | null): string {
  if (!principal) return 'anonymous';
  return principal.role === 'customer' ? `customer:${principal.customerId}` : `key:${principal.keyId}`;
}

interface ResolvedKeyRow {
  key_id: string;
  role: ApiRole;
  customer_id: string | null;
  customer_tier: CustomerTier | null;
  revoked: boolean;
}

/**
 * Resolves keys through resolve_api_key, caching active keys briefly per execution environment
 * (API_ACCESS.principalCacheSeconds): most requests then cost no round trip for authentication.
 * Unknown and revoked keys are not cached, so a key works as soon as it is created and a revocation
 * takes effect within the cache time.
 */
export function createKeyResolver(options: { ttlMs: number; maxEntries?: number; now?: () => number }) {
  const cache = new Map<string, { principal: Principal; expires: number }>();
  const now = options.now ?? Date.now;
  const maxEntries = options.maxEntries ?? 10_000;
  return async (rpc: Rpc, key: string): Promise<KeyResolution> => {
    const hash = hashApiKey(key);
    const cached = cache.get(hash);
    if (cached && cached.expires > now()) return { kind: 'active', principal: cached.principal };
    cache.delete(hash);

    const row = await rpc<ResolvedKeyRow | null>('resolve_api_key', { p_key_hash: hash });
    if (row === null) return { kind: 'unknown' };
    if (row.revoked) return { kind: 'revoked' };
    const principal: Principal = {
      keyId: row.key_id,
      role: row.role,
      customerId: row.customer_id,
      customerTier: row.customer_tier,
    };
    if (cache.size >= maxEntries) cache.delete(cache.keys().next().value!);
    cache.set(hash, { principal, expires: now() + options.ttlMs });
    return { kind: 'active', principal };
  };
}
