import { createHash, randomBytes } from 'node:crypto';
import {
  decisionFromDatabase,
  type DatabaseDecision,
  type RateLimitDecision,
  type RateLimitRule,
} from './rate-limit';
import type { Rpc } from '../platform/rpc';
import { API_ACCESS, API_ROLES, type ApiRole, type CustomerTier } from '../platform/system-config';

/** Who an API key stands for. */
export interface Principal {
  keyId: string;
  role: ApiRole;
  /** Set for customer keys only: the one customer whose data the key may see. */
  customerId: string | null;
  customerTier: CustomerTier | null;
  /**
   * Set while the key is in its rotation grace period: the key that replaced it and when this one
   * stops working. The handler layer logs every such use.
   */
  rotation?: { replacedBy: string; expiresAt: string };
}

/**
 * What a route requires: `public` no key, `customer` any valid key (customers see only their own
 * data), `staff` a staff or admin key, `admin` an admin key.
 */
export type Access = 'public' | 'customer' | 'staff' | 'admin';

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

interface PrincipalRow {
  key_id: string;
  role: ApiRole;
  customer_id: string | null;
  customer_tier: CustomerTier | null;
  /** internal.api_key_state: only 'active' and 'rotated' keys are admitted. */
  state: 'active' | 'rotated';
  replaced_by: string | null;
  expires_at: string | null;
}

/** Why a key was refused: unknown (401), revoked or expired (403), or its IP failed too often (429). */
type RefusedOutcome = 'ip_blocked' | 'unknown' | 'revoked' | 'expired';

/** What admit_api_request decided about an authenticated request. */
export type Admission =
  | { outcome: 'admitted'; principal: Principal; limit: RateLimitDecision }
  | { outcome: RefusedOutcome; auth: RateLimitDecision }
  | { outcome: 'forbidden'; principal: Principal };

type AdmissionRow =
  | { outcome: 'admitted'; principal: PrincipalRow; limit: DatabaseDecision }
  | { outcome: RefusedOutcome; auth: DatabaseDecision }
  | { outcome: 'forbidden'; principal: PrincipalRow };

/** The roles that may use a route of the given access. */
export function rolesAllowed(access: Access): ApiRole[] {
  return API_ROLES.filter((role) =>
    allows({ keyId: '', role, customerId: null, customerTier: null }, access),
  );
}

/**
 * Authenticates a key and charges the route's limit in one round trip (admit_api_request): the key,
 * then, only for a key that is not accepted, the client IP's failed-key counter (a valid key is never
 * refused for other keys' failures), the route's roles, then the route's limit for the key.
 * No principal is cached in the execution environment, so a revoked key stops working at once.
 */
export async function admitApiRequest(
  rpc: Rpc,
  request: {
    key: string;
    sourceIp: string;
    access: Access;
    route: string;
    rule: RateLimitRule;
    failedKeyRoute: string;
    failedKeyRule: RateLimitRule;
  },
): Promise<Admission> {
  const row = await rpc<AdmissionRow>('admit_api_request', {
    p_key_hash: hashApiKey(request.key),
    p_ip_subject: `ip:${request.sourceIp}`,
    p_auth_route: request.failedKeyRoute,
    p_auth_limit: request.failedKeyRule.limit,
    p_auth_window_seconds: request.failedKeyRule.windowSeconds,
    p_route: request.route,
    p_roles: rolesAllowed(request.access),
    p_limit: request.rule.limit,
    p_window_seconds: request.rule.windowSeconds,
  });
  switch (row.outcome) {
    case 'admitted':
      return {
        outcome: row.outcome,
        principal: principalOf(row.principal),
        limit: decisionFromDatabase(row.limit),
      };
    case 'forbidden':
      return { outcome: row.outcome, principal: principalOf(row.principal) };
    default:
      return { outcome: row.outcome, auth: decisionFromDatabase(row.auth) };
  }
}

function principalOf(row: PrincipalRow): Principal {
  const principal: Principal = {
    keyId: row.key_id,
    role: row.role,
    customerId: row.customer_id,
    customerTier: row.customer_tier,
  };
  if (row.state === 'rotated' && row.replaced_by && row.expires_at) {
    principal.rotation = { replacedBy: row.replaced_by, expiresAt: row.expires_at };
  }
  return principal;
}

const LIFETIME_UNITS = { m: 60, h: 3600, d: 86_400 } as const;

/**
 * A new key's expiry from the key tools' options: `--expires-at` an ISO 8601 time with its zone, or
 * `--expires-in` a lifetime such as `90d`, `12h` or `30m`; neither: no expiry. A bad value is an
 * error naming the option (create_api_key refuses a time that is not in the future).
 */
export function keyExpiry(
  options: { expiresAt?: string; expiresIn?: string },
  now: Date = new Date(),
): string | null {
  if (options.expiresAt !== undefined && options.expiresIn !== undefined) {
    throw new Error('give --expires-at or --expires-in, not both');
  }
  if (options.expiresAt !== undefined) {
    const zoned = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(
      options.expiresAt,
    );
    const at = new Date(options.expiresAt);
    if (!zoned || Number.isNaN(at.getTime())) {
      throw new Error('--expires-at must be an ISO 8601 time with its zone, e.g. 2027-01-31T00:00:00Z');
    }
    return at.toISOString();
  }
  if (options.expiresIn !== undefined) {
    const match = /^([1-9]\d{0,5})([mhd])$/.exec(options.expiresIn);
    if (!match) throw new Error('--expires-in must be a whole number of m, h or d, e.g. 90d');
    const seconds = Number(match[1]) * LIFETIME_UNITS[match[2] as keyof typeof LIFETIME_UNITS];
    return new Date(now.getTime() + seconds * 1000).toISOString();
  }
  return null;
}

/** `--grace` of the rotate commands: seconds as m/h/d like --expires-in, or 0 to revoke at once. */
export function rotationGrace(value: string | undefined): number {
  if (value === undefined) return API_ACCESS.rotationGraceSeconds;
  if (value === '0') return 0;
  const match = /^([1-9]\d{0,5})([mhd])$/.exec(value);
  if (!match) throw new Error('--grace must be 0 or a whole number of m, h or d, e.g. 24h');
  return Number(match[1]) * LIFETIME_UNITS[match[2] as keyof typeof LIFETIME_UNITS];
}
