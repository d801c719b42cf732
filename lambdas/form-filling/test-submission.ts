import type { BrowserContext } from 'playwright-core';
import {
  BusinessProfileSchema,
  FieldMappingSchema,
  type BusinessProfile,
  type FieldMapping,
} from '../customers/business-profile';
import { fillAndSubmit, type FillResult } from './fill-flow';
import type { FillReport } from './report';
import type { DirectoryAccount } from '../accounts/directory-account';
import { SubmissionError } from '../browser/submission-error';
import { HttpError } from '../http/responses';
import { ACCOUNTS, API_SURFACE } from '../platform/system-config';
import { nullable } from '../platform/zod';

/**
 * A profile that is obviously a test: a dry run types it into the form and never submits, so no real
 * business's data goes anywhere.
 */
export const SAMPLE_PROFILE: BusinessProfile = BusinessProfileSchema.parse({
  business_name: 'DirectoryBolt Test Business',
  contact_first_name: 'Test',
  contact_last_name: 'Submission',
  email: 'test-submission@example.com',
  // 555-01xx numbers are reserved for fiction (NANP): a dry run can never reach a real phone.
  phone: '+1 217 555 0100',
  website: 'https://example.com',
  address_line: '1 Example Street',
  address_line2: 'Suite 100',
  city: 'Springfield',
  region: 'IL',
  postal_code: '62701',
  country: 'United States',
  category: 'Software',
  short_description: 'A dry run of the DirectoryBolt form filler.',
  description: 'A dry run of the DirectoryBolt submission form filler. Nothing is sent to the directory.',
  keywords: ['test', 'dry run'],
  opening_hours: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], opens: '09:00', closes: '17:00' }],
  year_established: 2020,
  social_profiles: { facebook: 'https://www.facebook.com/example' },
});

/**
 * The password a dry run of a sign-up form types: a constant that is nobody's and fits the usual rules
 * (upper and lower case, a digit, a symbol, 8 to 20 characters). It is never sent (dryRun), and a real
 * account's password is never used for a dry run.
 */
export const SAMPLE_PASSWORD = 'DryRun-Sample-Pw1!';

export interface TestSubmissionDeps {
  /** A fresh browser context behind the SSRF guard (browser.ts withContext with the guard). */
  withContext: <T>(fn: (context: BrowserContext) => Promise<T>) => Promise<T>;
  /** The SSRF guard's check, kept for WebSockets while the dry-run guard holds their route. */
  allowWebSocket?: (url: string) => boolean | Promise<boolean>;
}

export interface TestSubmissionReport {
  directory_id: string;
  submission_url: string;
  /**
   * Set for a directory with an `account`: the dry run filled the sign-up form (form_url is the
   * account's signup_url), the step a real run takes first.
   */
  account_step?: 'sign_up';
  /** The page whose form was filled: the listing form, or the sign-up form (account_step). */
  form_url: string;
  /** What a real run does after this step, which a dry run cannot reach (account directories). */
  note?: string;
  /** filled, stopped_before_sending, needs_manual (a CAPTCHA, required fields left) or no_form. */
  outcome: FillReport['outcome'];
  reason: string | null;
  mapping: { source: FillResult['mappingSource']; filled_fields: string[] };
  unmapped_required_fields: string[];
  /** The chosen form or section and the others considered. */
  container: FillReport['container'];
  candidates: FillReport['candidates'];
  /** Every control of the chosen form: selector, label, field, source, confidence, value written. */
  controls: FillReport['controls'];
  /** The buttons found; `chosen` is the one a real run would click. */
  buttons: FillReport['buttons'];
  /** What the page tried to send and the dry run stopped. */
  would_have_sent: FillReport['wouldHaveSent'];
  /** A mapping built from this run: `PUT /directories/{id}/mapping` accepts it unchanged. */
  proposed_mapping: FillReport['proposedMapping'];
  /**
   * The PNG, base64, in the answer itself: a staff tool shows it at once and the API function needs
   * no bucket rights for a throwaway image. Null (with screenshot_omitted) when too large.
   */
  screenshot_png_base64: string | null;
  screenshot_omitted?: string;
}

