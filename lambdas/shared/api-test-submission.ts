import type { BrowserContext } from 'playwright-core';
import {
  BusinessProfileSchema,
  FieldMappingSchema,
  type BusinessProfile,
  type FieldMapping,
} from '../submitter/business-profile';
import { fillAndSubmit, SubmissionError, type FillResult } from '../submitter/form-filler';
import { HttpError } from './http';
import { API_SURFACE } from './system-config';

/**
 * A profile that is obviously a test: a dry run types it into the form and never submits, so no real
 * business's data goes anywhere.
 */
export const SAMPLE_PROFILE: BusinessProfile = BusinessProfileSchema.parse({
  business_name: 'DirectoryBolt Test Business',
  email: 'test-submission@example.com',
  phone: '+1 555 0100',
  website: 'https://example.com',
  address_line: '1 Example Street',
  city: 'Springfield',
  region: 'IL',
  postal_code: '62701',
  country: 'United States',
  category: 'Software',
  description: 'A dry run of the DirectoryBolt submission form filler.',
});

export interface TestSubmissionDeps {
  /** A fresh browser context behind the SSRF guard (browser.ts withContext with the guard). */
  withContext: <T>(fn: (context: BrowserContext) => Promise<T>) => Promise<T>;
}

export interface TestSubmissionReport {
  directory_id: string;
  submission_url: string;
  outcome: string;
  reason: string | null;
  mapping: { source: FillResult['mappingSource']; filled_fields: string[] };
  unmapped_required_fields: string[];
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
 */
export async function runTestSubmission(
  deps: TestSubmissionDeps,
  directory: { id: string; submission_url: string; field_mapping: unknown },
  candidate: FieldMapping | undefined,
): Promise<TestSubmissionReport> {
  const stored = FieldMappingSchema.nullable().safeParse(directory.field_mapping ?? null);
  const mapping = candidate ?? (stored.success ? stored.data : null);
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
          url: directory.submission_url,
          profile: SAMPLE_PROFILE,
          fieldMapping: mapping,
          dryRun: true,
          timeouts: { navigationMs: budget / 2 },
        }),
      ),
      timeout,
    ]);
    const tooLarge = result.screenshot.length > API_SURFACE.testSubmission.screenshotMaxBytes;
    return {
      directory_id: directory.id,
      submission_url: directory.submission_url,
      outcome: result.status,
      reason: result.reason ?? null,
      mapping: { source: result.mappingSource, filled_fields: result.filledFields },
      unmapped_required_fields: result.unmappedRequiredFields,
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
