import * as z from 'zod';
import { OPERATIONS } from '../shared/system-config';

// The request schemas alone (no SQS client), so the API's schemas can share them cheaply.

/** What to redrive: explicit message ids, or `all: true`, never an accident of an empty list. */
const redriveTarget = z.object({
  message_ids: z
    .array(z.string().min(1).max(200))
    .min(1)
    .max(OPERATIONS.dlqMonitor.maxRedrivePerRequest)
    .optional(),
  all: z.literal(true).optional(),
});
const exactlyOneTarget = (r: { message_ids?: unknown; all?: unknown }) =>
  (r.message_ids === undefined) !== (r.all === undefined);
const ONE_TARGET = { message: 'give either message_ids or all: true' };

/** The target alone: POST /admin/dlq/redrive, where the admin key is the requester. */
export const redriveTargetSchema = redriveTarget.strict().refine(exactlyOneTarget, ONE_TARGET);

/** A redrive invocation of lambdas/ops/dlq-redrive.ts: the target and who asked, for the audit trail. */
export const redriveRequestSchema = redriveTarget
  .extend({ requested_by: z.string().trim().min(1).max(200) })
  .strict()
  .refine(exactlyOneTarget, ONE_TARGET);
