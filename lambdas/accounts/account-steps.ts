/**
 * The steps before a listing form that a directory with an account asks for, in the task's browser
 * context: sign up once (with the business's submission address and a generated password, stored
 * sealed before the form is sent), wait for the directory's verification mail, follow its link, and
 * log in. Each step is recorded through the AccountPort (fenced SQL functions), so a retry, a crash or
 * a second job picks up where the account is: an account is created once and reused.
 *
 *   no account        -> begin_directory_sign_up, sign-up form sent
 *   link not yet come -> await_email_verification: the task waits (awaiting_verification), this run ends
 *   link came         -> followed under the SSRF guard, its host checked against the directory's
 *   log-in asked      -> log in with the opened credentials
 *   then              -> the caller fills the listing form in the same context
 */
import type { BrowserContext, Page } from 'playwright-core';
import type { BusinessProfile } from '../customers/business-profile';
import type { FillOptions, FillResult } from '../form-filling/fill-flow';
import { originKey } from '../browser/ssrf-guard';
import { onDirectoryHost } from '../mail/verification-link';
import { submissionAddress } from '../mail/submission-address';
import type { LogPort } from '../platform/ports';
import { ACCOUNTS } from '../platform/system-config';
import { SubmissionError } from '../browser/submission-error';
import { generateAccountPassword } from './account-password';
import { openCredentials, sealCredentials, type VaultDeps } from './credential-vault';
import type { AccountPort, DirectoryAccount, StoredAccount } from './directory-account';
import { logIn } from './log-in';

export interface AccountStepsInput {
  context: BrowserContext;
  directory: { id: string; submission_url: string };
  customerId: string;
  submissionLocalPart: string;
  account: DirectoryAccount;
  profile: BusinessProfile;
  port: AccountPort;
  vault: VaultDeps;
  mailDomain: string;
  /** fillAndSubmit with the execution environment's options (mapping service, logo loader) bound. */
  fill: (page: Page, options: FillOptions) => Promise<FillResult>;
  timeouts: { navigationMs: number };
  log: LogPort;
}

export type AccountStepsOutcome =
  | { kind: 'ready' }
  | { kind: 'waiting'; deadline?: string }
  | { kind: 'ended'; status: 'needs_manual' | 'failed'; reason: string; screenshot?: Buffer };

export async function runAccountSteps(input: AccountStepsInput): Promise<AccountStepsOutcome> {
  const { account, port } = input;
  let stored = await port.get();
  if (!stored || stored.status === 'signing_up') {
    const signedUp = await signUp(input, stored);
    if (signedUp.kind === 'ended') return signedUp;
    stored = signedUp.account;
  }
  if (stored.status === 'verification_failed') {
    return ended(
      `The account on this directory was never verified (${stored.failure_reason ?? 'unknown'}): finish it by hand`,
    );
  }
  if (!account.email_verification && stored.status === 'signing_up') {
    // Nothing to confirm: the account is ready once the sign-up went through.
    await port.finishVerification('verified');
  }
  if (account.email_verification && stored.status !== 'verified') {
    if (!stored.verification_link || stored.link_followed_at) {
      const hours = account.verification_hours ?? ACCOUNTS.defaultVerificationHours;
      const wait = await port.awaitVerification(hours * 3600);
      if (!wait.linkReady) {
        input.log.info("Waiting for the directory's verification mail", { deadline: wait.deadline });
        return { kind: 'waiting', deadline: wait.deadline };
      }
      stored = (await port.get()) ?? stored;
    }
    const followed = await followVerificationLink(input, stored);
    if (followed.kind === 'ended') return followed;
  }
  if (account.login_url && account.login_before_listing) {
    const credentials = await openCredentials(
      stored.sealed_credentials,
      { customerId: input.customerId, directoryId: input.directory.id },
      input.vault,
    );
    const page = await input.context.newPage();
    try {
      await logIn(page, account.login_url, credentials, input.timeouts);
    } finally {
      await page.close().catch(() => undefined);
    }
  }
  return { kind: 'ready' };
}

/**
 * Opens the account (stored sealed first, so a crash after the form is sent leaves credentials that log
 * in, never a second account) and sends the sign-up form. An account left in signing_up by an earlier
 * attempt is signed up again with its stored credentials: the directory either takes it (the first one
 * never arrived) or says it exists, and either way the verification mail is what comes next.
 */
