/**
 * The job routes' headers: ETag / If-Match (optimistic locking on the job's version) and
 * Idempotency-Key. No schemas here, so a route that only reads headers does not load zod.
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { headerValue, HttpError } from '../http/responses';
import { API_ACCESS } from '../platform/system-config';

/** If-Match carries the version from the ETag: `"3"` (or W/"3"). Required for PATCH: 428 without. */
export function expectedVersion(event: APIGatewayProxyEvent): number {
  const value = headerValue(event, 'if-match');
  if (value === undefined) {
    throw new HttpError(
      428,
      'precondition_required',
      'If-Match is required: send the ETag of the job you read',
    );
  }
  const match = /^\s*(?:W\/)?"?([1-9][0-9]{0,8})"?\s*$/.exec(value);
  if (!match) throw new HttpError(400, 'invalid_header', 'If-Match: must be the ETag of the job, e.g. "3"');
  return Number(match[1]);
}

export const etag = (version: number): string => `"${version}"`;

/** Idempotency-Key: optional; visible ASCII only, so it is stored and compared exactly. */
export function idempotencyKey(event: APIGatewayProxyEvent): string | undefined {
  const value = headerValue(event, 'idempotency-key');
  if (value === undefined) return undefined;
  if (!new RegExp(`^[\\x21-\\x7e]{1,${API_ACCESS.idempotencyKeyMaxLength}}$`).test(value)) {
    throw new HttpError(
      400,
      'invalid_header',
      `Idempotency-Key: must be 1 to ${API_ACCESS.idempotencyKeyMaxLength} visible ASCII characters`,
    );
  }
  return value;
}
