import { logger } from '../shared/powertools';
import { getBrowserManager } from './browser';
import { BusinessProfileSchema, FieldMappingSchema } from './business-profile';
import { fillAndSubmit, SubmissionError } from './form-filler';
import type { ClaimedTask, SubmissionResult } from './process-task';

// The execution environment's one browser, launched on first use and kept warm between invocations.
const browsers = getBrowserManager({ logger });

/** Fills and submits a claimed task's directory form in a fresh context of the warm browser. */
export async function submitInBrowser(
  task: ClaimedTask,
  beforeSubmit: () => Promise<void>,
): Promise<SubmissionResult> {
  const profile = BusinessProfileSchema.safeParse(task.customer);
  if (!profile.success) {
    const field = profile.error.issues[0]?.path.join('.') ?? 'profile';
    throw new SubmissionError('permanent', 'validation_rejected', `Customer profile is incomplete: ${field}`);
  }
  const mapping = FieldMappingSchema.nullable().safeParse(task.directory.field_mapping ?? null);
  return browsers.withContext(async (context) => {
    const page = await context.newPage();
    const result = await fillAndSubmit(page, {
      url: task.directory.submission_url,
      profile: profile.data,
      fieldMapping: mapping.success ? mapping.data : null,
      beforeSubmit,
    });
    return {
      status: result.status,
      reason: result.reason,
      listingUrl: result.listingUrl,
      screenshot: result.screenshot,
    };
  });
}
