import { z } from 'zod';
import { apiHandler } from '../shared/api-handler';
import { HttpError, json } from '../shared/http';
import { rpcThrough } from '../shared/rpc';
import { supabaseClient } from '../shared/supabase';

const jobIdSchema = z.uuid();

/** GET /jobs/{id}: the job, its counters and each directory's result. */
export const handler = apiHandler('GET /jobs/{id}', async (event) => {
  const parsed = jobIdSchema.safeParse(event.pathParameters?.id);
  if (!parsed.success) throw new HttpError(400, 'invalid_id', 'id: must be a UUID');

  const rpc = rpcThrough(await supabaseClient());
  const job = await rpc<Record<string, unknown> | null>('get_job', { p_job_id: parsed.data });
  if (job === null) throw new HttpError(404, 'not_found', `Job ${parsed.data} not found`);
  return json(200, job, { etag: `"${String(job.version)}"` });
});
