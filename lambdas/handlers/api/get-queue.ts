import { apiHandler } from '../../http/api-handler';
import { route } from './get-queue.route';
import { HttpError, json } from '../../http/responses';

/** GET /queue/{customerId} (staff): the customer's unfinished jobs and task counts. */
export const handler = apiHandler(route, async (event, _context, { rpc, params }) => {
  const customerId = params.customerId;
  const queue = await rpc<Record<string, unknown> | null>('get_customer_queue', {
    p_customer_id: customerId,
  });
  if (queue === null) throw new HttpError(404, 'not_found', `Customer ${customerId} not found`);
  return json(200, queue);
});