/**
 * Fills a directory's form with the sample profile and stops before anything submits (fillAndSubmit's
 * dryRun), inside API_SURFACE.testSubmission.budgetMs. A page the guard blocks or that has no form is
 * the directory's problem, answered as 422; running out of time is 504.
 *
 * A directory with an `account` takes a listing only from a signed-up (and maybe verified, logged-in)
 * account, so its listing form cannot be reached without creating one. Its dry run is of the step a
 * real run takes first: the sign-up form, with the sample profile and SAMPLE_PASSWORD, its fields
 * detected as the submitter detects them (a stored or candidate mapping describes the listing form,
 * so a candidate is refused rather than tried on the wrong form).
 */
export async function runTestSubmission(
  deps: TestSubmissionDeps,
  directory: {
    id: string;
    submission_url: string;
    field_mapping: unknown;
    account?: DirectoryAccount | null;
  },
  candidate: FieldMapping | undefined,
): Promise<TestSubmissionReport> {
  const account = directory.account ?? null;
  if (account && candidate) {
    throw new HttpError(
      422,
      'mapping_not_for_sign_up',
      'This directory signs up before its listing form: a dry run fills the sign-up form, which a field_mapping does not describe',
    );
  }
  const stored = nullable(FieldMappingSchema).safeParse(directory.field_mapping ?? null);
  const mapping = account ? null : (candidate ?? (stored.success ? stored.data : null));
  const formUrl = account ? account.signup_url : directory.submission_url;
  const budget = API_SURFACE.testSubmission.budgetMs;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(new HttpError(504, 'test_submission_timeout', `The dry run did not finish in ${budget} ms`)),
      budget,
    );
  });
  try {
    const result = await Promise.race([
      deps.withContext(async (context) =>
        fillAndSubmit(await context.newPage(), {
          url: formUrl,
          profile: SAMPLE_PROFILE,
          fieldMapping: mapping,
          ...(account ? { credentials: { password: SAMPLE_PASSWORD } } : {}),
          dryRun: true,
          allowWebSocket: deps.allowWebSocket,
          timeouts: { navigationMs: budget / 2 },
        }),
      ),
      timeout,
    ]);
    const tooLarge = result.screenshot.length > API_SURFACE.testSubmission.screenshotMaxBytes;
    return {
      directory_id: directory.id,
      submission_url: directory.submission_url,
      ...(account ? { account_step: 'sign_up' as const } : {}),
      form_url: formUrl,
      ...(account ? { note: afterSignUp(account, directory.submission_url) } : {}),
      outcome: result.report.outcome,
      reason: result.reason ?? null,
      mapping: { source: result.mappingSource, filled_fields: result.filledFields },
      unmapped_required_fields: result.unmappedRequiredFields,
      container: result.report.container,
      candidates: result.report.candidates,
      controls: result.report.controls,
      buttons: result.report.buttons,
      would_have_sent: result.report.wouldHaveSent,
      proposed_mapping: result.report.proposedMapping,
      screenshot_png_base64: tooLarge ? null : result.screenshot.toString('base64'),
      ...(tooLarge
        ? { screenshot_omitted: `larger than ${API_SURFACE.testSubmission.screenshotMaxBytes} bytes` }
        : {}),
    };
  } catch (error) {
    if (error instanceof SubmissionError) {
      throw new HttpError(422, 'test_submission_failed', `${error.code}: ${error.message}`.slice(0, 500));
    }
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/** The steps a real run takes after the sign-up, as the account describes them (account-steps.ts). */
function afterSignUp(account: DirectoryAccount, listingUrl: string): string {
  const steps = ["a real run signs up here with the business's submission address and a generated password"];
  if (account.email_verification) {
    const hours = account.verification_hours ?? ACCOUNTS.defaultVerificationHours;
    steps.push(`waits up to ${hours} hours for the directory's verification mail and follows its link`);
  }
  if (account.login_url && account.login_before_listing) steps.push(`logs in at ${account.login_url}`);
  steps.push(`fills the listing form at ${listingUrl}`);
  return (
    `A dry run of the sign-up form only: ${steps.join(', then ')}. ` +
    'The steps after the sign-up need a real account, so a dry run does not reach them.'
  );
}
