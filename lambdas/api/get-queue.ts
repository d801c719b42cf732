import { apiHandler } from '../shared/api-handler';
import { HttpError, json, pathUuid } from '../shared/http';

/** GET /queue/{customerId} (staff): the customer's unfinished jobs and task counts. */
export const handler = apiHandler('GET /queue/{customerId}', async (event, _context, { rpc }) => {
  const customerId = pathUuid(event, 'customerId');
  const queue = await rpc<Record<string, unknown> | null>('get_customer_queue', {
    p_customer_id: customerId,
  });
  if (queue === null) throw new HttpError(404, 'not_found', `Customer ${customerId} not found`);
  return json(200, queue);
});
