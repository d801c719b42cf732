import * as z from '../platform/zod';
import { OPERATIONS } from '../platform/system-config';

// The request schemas alone (no SQS client), so the API's schemas can share them cheaply.

/** What to redrive: explicit message ids, or `all: true`, never an accident of an empty list. */
const redriveTarget = {
  message_ids: z.optional(
    z
      .array(z.string().check(z.minLength(1), z.maxLength(200)))
      .check(z.minLength(1), z.maxLength(OPERATIONS.dlqMonitor.maxRedrivePerRequest)),
  ),
  all: z.optional(z.literal(true)),
};
const exactlyOneTarget = (r: { message_ids?: unknown; all?: unknown }) =>
  (r.message_ids === undefined) !== (r.all === undefined);
const ONE_TARGET = { message: 'give either message_ids or all: true' };

/** The target alone: POST /admin/dlq/redrive, where the admin key is the requester. */
export const redriveTargetSchema = z
  .strictObject(redriveTarget)
  .check(z.refine(exactlyOneTarget, ONE_TARGET));

/** A redrive invocation of lambdas/handlers/operations/dlq-redrive.ts: the target and who asked, for the audit trail. */
export const redriveRequestSchema = z
  .strictObject({
    ...redriveTarget,
    requested_by: z.string().check(z.trim(), z.minLength(1), z.maxLength(200)),
  })
  .check(z.refine(exactlyOneTarget, ONE_TARGET));
