import { apiHandler } from '../../http/api-handler';
import { route } from './get-job.route';
import { customerScope } from '../../http/auth';
import { HttpError, json } from '../../http/responses';
import { etag } from '../../jobs/job-headers';

/** GET /jobs/{id}: the job, its counters and each directory's result; ETag is its version. */
export const handler = apiHandler(route, async (event, _context, { principal, rpc, params }) => {
  const id = params.id;
  const job = await rpc<(Record<string, unknown> & { customer_id: string; version: number }) | null>(
    'get_job',
    { p_job_id: id },
  );
  const scope = customerScope(principal);
  // Another customer's job answers exactly as a missing one does.
  if (job === null || (scope !== null && job.customer_id !== scope)) {
    throw new HttpError(404, 'not_found', `Job ${id} not found`);
  }
  return json(200, job, { etag: etag(job.version) });
});
