import { apiHandler } from '../../http/api-handler';
import { route } from './test-submission.route';
import { notFound } from '../../http/requests';
import { runTestSubmission } from '../../form-filling/test-submission';
import type { DirectoryAccount } from '../../accounts/directory-account';
import { HttpError, json } from '../../http/responses';
import { logger } from '../../platform/powertools';
import { withContext } from '../../browser/browser';
// Importing it configures the execution environment's browser behind the SSRF guard's proxy.
import { ssrfGuard } from '../../browser/submit-in-browser';

const guardedContext = <T>(fn: Parameters<typeof withContext<T>>[0]) =>
  withContext(fn, { allowRequest: (url, kind) => ssrfGuard.allowRequest(url, kind) });

/**
 * POST /directories/{id}/test-submission (staff): a dry run in Chromium. The form is filled with a
 * sample profile and never submitted; the answer has the mapping used, the required fields nothing
 * matched and a screenshot. An empty body uses the stored mapping; `field_mapping` tries a candidate.
 * A directory with an `account` has its sign-up form tried instead (account_step: sign_up): its listing
 * form is behind an account that a dry run must not create.
 */
export const handler = apiHandler(route, async (_event, _context, { rpc, params, body }) => {
  const id = params.id;
  // The mapping's read has the form and its mapping; the managed view has the account.
  const [directory, managed] = await Promise.all([
    rpc<{
      directory_id: string;
      submission_url: string;
      field_mapping: unknown;
    } | null>('get_directory_mapping', { p_directory_id: id }),
    rpc<{ account: DirectoryAccount | null } | null>('get_directory', { p_directory_id: id }),
  ]);
  if (directory === null || managed === null) throw notFound(`Directory ${id}`);
  if (!directory.submission_url)
    throw new HttpError(422, 'no_submission_url', 'The directory has no form URL');
  const report = await runTestSubmission(
    {
      withContext: guardedContext,
      allowWebSocket: (url) => ssrfGuard.allowRequest(url, { navigation: false }),
    },
    {
      id,
      submission_url: directory.submission_url,
      field_mapping: directory.field_mapping,
      account: managed.account,
    },
    body.field_mapping,
  );
  logger.info('Test submission run', {
    directory_id: id,
    account_step: report.account_step,
    outcome: report.outcome,
    unmapped: report.unmapped_required_fields.length,
  });
  return json(200, report);
});
