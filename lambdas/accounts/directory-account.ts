/**
 * What a directory asks before its listing form, and the account a business has on it.
 *
 * A directory's `account` (directories.account, set with the directory routes) says where to sign up,
 * whether the directory mails a link to confirm the address, and where and whether to log in before the
 * listing form. The SQL check internal.is_directory_account states the same shape.
 */
import * as z from '../platform/zod';
import { ACCOUNTS } from '../platform/system-config';
import { webUrl } from '../customers/plain-schemas';
import type { SealedCredentials } from './credential-vault';

export const DirectoryAccountSchema = z.strictObject({
  signup_url: webUrl('account.signup_url'),
  login_url: z.optional(z.nullable(webUrl('account.login_url'))),
  /** The directory mails a link that must be followed before the account can list. */
  email_verification: z.optional(z.boolean()),
  /** The listing form needs a logged-in session (log in with the stored credentials first). */
  login_before_listing: z.optional(z.boolean()),
  /** How long a task waits for the verification mail before a human takes over (default ACCOUNTS). */
  verification_hours: z.optional(z.int().check(z.minimum(1), z.maximum(ACCOUNTS.maxVerificationHours))),
});
export type DirectoryAccount = z.infer<typeof DirectoryAccountSchema>;

/**
 * The same settings as stored, read by the submitter: the API checked the pages' hosts when they were
 * written (a loopback test site is allowed only where the local runtime says so), and the SSRF guard
 * checks every request the browser makes, so here any http(s) URL is read as what it is.
 */
const storedUrl = z.url({ protocol: /^https?$/ }).check(z.maxLength(2048));
export const StoredDirectoryAccountSchema = z.extend(DirectoryAccountSchema, {
  signup_url: storedUrl,
  login_url: z.optional(z.nullable(storedUrl)),
});

export type AccountStatus = 'signing_up' | 'awaiting_verification' | 'verified' | 'verification_failed';

/** The account as get_directory_account returns it: sealed, never the password. */
export interface StoredAccount {
  login_email: string;
  sealed_credentials: SealedCredentials;
  status: AccountStatus;
  verification_link: string | null;
  link_received_at: string | null;
  link_followed_at: string | null;
  verified_at: string | null;
  failure_reason: string | null;
}

/**
 * The account's database steps for one claimed task, fenced by its lease (lambdas/tasks/process-task.ts
 * builds it). Each throws LeaseLost when the task was taken over.
 */
export interface AccountPort {
  get(): Promise<StoredAccount | null>;
  /** Stores the account before the sign-up is sent; an existing one is returned (created: false). */
  begin(loginEmail: string, sealed: SealedCredentials): Promise<{ created: boolean; account: StoredAccount }>;
  /** Waits (the task leaves its lease) unless the link already came: then link_ready. */
  awaitVerification(timeoutSeconds: number): Promise<{ linkReady: boolean; deadline?: string }>;
  finishVerification(outcome: 'verified' | 'link_expired' | 'link_refused', reason?: string): Promise<void>;
}
