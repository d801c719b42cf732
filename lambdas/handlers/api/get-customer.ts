import { apiHandler } from '../../http/api-handler';
import { route } from './get-customer.route';
import { notFound } from '../../http/requests';
import { customerScope } from '../../http/auth';
import { json } from '../../http/responses';
import { etag } from '../../http/if-match';
import { receivingDomain, submissionAddress } from '../../mail/submission-address';
import { optionalEnv } from '../../platform/env';

// The receiving domain, checked at load so a wrong one fails the function's start, not a request.
// Unset where no mail is received (then the answer has no submission_address).
const mailDomain = (() => {
  const domain = optionalEnv('MAIL_DOMAIN');
  return domain === undefined ? undefined : receivingDomain(domain);
})();

/**
 * GET /customers/{id}: staff read any customer; a customer key reads its own (others are 404). ETag: its
 * version. With a receiving domain, `submission_address` is the address the submitter signs up to
 * directories with, where their confirmation mails come back (lambdas/mail/submission-address.ts).
 */
export const handler = apiHandler(route, async (event, _context, { principal, rpc, params }) => {
  const id = params.id;
  const scope = customerScope(principal);
  // Another customer's id answers exactly as a missing one, without asking the database.
  if (scope !== null && scope !== id) throw notFound(`Customer ${id}`);
  const customer = await rpc<{ version: number; submission_local_part: string } | null>('get_customer', {
    p_customer_id: id,
  });
  if (customer === null) throw notFound(`Customer ${id}`);
  const answer =
    mailDomain === undefined
      ? customer
      : { ...customer, submission_address: submissionAddress(customer.submission_local_part, mailDomain) };
  // The version is the If-Match for PATCH /customers/{id}.
  return json(200, answer, { etag: etag(customer.version) });
});
