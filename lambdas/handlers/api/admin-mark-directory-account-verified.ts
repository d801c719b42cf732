import { apiHandler } from '../../http/api-handler';
import { route } from './admin-mark-directory-account-verified.route';
import { accountRequest, notFound, rpcOrClientError } from '../../http/requests';
import { json } from '../../http/responses';

interface MarkedAccount {
  status: 'verified';
  verified_at: string;
  changed: boolean;
}

/**
 * POST /admin/directory-accounts/mark-verified (admin): a person finished by hand a sign-up whose
 * verification failed (revealed the credentials, confirmed the address on the directory), so the
 * next submission to that directory logs in. mark_directory_account_verified refuses an account whose
 * sign-up task still owns it (409) and writes who and why to queue_history; an account already
 * verified is answered as it is (`changed: false`).
 */
export const handler = apiHandler(route, async (_event, _context, { principal, rpc, body }) => {
  const account = await rpcOrClientError(
    rpc<MarkedAccount | null>('mark_directory_account_verified', accountRequest(principal, body)),
  );
  if (account === null) {
    throw notFound(`The account of customer ${body.customer_id} on directory ${body.directory_id}`);
  }
  return json(200, { customer_id: body.customer_id, directory_id: body.directory_id, ...account });
});
