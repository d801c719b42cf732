import { optionalEnv } from '../platform/env';
import { SUBMITTER } from '../platform/system-config';
import { logger } from '../platform/powertools';
import { getBrowserManager } from './browser';
import { nullable } from '../platform/zod';
import { BusinessProfileSchema, FieldMappingSchema } from '../customers/business-profile';
import { fillAndSubmit } from '../form-filling/fill-flow';
import { SubmissionError } from './submission-error';
import { createMappingService } from '../form-filling/mapping-service';
import { loadLogo } from '../customers/profile-assets';
import type { ClaimedTask, SubmissionResult } from '../tasks/process-task';
import { parseAllowedHosts, SsrfGuard } from './ssrf-guard';
import { runAccountSteps } from '../accounts/account-steps';
import { StoredDirectoryAccountSchema, type AccountPort } from '../accounts/directory-account';
import { kms } from '../platform/kms-client';

// Configuration, read once at load. SUBMITTER_ALLOWED_HOSTS is set only by the local runtime (the
// demo site's host:port); unset, as in AWS, the guard allows public addresses only.
const allowedHosts = parseAllowedHosts(optionalEnv('SUBMITTER_ALLOWED_HOSTS'));
const mappingServiceUrl = optionalEnv('MAPPING_SERVICE_URL');
// Directory accounts: the receiving domain of the submission addresses and the credentials' KMS key.
// Only a directory that asks for an account needs them, so their absence fails that task, not the start.
const mailDomain = optionalEnv('MAIL_DOMAIN');
const credentialsKeyId = optionalEnv('CREDENTIALS_KEY_ID');

/** The execution environment's SSRF guard: its proxy carries every request of the browser. */
export const ssrfGuard = new SsrfGuard({ allowedHosts, log: logger });
const mappingService = mappingServiceUrl
  ? createMappingService({ url: mappingServiceUrl, log: logger })
  : null;

// The execution environment's one browser, launched on first use and kept warm between invocations.
const browsers = getBrowserManager({ logger, proxyServer: () => ssrfGuard.proxyUrl() });

/** Fills and submits a claimed task's directory form in a fresh context of the warm browser. */
export async function submitInBrowser(
  task: ClaimedTask,
  beforeSubmit: () => Promise<void>,
  accountPort: AccountPort,
): Promise<SubmissionResult> {
  const profile = BusinessProfileSchema.safeParse(task.customer);
  if (!profile.success) {
    const field = profile.error.issues[0]?.path.join('.') ?? 'profile';
    throw new SubmissionError('permanent', 'validation_rejected', `Customer profile is incomplete: ${field}`);
  }
  const mapping = nullable(FieldMappingSchema).safeParse(task.directory.field_mapping ?? null);
  const account = nullable(StoredDirectoryAccountSchema).safeParse(task.directory.account ?? null);
  if (!account.success) {
    throw new SubmissionError(
      'permanent',
      'validation_rejected',
      "The directory's account settings are invalid",
    );
  }
  if (account.data && (!mailDomain || !credentialsKeyId || !task.submission_local_part)) {
    throw new SubmissionError(
      'permanent',
      'validation_rejected',
      'This directory needs an account, and MAIL_DOMAIN or CREDENTIALS_KEY_ID is not configured',
    );
  }
  // A browser that dies mid-submission rejects as a transient SubmissionError (BrowserDisconnectedError);
  // other errors (a launch failure, a lost lease from beforeSubmit) pass through unchanged, and
  // classifyError() classifies Playwright's as transient.
  return browsers.withContext(
    async (context) => {
      if (account.data) {
        const steps = await runAccountSteps({
          context,
          directory: task.directory,
          customerId: task.customer.id,
          submissionLocalPart: task.submission_local_part!,
          account: account.data,
          profile: profile.data,
          port: accountPort,
          vault: { kms, keyId: credentialsKeyId! },
          mailDomain: mailDomain!,
          fill: (page, options) => fillAndSubmit(page, { ...options, loadLogo }),
          timeouts: { navigationMs: SUBMITTER.navigationTimeoutMs },
          log: logger,
        });
        if (steps.kind === 'waiting') return { status: 'awaiting_verification' as const };
        if (steps.kind === 'ended') {
          return { status: steps.status, reason: steps.reason, screenshot: steps.screenshot };
        }
      }
      const page = await context.newPage();
      const result = await fillAndSubmit(page, {
        url: task.directory.submission_url,
        profile: profile.data,
        fieldMapping: mapping.success ? mapping.data : null,
        mappingService,
        beforeSubmit,
        loadLogo,
      });
      return {
        status: result.status,
        reason: result.reason,
        listingUrl: result.listingUrl,
        screenshot: result.screenshot,
      };
    },
    { allowRequest: (url, kind) => ssrfGuard.allowRequest(url, kind) },
  );
}
