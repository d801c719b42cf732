import * as z from 'zod';
import { HttpError } from '../shared/http';
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
