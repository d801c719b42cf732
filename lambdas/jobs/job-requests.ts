import * as z from '../platform/zod';
import { HttpError } from '../http/responses';
import { API_ACCESS, PRIORITIES } from '../platform/system-config';

const JOB_STATUSES = ['pending', 'in_progress', 'completed', 'failed', 'cancelled'] as const;

/** GET /jobs query parameters. */
export const listJobsQuerySchema = z.strictObject({
  status: z.optional(z.enum(JOB_STATUSES)),
  customer_id: z.optional(z.uuid()),
  created_from: z.optional(z.iso.datetime({ offset: true })),
  created_to: z.optional(z.iso.datetime({ offset: true })),
  limit: z.optional(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(API_ACCESS.jobsPage.max))),
  cursor: z.optional(z.string().check(z.maxLength(200))),
});

/** PATCH /jobs/{id}: what may change (decided in update_job: notes any time, priority while pending). */
export const updateJobSchema = z
  .strictObject({
    priority: z.optional(z.enum(PRIORITIES)),
    notes: z.optional(z.nullable(z.string().check(z.maxLength(API_ACCESS.maxNotesLength)))),
  })
  .check(z.refine((body) => Object.keys(body).length > 0, 'give at least one of priority, notes'));

export const cancelJobSchema = z.strictObject({
  reason: z.optional(z.string().check(z.minLength(1), z.maxLength(500))),
});

/** A keyset position: the last job of a page. Opaque to clients (base64url JSON). */
export interface JobCursor {
  created_at: string;
  id: string;
}

const cursorSchema = z.strictObject({ created_at: z.iso.datetime({ offset: true }), id: z.uuid() });

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
