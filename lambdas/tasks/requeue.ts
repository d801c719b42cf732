/**
 * Delays for waits that must not spend the app's retry budget nor SQS receive counts: such a delivery
 * is re-sent as a fresh message with DelaySeconds and the current one is deleted, so the DLQ only ever
 * receives messages the handler could not process. (Transient retries use the message's visibility
 * instead: those attempts are meant to count.)
 */
import { POLITENESS, QUEUES, TASKS } from '../platform/system-config';

/** The wait a 429 asks for: its Retry-After, or the default when it names none, capped. */
export function rateLimitWaitSeconds(retryAfterSeconds: number | undefined): number {
  const asked = retryAfterSeconds ?? TASKS.rateLimit.defaultRetryAfterSeconds;
  return Math.min(Math.max(Math.ceil(asked), 1), TASKS.rateLimit.maxRetryAfterSeconds);
}

/**
 * `seconds` plus up to POLITENESS.deferralJitterRatio of it more: never shorter than asked (Retry-After
 * is a minimum), and tasks told to wait together do not all come back in the same second.
 */
export function withJitter(seconds: number, random: () => number = Math.random): number {
  return seconds + Math.floor(random() * (seconds * POLITENESS.deferralJitterRatio + 1));
}

/** What one message can wait: SQS's DelaySeconds limit. A longer wait re-defers when it comes back. */
export function messageDelaySeconds(seconds: number): number {
  return Math.min(Math.max(Math.ceil(seconds), 0), QUEUES.maxDelaySeconds);
}
