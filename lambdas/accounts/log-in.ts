/**
 * Logs in to a directory with the account's stored credentials, in the task's browser context (the
 * session cookie then carries the listing form).
 *
 * Why not the form engine: it recognises log-in forms in order never to fill them with a business
 * profile (a log-in password is never typed from a profile). A log-in form is small and regular: a
 * password field, the user name before it (an email field, or the text field the form has), a button.
 */
import type { Locator, Page, Response } from 'playwright-core';
import { SubmissionError, httpError } from '../browser/submission-error';
import type { AccountCredentials } from './credential-vault';

/** Fields a log-in's user name is never typed into. */
const NOT_A_USER_NAME =
  ':not([type=password]):not([type=hidden]):not([type=checkbox]):not([type=radio])' +
  ':not([type=submit]):not([type=button]):not([type=image]):not([type=file]):not([type=search])';

export async function logIn(
  page: Page,
  url: string,
  credentials: AccountCredentials,
  timeouts: { navigationMs: number },
): Promise<void> {
  const opened = await page.goto(url, { waitUntil: 'domcontentloaded', timeout: timeouts.navigationMs });
  refuseErrorStatus(opened, url);
  const password = page.locator('input[type=password]:visible').first();
  if ((await password.count()) === 0) {
    throw new SubmissionError('permanent', 'form_not_found', `No log-in form at ${url}: no password field`);
  }
  const form = password.locator('xpath=ancestor::form[1]');
  const scope: Locator | Page = (await form.count()) > 0 ? form : page;
  let user = scope.locator('input[type=email]:visible').first();
  if ((await user.count()) === 0) user = scope.locator(`input:visible${NOT_A_USER_NAME}`).first();
  if ((await user.count()) === 0) {
    throw new SubmissionError(
      'permanent',
      'form_not_found',
      `No user name field in the log-in form at ${url}`,
    );
  }
  await user.fill(credentials.username);
  await password.fill(credentials.password);
  const button = scope
    .locator('button[type=submit]:visible, input[type=submit]:visible, button:not([type]):visible')
    .first();
  const navigation = page
    .waitForNavigation({ waitUntil: 'domcontentloaded', timeout: timeouts.navigationMs })
    .catch(() => null);
  if ((await button.count()) > 0) await button.click();
  else await password.press('Enter');
  const answered = await navigation;
  if (answered && answered.status() === 401) {
    throw new SubmissionError(
      'permanent',
      'validation_rejected',
      'The directory refused the log-in (HTTP 401)',
      {
        status: 401,
      },
    );
  }
  refuseErrorStatus(answered, url);
  // Still asked for a password: the directory did not take these credentials.
  if ((await page.locator('input[type=password]:visible').count()) > 0) {
    throw new SubmissionError('permanent', 'validation_rejected', 'The directory refused the log-in');
  }
}

function refuseErrorStatus(response: Response | null, url: string): void {
  if (response && response.status() >= 400) {
    throw httpError(response, `The log-in page ${url} answered HTTP ${response.status()}`, {
      submitAttempted: false,
    });
  }
}
