import { apiHandler } from '../../http/api-handler';
import { route } from './get-customer.route';
import { notFound } from '../../http/requests';
import { customerScope } from '../../http/auth';
import { json } from '../../http/responses';
import { etag } from '../../http/if-match';

/** GET /customers/{id}: staff read any customer; a customer key reads its own (others are 404). ETag: its version. */
export const handler = apiHandler(route, async (event, _context, { principal, rpc, params }) => {
  const id = params.id;
  const scope = customerScope(principal);
  // Another customer's id answers exactly as a missing one, without asking the database.
  if (scope !== null && scope !== id) throw notFound(`Customer ${id}`);
  const customer = await rpc<{ version: number } | null>('get_customer', { p_customer_id: id });
  if (customer === null) throw notFound(`Customer ${id}`);
  // The version is the If-Match for PATCH /customers/{id}.
  return json(200, customer, { etag: etag(customer.version) });
});
