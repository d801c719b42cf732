import { apiHandler } from '../../http/api-handler';
import { route } from './create-customer.route';
import { actorOf, rpcOrClientError } from '../../http/requests';
import { json } from '../../http/responses';
import { logger } from '../../platform/powertools';

/**
 * POST /customers (staff): a business profile, validated field by field with the submitter's own
 * PROFILE_FIELD_SCHEMAS (http(s) website, email, lengths, keywords, opening hours, social profile
 * hosts, the year established) and with its free texts sanitized to plain text before it is stored.
 * A taken external_ref is 409. The logo is uploaded separately (PUT /customers/{id}/logo).
 */
export const handler = apiHandler(route, async (event, _context, { principal, rpc, body: profile }) => {
  const customer = await rpcOrClientError(
    rpc<{ id: string }>('create_customer', { p_profile: profile, p_actor: actorOf(principal) }),
  );
  logger.info('Customer created', { customer_id: customer.id });
  return json(201, customer, { location: `/customers/${customer.id}` });
});
