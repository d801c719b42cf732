import { apiHandler } from '../shared/api-handler';
import { actorOf, parseBody, rpcOrClientError } from '../shared/api-requests';
import { updateCustomerSchema } from '../shared/customer-schemas';
import { json, pathUuid } from '../shared/http';

/**
 * PATCH /customers/{id} (staff): changes the given fields, validated as on create; null clears an
 * optional one (the logo has its own route).
 */
export const handler = apiHandler('PATCH /customers/{id}', async (event, _context, { principal, rpc }) => {
  const id = pathUuid(event, 'id');
  const changes = parseBody(event, updateCustomerSchema);
  const customer = await rpcOrClientError(
    rpc<unknown>('update_customer', { p_customer_id: id, p_changes: changes, p_actor: actorOf(principal) }),
  );
  return json(200, customer);
});
