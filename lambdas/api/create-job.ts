import { requireEnv } from '../shared/env';
import { sqs } from '../shared/aws-clients';
import { apiHandler } from '../shared/api-handler';
import { HttpError, json, parseJsonBody, validationError } from '../shared/http';
import { logger } from '../shared/powertools';
import { RpcError, rpcThrough } from '../shared/rpc';
import { supabaseClient } from '../shared/supabase';
import { createAndEnqueueJob, createJobRequestSchema } from '../jobs/create-job';

const queueUrls = {
  p1: requireEnv('TASK_QUEUE_URL_P1'),
  p2: requireEnv('TASK_QUEUE_URL_P2'),
  p3: requireEnv('TASK_QUEUE_URL_P3'),
};

/** POST /jobs: create a job for a customer's directories and enqueue one task per directory. */
export const handler = apiHandler('POST /jobs', async (event) => {
  const parsed = createJobRequestSchema.safeParse(parseJsonBody(event));
  if (!parsed.success) throw validationError(parsed.error);

  const rpc = rpcThrough(await supabaseClient());
  try {
    const job = await createAndEnqueueJob({ rpc, sqs, queueUrls, log: logger }, parsed.data);
    logger.info('Job created', { job_id: job.job_id, tasks: job.tasks_total, priority: job.priority });
    return json(201, job, { location: `/jobs/${job.job_id}` });
  } catch (error) {
    if (error instanceof RpcError && error.isInvalidInput) {
      throw new HttpError(400, 'invalid_body', error.message);
    }
    throw error;
  }
});
