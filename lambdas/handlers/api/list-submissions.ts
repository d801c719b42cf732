import { decodeCursor, encodeCursor, type JobCursor } from '../../jobs/job-requests';
import { apiHandler } from '../../http/api-handler';
import { route } from './list-submissions.route';
import { notFound } from '../../http/requests';
import { customerScope } from '../../http/auth';
import { json } from '../../http/responses';
import { API_SURFACE } from '../../platform/system-config';

/**
 * GET /submissions: the tasks and their outcomes, newest first, filtered by job, customer and status,
 * paginated by an opaque cursor. A customer key sees its own only; naming another customer is 404,
 * and another customer's job_id simply matches nothing.
 */
export const handler = apiHandler(route, async (event, _context, { principal, rpc, query }) => {
  const scope = customerScope(principal);
  if (scope !== null && query.customer_id !== undefined && query.customer_id !== scope) {
    throw notFound(`customer_id: customer ${query.customer_id}`);
  }
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
  const page = await rpc<{ submissions: unknown[]; next: JobCursor | null }>('list_submissions', {
    p_job_id: query.job_id ?? null,
    p_customer_id: scope ?? query.customer_id ?? null,
    p_status: query.status ?? null,
    p_after_created_at: after?.created_at ?? null,
    p_after_id: after?.id ?? null,
    p_limit: query.limit ?? API_SURFACE.page.default,
  });
  return json(200, {
    submissions: page.submissions,
    next_cursor: page.next ? encodeCursor(page.next) : null,
  });
});
