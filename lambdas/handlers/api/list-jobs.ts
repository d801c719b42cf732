import { apiHandler } from '../../http/api-handler';
import { route } from './list-jobs.route';
import { customerScope } from '../../http/auth';
import { HttpError, json } from '../../http/responses';
import { API_ACCESS } from '../../platform/system-config';
import { decodeCursor, encodeCursor, type JobCursor } from '../../jobs/job-requests';

/**
 * GET /jobs: newest first, filtered by status, customer (staff) and created range, paginated by an
 * opaque cursor (keyset on created_at desc, id). Customer keys list their own jobs only.
 */
export const handler = apiHandler(route, async (event, _context, { principal, rpc, query }) => {
  const scope = customerScope(principal);
  if (scope !== null && query.customer_id !== undefined && query.customer_id !== scope) {
    throw new HttpError(404, 'not_found', `customer_id: customer ${query.customer_id} not found`);
  }
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
  const page = await rpc<{ jobs: unknown[]; next: JobCursor | null }>('list_jobs', {
    p_customer_id: scope ?? query.customer_id ?? null,
    p_status: query.status ?? null,
    p_created_from: query.created_from ?? null,
    p_created_to: query.created_to ?? null,
    p_after_created_at: after?.created_at ?? null,
    p_after_id: after?.id ?? null,
    p_limit: query.limit ?? API_ACCESS.jobsPage.default,
  });
  return json(200, { jobs: page.jobs, next_cursor: page.next ? encodeCursor(page.next) : null });
});
