import { apiHandler } from '../../http/api-handler';
import { route } from './test-submission.route';
import { notFound } from '../../http/requests';
import { runTestSubmission } from '../../form-filling/test-submission';
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
 */
export const handler = apiHandler(route, async (_event, _context, { rpc, params, body }) => {
  const id = params.id;
  const directory = await rpc<{
    directory_id: string;
    submission_url: string;
    field_mapping: unknown;
  } | null>('get_directory_mapping', { p_directory_id: id });
  if (directory === null) throw notFound(`Directory ${id}`);
  if (!directory.submission_url)
    throw new HttpError(422, 'no_submission_url', 'The directory has no form URL');
  const report = await runTestSubmission(
    {
      withContext: guardedContext,
      allowWebSocket: (url) => ssrfGuard.allowRequest(url, { navigation: false }),
    },
    { id, submission_url: directory.submission_url, field_mapping: directory.field_mapping },
    body.field_mapping,
  );
  logger.info('Test submission run', {
    directory_id: id,
    outcome: report.outcome,
    unmapped: report.unmapped_required_fields.length,
  });
  return json(200, report);
});
