import { apiHandler } from '../../http/api-handler';
import { route } from './admin-reveal-directory-account.route';
import { accountRequest, notFound, rpcOrClientError } from '../../http/requests';
import { HttpError, json } from '../../http/responses';
import { CredentialVaultError, openCredentials, type VaultDeps } from '../../accounts/credential-vault';
import type { AccountStatus } from '../../accounts/directory-account';
import { kms } from '../../platform/kms-client';
import { requireEnv } from '../../platform/env';
import { logger } from '../../platform/powertools';

interface SealedAccount {
  login_email: string;
  sealed_credentials: unknown;
  status: AccountStatus;
}

/**
 * POST /admin/directory-accounts/reveal (admin): the login of a business's account on a directory, so
 * a person can finish by hand what the submitter could not (a verification that never came, a
 * CAPTCHA at log-in). reveal_directory_account writes who asked and why to queue_history before it
 * hands out the sealed envelope; the envelope is opened here with KMS (this function alone has
 * kms:Decrypt on the credentials key) and the password goes into the answer only: never into a log,
 * an error or a cache (no-store).
 */
export const handler = apiHandler(route, async (_event, _context, { principal, rpc, body }) => {
  // Read here rather than at load: the environment is this route's alone, and a function deployed
  // without it fails before anything is audited as revealed.
  const vault: VaultDeps = { kms, keyId: requireEnv('CREDENTIALS_KEY_ID') };
  const account = await rpcOrClientError(
    rpc<SealedAccount | null>('reveal_directory_account', accountRequest(principal, body)),
  );
  if (account === null) {
    throw notFound(`The account of customer ${body.customer_id} on directory ${body.directory_id}`);
  }
  const ids = { customer_id: body.customer_id, directory_id: body.directory_id };
  let password: string;
  try {
    ({ password } = await openCredentials(
      account.sealed_credentials,
      { customerId: body.customer_id, directoryId: body.directory_id },
      vault,
    ));
  } catch (error) {
    throw unopened(error, ids);
  }
  logger.info('Directory account credentials revealed', { ...ids, account_status: account.status });
  return json(
    200,
    { login_email: account.login_email, password, status: account.status },
    { 'cache-control': 'no-store' },
  );
});

/**
 * The answer when the envelope did not open. Only the failure's kind is logged: the vault's messages
 * name no secret, but a log line about credentials has no need of more.
 */
function unopened(error: unknown, ids: Record<string, string>): unknown {
  if (!(error instanceof CredentialVaultError)) return error;
  logger.error('Directory account credentials could not be opened', { ...ids, reason: error.reason });
  if (error.reason === 'kms-failed') {
    return new HttpError(
      503,
      'credentials_unavailable',
      'The credentials cannot be opened right now (the key service did not answer); retry shortly',
      { 'retry-after': '5' },
    );
  }
  return new HttpError(
    500,
    'credentials_unreadable',
    'The stored credentials do not open (altered, or sealed under another key): sign up again by hand',
  );
}
