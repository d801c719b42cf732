import { apiHandler } from '../../http/api-handler';
import { route } from './delete-customer-logo.route';
import { actorOf, rpcOrClientError } from '../../http/requests';
import { json } from '../../http/responses';

/**
 * DELETE /customers/{id}/logo (staff): the profile has no logo any more; answers the customer.
 * The image stays in the assets bucket: tasks created before name it in their business facts.
 */
export const handler = apiHandler(route, async (event, _context, { principal, rpc, params }) => {
  const id = params.id;
  const customer = await rpcOrClientError(
    rpc<unknown>('set_customer_logo', { p_customer_id: id, p_logo: null, p_actor: actorOf(principal) }),
  );
  return json(200, customer);
});
