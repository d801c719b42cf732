/**
 * How a submission fails, shared by the browser lifecycle (a browser that dies mid-submission), the
 * form-filling engine (a page that refuses) and the task processor (retry or not).
 *
 * SubmissionError has kind 'transient' (timeouts, network, 5xx/408, browser gone; 429 as code
 * 'rate_limited' with retryAfterSeconds) or 'permanent' (other 4xx, form not found, validation
 * rejected, blocked URL).
 */
import type { Response } from 'playwright-core';
import { GUARD_HEADER } from './ssrf-guard';

export type ErrorKind = 'transient' | 'permanent';
export type SubmissionErrorCode =
  | 'navigation_timeout'
  | 'network'
  | 'http_status'
  | 'blocked'
  | 'form_not_found'
  | 'validation_rejected'
  | 'browser_closed'
  | 'timeout'
  | 'rate_limited'
  | 'unknown';

export class SubmissionError extends Error {
  override readonly name = 'SubmissionError';
  readonly kind: ErrorKind;
  readonly code: SubmissionErrorCode;
  /** HTTP status that caused it, if any. */
  readonly status?: number;
  /** True once beforeSubmit ran: the directory may have received the submission. */
  readonly submitAttempted: boolean;
  /** For 'rate_limited': how long the directory asked us to wait (its Retry-After), if it said. */
  readonly retryAfterSeconds?: number;
  /** Best-effort screenshot of the page when it failed. */
  screenshot?: Buffer;

  constructor(
    kind: ErrorKind,
    code: SubmissionErrorCode,
    message: string,
    details: { status?: number; submitAttempted?: boolean; cause?: unknown; retryAfterSeconds?: number } = {},
  ) {
    super(message, { cause: details.cause });
    this.kind = kind;
    this.code = code;
    this.status = details.status;
    this.submitAttempted = details.submitAttempted ?? false;
    this.retryAfterSeconds = details.retryAfterSeconds;
  }
}

/**
 * Retry-After (RFC 9110 10.2.3): delay-seconds or an HTTP-date. Whole seconds from `now`, never
 * negative; undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  if (/^\d+$/.test(text)) return Number(text);
  if (/^[-+.\d]/.test(text)) return undefined; // a negative or fractional number is neither form
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - now) / 1000));
}

/** The error for an HTTP error answer (the form page or the submission). */
export function httpError(
  response: Response,
  message: string,
  details: { submitAttempted: boolean; said?: string },
): SubmissionError {
  const status = response.status();
  const guard = response.headers()[GUARD_HEADER];
  const text = `${message}${details.said ? `: ${details.said.slice(0, 300)}` : ''}`;
  if (guard === 'blocked') {
    return new SubmissionError(
      'permanent',
      'blocked',
      `The URL is not allowed (SSRF guard): ${response.url()}`,
      {
        submitAttempted: details.submitAttempted,
      },
    );
  }
  if (guard === 'upstream-error') {
    return new SubmissionError(
      'transient',
      'network',
      `The directory could not be reached: ${response.url()}`,
      {
        submitAttempted: details.submitAttempted,
      },
    );
  }
  if (status === 429) {
    return new SubmissionError('transient', 'rate_limited', text, {
      status,
      submitAttempted: details.submitAttempted,
      retryAfterSeconds: parseRetryAfter(response.headers()['retry-after']),
    });
  }
  const transient = status >= 500 || status === 408;
  return new SubmissionError(
    transient ? 'transient' : 'permanent',
    transient || !details.submitAttempted ? 'http_status' : 'validation_rejected',
    text,
    { status, submitAttempted: details.submitAttempted },
  );
}

/** Transient or permanent, for any error a submission can throw. Unknown errors count as transient (the retry budget bounds them). */
export function classifyError(error: unknown): ErrorKind {
  if (error instanceof SubmissionError) return error.kind;
  return fromPlaywrightError(error, false).kind;
}

export function isBrowserGone(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return /Target (page, context or browser|closed)|has been closed|Browser closed|browser has disconnected|crash/i.test(
    message,
  );
}

export function fromPlaywrightError(error: unknown, submitAttempted: boolean): SubmissionError {
  const message = error instanceof Error ? error.message : String(error);
  const first = message.split('\n')[0] ?? message;
  if (error instanceof SubmissionError) return error;
  if (/net::ERR_BLOCKED_BY_CLIENT/.test(message)) {
    return new SubmissionError('permanent', 'blocked', `The URL is not allowed: ${first}`, {
      submitAttempted,
      cause: error,
    });
  }
  if (error instanceof Error && error.name === 'TimeoutError') {
    const code = /goto|navigat/i.test(message) ? 'navigation_timeout' : 'timeout';
    return new SubmissionError('transient', code, first, { submitAttempted, cause: error });
  }
  if (/net::ERR_|NS_ERROR_|ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN/.test(message)) {
    return new SubmissionError('transient', 'network', first, { submitAttempted, cause: error });
  }
  if (isBrowserGone(error)) {
    return new SubmissionError('transient', 'browser_closed', first, { submitAttempted, cause: error });
  }
  return new SubmissionError('transient', 'unknown', first, { submitAttempted, cause: error });
}
