import { apiHandler } from '../../http/api-handler';
import { route } from './delete-customer.route';
import { actorOf, rpcOrClientError } from '../../http/requests';
import { json } from '../../http/responses';
import { logger } from '../../platform/powertools';

/**
 * DELETE /customers/{id} (staff). The rule (delete_customer): 409 while any of the customer's jobs is
 * pending or in progress (cancel them first); otherwise the customer, its finished jobs and results,
 * and its API keys are deleted. The deletion is recorded in queue_history.
 */
export const handler = apiHandler(route, async (event, _context, { principal, rpc, params }) => {
  const id = params.id;
  const result = await rpcOrClientError(
    rpc<{ customer_id: string; jobs_deleted: number }>('delete_customer', {
      p_customer_id: id,
      p_actor: actorOf(principal),
    }),
  );
  logger.info('Customer deleted', { customer_id: id, jobs_deleted: result.jobs_deleted });
  return json(200, result);
});