async function signUp(
  input: AccountStepsInput,
  existing: StoredAccount | null,
): Promise<{ kind: 'signed_up'; account: StoredAccount } | Extract<AccountStepsOutcome, { kind: 'ended' }>> {
  const context = { customerId: input.customerId, directoryId: input.directory.id };
  let stored = existing;
  let credentials;
  if (!stored) {
    const email = submissionAddress(input.submissionLocalPart, input.mailDomain);
    credentials = { username: email, password: generateAccountPassword() };
    const begun = await input.port.begin(email, await sealCredentials(credentials, context, input.vault));
    stored = begun.account;
    // Another attempt opened it first: use what it stored.
    if (!begun.created) credentials = undefined;
  }
  credentials ??= await openCredentials(stored.sealed_credentials, context, input.vault);

  const page = await input.context.newPage();
  try {
    const result = await input.fill(page, {
      url: input.account.signup_url,
      profile: { ...input.profile, email: credentials.username },
      credentials: { password: credentials.password },
    });
    if (result.status === 'submitted') {
      input.log.info('Signed up on the directory', { directory_id: input.directory.id });
    } else if (existing) {
      // A repeated sign-up the directory refuses ("already registered") is expected here.
      input.log.info('Sign-up repeated for an account opened earlier; going on with it', {
        directory_id: input.directory.id,
        outcome: result.status,
      });
    } else {
      return {
        kind: 'ended',
        status: result.status === 'failed' ? 'failed' : 'needs_manual',
        reason: `Sign-up on the directory: ${result.reason ?? result.status}`,
        screenshot: result.screenshot,
      };
    }
  } finally {
    await page.close().catch(() => undefined);
  }
  return { kind: 'signed_up', account: stored };
}

/**
 * Follows the mailed link under the SSRF guard (the context's proxy). Its host must be the directory's:
 * the inbound-mail Lambda checked it already, and a link is a credential worth checking twice. An
 * expired or refused link ends with a human; a 5xx is retried (the link is kept until followed).
 */
async function followVerificationLink(
  input: AccountStepsInput,
  stored: StoredAccount,
): Promise<{ kind: 'verified' } | Extract<AccountStepsOutcome, { kind: 'ended' }>> {
  const link = stored.verification_link;
  if (!link || !linkOnDirectory(link, input)) {
    await input.port.finishVerification(
      'link_refused',
      "the verification link is not on the directory's host",
    );
    return ended("The verification link is not on the directory's host: finish the sign-up by hand");
  }
  const page = await input.context.newPage();
  try {
    const response = await page.goto(link, {
      waitUntil: 'domcontentloaded',
      timeout: input.timeouts.navigationMs,
    });
    const status = response?.status() ?? 0;
    if (status >= 500 || status === 429 || status === 408) {
      throw new SubmissionError('transient', 'http_status', `The verification link answered HTTP ${status}`, {
        status,
      });
    }
    const text = (
      await page
        .locator('body')
        .innerText({ timeout: input.timeouts.navigationMs })
        .catch(() => '')
    ).slice(0, 5000);
    if (status >= 400 || /\b(expired|no longer valid|invalid (link|token))\b/i.test(text)) {
      const reason = `the verification link was refused (HTTP ${status}${/expired/i.test(text) ? ', expired' : ''})`;
      await input.port.finishVerification(
        /expired/i.test(text) || status === 410 ? 'link_expired' : 'link_refused',
        reason,
      );
      return ended(
        `${reason[0]!.toUpperCase()}${reason.slice(1)}: ask the directory for a new one and finish by hand`,
      );
    }
    await input.port.finishVerification('verified');
    input.log.info('Directory account verified', { directory_id: input.directory.id });
    return { kind: 'verified' };
  } finally {
    await page.close().catch(() => undefined);
  }
}

/**
 * The inbound-mail Lambda's rule (mail/verification-link.ts), with the directory's own pages as its
 * hosts; their origins stand for the loopback origins a local test site has.
 */
function linkOnDirectory(link: string, input: AccountStepsInput): boolean {
  let url: URL;
  try {
    url = new URL(link);
  } catch {
    return false;
  }
  const own = [input.directory.submission_url, input.account.signup_url, input.account.login_url]
    .filter((u): u is string => typeof u === 'string')
    .map((u) => new URL(u));
  const port = (u: URL) => (u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : 80);
  return onDirectoryHost(url, {
    directoryHosts: own.map((o) => o.hostname),
    localOrigins: new Set(own.map((o) => originKey(o.hostname, port(o)))),
  });
}

function ended(reason: string): Extract<AccountStepsOutcome, { kind: 'ended' }> {
  return { kind: 'ended', status: 'needs_manual', reason };
}
