import * as z from '../platform/zod';
import { PRIORITIES } from '../platform/system-config';

/** The body of one SQS message: one task (a directory of a job) to submit. */
export const taskMessageSchema = z.strictObject({
  task_id: z.uuid(),
  job_id: z.uuid(),
  priority: z.enum(PRIORITIES),
});

export type TaskMessage = z.infer<typeof taskMessageSchema>;
