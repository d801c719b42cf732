import type { APIGatewayProxyEvent } from 'aws-lambda';
import { z } from 'zod';
import { headerValue, HttpError } from '../shared/http';
import { API_ACCESS, PRIORITIES } from '../shared/system-config';

const JOB_STATUSES = ['pending', 'in_progress', 'completed', 'failed', 'cancelled'] as const;

/** GET /jobs query parameters. */
export const listJobsQuerySchema = z
  .object({
    status: z.enum(JOB_STATUSES).optional(),
    customer_id: z.uuid().optional(),
    created_from: z.iso.datetime({ offset: true }).optional(),
    created_to: z.iso.datetime({ offset: true }).optional(),
    limit: z.coerce.number().int().min(1).max(API_ACCESS.jobsPage.max).optional(),
    cursor: z.string().max(200).optional(),
  })
  .strict();

/** PATCH /jobs/{id}: what may change (decided in update_job: notes any time, priority while pending). */
export const updateJobSchema = z
  .object({
    priority: z.enum(PRIORITIES).optional(),
    notes: z.string().max(API_ACCESS.maxNotesLength).nullable().optional(),
  })
  .strict()
  .refine((body) => Object.keys(body).length > 0, 'give at least one of priority, notes');

export const cancelJobSchema = z.object({ reason: z.string().min(1).max(500).optional() }).strict();

/** A keyset position: the last job of a page. Opaque to clients (base64url JSON). */
export interface JobCursor {
  created_at: string;
  id: string;
}

const cursorSchema = z.object({ created_at: z.iso.datetime({ offset: true }), id: z.uuid() }).strict();

export function encodeCursor(cursor: JobCursor): string {
  return Buffer.from(JSON.stringify(cursor), 'utf8').toString('base64url');
}

export function decodeCursor(value: string): JobCursor {
  try {
    const parsed = cursorSchema.safeParse(JSON.parse(Buffer.from(value, 'base64url').toString('utf8')));
    if (parsed.success) return parsed.data;
  } catch {
    // falls through to the same answer as any other bad cursor
  }
  throw new HttpError(400, 'invalid_query', 'cursor: not a cursor this API returned');
}

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
