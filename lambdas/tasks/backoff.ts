/**
 * Exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff and Jitter"):
 * a uniformly random delay in [0, min(cap, base * 2^(attempt-1))]. Full jitter spreads retries of
 * many tasks that failed together, so a recovering directory is not hit by all of them at once.
 */
export interface BackoffPolicy {
  baseSeconds: number;
  capSeconds: number;
}

export function fullJitterDelaySeconds(
  attempt: number,
  policy: BackoffPolicy,
  random: () => number = Math.random,
): number {
  if (!Number.isInteger(attempt) || attempt < 1) {
    throw new RangeError(`attempt must be a positive integer, got ${attempt}`);
  }
  const ceiling = Math.min(policy.capSeconds, policy.baseSeconds * 2 ** (attempt - 1));
  return Math.floor(random() * (ceiling + 1));
}
