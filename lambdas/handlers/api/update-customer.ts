import { apiHandler } from '../../http/api-handler';
import { route } from './update-customer.route';
import { actorOf, rpcOrClientError } from '../../http/requests';
import { json } from '../../http/responses';
import { etag, ifMatchVersion } from '../../http/if-match';

/**
 * PATCH /customers/{id} (staff): changes the given fields, validated as on create; null clears an
 * optional one (the logo has its own route). If-Match is checked when sent (412 when stale) but not
 * required: staff tools and the portal's backend patch single fields without it today, and a partial
 * update of other fields loses nothing. Clients that read-modify-write should send it.
 */
export const handler = apiHandler(
  route,
  async (event, _context, { principal, rpc, params, body: changes }) => {
    const id = params.id;
    const version = ifMatchVersion(event, 'customer');
    const customer = await rpcOrClientError(
      rpc<{ version: number }>('update_customer', {
        p_customer_id: id,
        p_changes: changes,
        p_actor: actorOf(principal),
        p_expected_version: version ?? null,
      }),
    );
    return json(200, customer, { etag: etag(customer.version) });
  },
);
