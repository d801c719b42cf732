/**
 * What a failed submission means for the task, beyond transient/permanent: a directory that answered
 * 429 is not failing, it is asking us to wait, so that wait must not spend an attempt.
 */
import { classifyError, SubmissionError } from '../browser/submission-error';

export type FailureClass =
  { errorClass: 'transient' | 'permanent' } | { errorClass: 'rate_limited'; retryAfterSeconds?: number };

export function classifyFailure(error: unknown): FailureClass {
  if (error instanceof SubmissionError) {
    // Read structurally: the 'rate_limited' code and retryAfterSeconds are the form filler's contract.
    const code: string = error.code;
    if (code === 'rate_limited' || error.status === 429) {
      const retryAfter = (error as { retryAfterSeconds?: unknown }).retryAfterSeconds;
      return typeof retryAfter === 'number' && Number.isFinite(retryAfter) && retryAfter >= 0
        ? { errorClass: 'rate_limited', retryAfterSeconds: retryAfter }
        : { errorClass: 'rate_limited' };
    }
  }
  return { errorClass: classifyError(error) };
}
