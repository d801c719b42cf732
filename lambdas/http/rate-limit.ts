import type { LogPort } from '../platform/ports';
import { RpcError, type Rpc } from '../platform/rpc';

export interface RateLimitRule {
  limit: number;
  windowSeconds: number;
}

export interface RateLimitDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** When the window ends (epoch seconds). */
  resetEpochSeconds: number;
  retryAfterSeconds: number;
  /** Where the count was kept: Postgres, or this execution environment while Postgres is unreachable. */
  source: 'database' | 'memory';
}

export interface RateLimiter {
  /** Counts `cost` requests (0: only looks) of `subject` on `route` against `rule`. */
  check(subject: string, route: string, rule: RateLimitRule, cost?: number): Promise<RateLimitDecision>;
}

/**
 * Whether an RPC failure means the database could not be reached (network, gateway, connection or
 * resource errors) rather than that it answered and refused the arguments.
 */
export function isUnavailable(error: unknown): boolean {
  if (!(error instanceof RpcError)) return true;
  const code = error.code ?? '';
  if (!/^[0-9A-Z]{5}$/.test(code)) return true; // fetch failed, PGRST gateway errors: no SQLSTATE
  return ['08', '53', '57', '58'].includes(code.slice(0, 2));
}

/** check_rate_limit's answer (also inside admit_api_request's). */
export interface DatabaseDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  reset_at: string;
  retry_after_seconds: number;
}

/**
 * The precise limiter: check_rate_limit in Postgres (atomic, shared by every execution environment).
 * When Postgres cannot be reached it falls back to counting in memory, per execution environment
 * (looser: each environment counts alone), and reports that through `onFallback` (log + metric), so
 * an outage of the database does not turn into either an open door or a closed API.
 */
export function createRateLimiter(deps: {
  rpc: () => Promise<Rpc>;
  log: LogPort;
  onFallback: (error: unknown) => void;
  memory?: MemoryRateLimiter;
}): RateLimiter {
  const memory = deps.memory ?? new MemoryRateLimiter();
  return {
    async check(subject, route, rule, cost = 1) {
      try {
        const rpc = await deps.rpc();
        return decisionFromDatabase(
          await rpc<DatabaseDecision>('check_rate_limit', {
            p_subject: subject,
            p_route: route,
            p_limit: rule.limit,
            p_window_seconds: rule.windowSeconds,
            p_cost: cost,
          }),
        );
      } catch (error) {
        if (!isUnavailable(error)) throw error;
        deps.log.warn('Rate limiter: database unreachable, counting in memory', {
          error: error instanceof Error ? error.message : 'unknown',
        });
        deps.onFallback(error);
        return memory.check(subject, route, rule, cost);
      }
    },
  };
}

export function decisionFromDatabase(d: DatabaseDecision): RateLimitDecision {
  return {
    allowed: d.allowed,
    limit: d.limit,
    remaining: d.remaining,
    resetEpochSeconds: Math.ceil(Date.parse(d.reset_at) / 1000),
    retryAfterSeconds: d.retry_after_seconds,
    source: 'database',
  };
}

/** The same fixed windows as check_rate_limit (starting at a subject's first request), in memory. */
export class MemoryRateLimiter implements RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly maxEntries = 10_000,
  ) {}

  async check(subject: string, route: string, rule: RateLimitRule, cost = 1): Promise<RateLimitDecision> {
    const key = `${subject} ${route}`;
    const now = this.now();
    const windowMs = rule.windowSeconds * 1000;
    let window = this.windows.get(key);
    if (!window || window.start + windowMs <= now) {
      window = { start: now, count: 0 };
      if (this.windows.size >= this.maxEntries) this.windows.delete(this.windows.keys().next().value!);
      this.windows.set(key, window);
    }
    const allowed = cost === 0 ? window.count < rule.limit : window.count + cost <= rule.limit;
    if (allowed) window.count += cost;
    const reset = window.start + windowMs;
    return {
      allowed,
      limit: rule.limit,
      remaining: Math.max(rule.limit - window.count, 0),
      resetEpochSeconds: Math.ceil(reset / 1000),
      retryAfterSeconds: Math.max(Math.ceil((reset - now) / 1000), 1),
      source: 'memory',
    };
  }
}

/** The headers every answer carries; Retry-After only when refused. */
export function rateLimitHeaders(decision: RateLimitDecision): Record<string, string> {
  const headers: Record<string, string> = {
    'x-ratelimit-limit': String(decision.limit),
    'x-ratelimit-remaining': String(decision.remaining),
    'x-ratelimit-reset': String(decision.resetEpochSeconds),
  };
  if (!decision.allowed) headers['retry-after'] = String(decision.retryAfterSeconds);
  return headers;
}
