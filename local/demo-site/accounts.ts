/**
 * The demo site's directories that need an account before a listing, as many real ones do:
 *
 * - /accounts/verify/: sign up, confirm the email through the link mailed to it (which signs you
 *   in), then the listing form; log-in is refused until the email is confirmed.
 * - /accounts/login-first/: sign up (nothing to confirm, a welcome mail), then log in to reach the
 *   listing form.
 * - /accounts/expiring/: as verify, but the link expires after `expiringLinkTtlMs` (410 after).
 *
 * Pages under each prefix: signup, confirm?token=, login (?next=), logout, listing, unsubscribe.
 * Accounts are per directory and per email (case-insensitive); a second sign-up with the same
 * email is refused (422) and counted, so tests can assert the submitter reused the account.
 * Passwords are kept as scrypt hashes, as a real site keeps them. Sessions are cookies scoped to
 * the directory's path.
 *
 * Mail goes over SMTP (nodemailer) to `smtpUrl`, locally the SES inbound stand-in. Without one,
 * a sign-up that must mail a link answers 503 "mail unavailable"; so does a sign-up whose mail the
 * SMTP server refuses, and that sign-up is not kept (a real site would lose the mail silently; the
 * demo fails loudly so a mis-wired test shows at once).
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import nodemailer from 'nodemailer';
import {
  describeDuration,
  verificationMail,
  welcomeMail,
  type MailContent,
  type MailLinks,
} from './account-mail';
import {
  accountCreatedPage,
  accountListingPage,
  checkInboxPage,
  confirmedPage,
  invalidLinkPage,
  linkExpiredPage,
  loginPage,
  signupPage,
  unsubscribedPage,
} from './account-pages';
import { errorPage } from './forms';

/** How one account directory behaves and names its fields: the rules are data, one entry each. */
export interface AccountDirectory {
  /** URL prefix, e.g. "/accounts/verify" (no trailing slash). */
  path: string;
  /** The site name shown on pages and in mails. */
  name: string;
  /** A link must be followed before the listing form opens. */
  confirmEmail: boolean;
  /** The link stops working after expiringLinkTtlMs. */
  linkExpires: boolean;
  /** Posted field names (each site spells them its own way). */
  fields: { email: string; password: string; passwordConfirmation: string; company: string; terms: string };
}

export const ACCOUNT_DIRECTORIES: Readonly<Record<string, AccountDirectory>> = {
  verify: {
    path: '/accounts/verify',
    name: 'Verify Directory',
    confirmEmail: true,
    linkExpires: false,
    fields: {
      email: 'email',
      password: 'password',
      passwordConfirmation: 'password_confirmation',
      company: 'company_name',
      terms: 'terms',
    },
  },
  // Rails-style nested names.
  'login-first': {
    path: '/accounts/login-first',
    name: 'Members Directory',
    confirmEmail: false,
    linkExpires: false,
    fields: {
      email: 'user[email]',
      password: 'user[password]',
      passwordConfirmation: 'user[password_confirmation]',
      company: 'user[company]',
      terms: 'user[accept_terms]',
    },
  },
  expiring: {
    path: '/accounts/expiring',
    name: 'Quick Link Directory',
    confirmEmail: true,
    linkExpires: true,
    fields: {
      email: 'mail',
      password: 'pass',
      passwordConfirmation: 'pass2',
      company: 'organisation',
      terms: 'tos',
    },
  },
};

/** An account as GET /_accounts lists it. */
export interface DemoAccount {
  email: string;
  /** The directory's prefix, e.g. "/accounts/verify/". */
  directory: string;
  company_name: string;
  /** The email was confirmed through the link (never, where the directory sends none). */
  verified: boolean;
  created_at: string;
  /** Sign-up POSTs with this email: 1 is one sign-up, more are refused duplicates. */
  signup_count: number;
  /** Successful log-ins. */
  login_count: number;
  /** Every request of one of this account's links, expired ones included. */
  confirm_clicks: number;
}

interface Account extends DemoAccount {
  passwordHash: string;
}

/** What the site's router hands over: the body already parsed, the origin the client used. */
export interface AccountRequest {
  method: string;
  url: URL;
  /** e.g. http://127.0.0.1:40123: links in mails and the From domain are built from it. */
  origin: string;
  cookie: string | undefined;
  form: Record<string, string>;
}

export interface AccountSiteOptions {
  smtpUrl: string | undefined;
  expiringLinkTtlMs: number;
  /** Validates and records a listing a signed-in account posted, and answers it (server.ts). */
  submitListing(res: ServerResponse, form: string, accountEmail: string, raw: Record<string, string>): void;
}

export interface AccountSite {
  /** Any request under /accounts/. */
  handle(request: AccountRequest, res: ServerResponse): Promise<void>;
  accounts(): DemoAccount[];
  /** Forget accounts, links and sessions. */
  reset(): void;
  close(): void;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PASSWORD_MIN = 8;
const PASSWORD_MAX = 128;
const SESSION_COOKIE = 'sid';

const scryptAsync = promisify(scrypt) as (password: string, salt: Buffer, keylen: number) => Promise<Buffer>;

/** "scrypt$<salt>$<hash>", base64url: a random salt per password. */
async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scryptAsync(password, salt, 32);
  return `scrypt$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}
async function passwordMatches(password: string, stored: string): Promise<boolean> {
  const [, salt, hash] = stored.split('$');
  const expected = Buffer.from(hash ?? '', 'base64url');
  const actual = await scryptAsync(password, Buffer.from(salt ?? '', 'base64url'), expected.length);
  return timingSafeEqual(actual, expected);
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq !== -1 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

function send(res: ServerResponse, status: number, html: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(html);
}
function redirect(
  res: ServerResponse,
  status: 302 | 303,
  location: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { location, 'cache-control': 'no-store', ...headers });
  res.end();
}

export function createAccountSite(options: AccountSiteOptions): AccountSite {
  const transport = options.smtpUrl ? nodemailer.createTransport(options.smtpUrl) : undefined;
  /** "<directory path>|<lowercased email>" -> account */
  const accounts = new Map<string, Account>();
  /** Sign-ups between their check for a duplicate and their mail: a concurrent one is a duplicate. */
  const pending = new Set<string>();
  const links = new Map<string, { key: string; expiresAt: number | undefined }>();
  const sessions = new Map<string, { directory: string; key: string }>();
  const accountKey = (directory: AccountDirectory, email: string) =>
    `${directory.path}|${email.toLowerCase()}`;

  function startSession(directory: AccountDirectory, key: string): Record<string, string> {
    const id = randomBytes(24).toString('base64url');
    sessions.set(id, { directory: directory.path, key });
    return { 'set-cookie': `${SESSION_COOKIE}=${id}; Path=${directory.path}/; HttpOnly; SameSite=Lax` };
  }
  function signedIn(directory: AccountDirectory, request: AccountRequest): Account | undefined {
    const session = sessions.get(cookieValue(request.cookie, SESSION_COOKIE) ?? '');
    return session?.directory === directory.path ? accounts.get(session.key) : undefined;
  }
  /** Only a page of the same directory: `next` must not become an open redirect. */
  const safeNext = (directory: AccountDirectory, next: string | undefined): string =>
    next && next.startsWith(`${directory.path}/`) && !next.includes('//') && !next.includes('\\')
      ? next
      : `${directory.path}/listing`;
  const toLogin = (directory: AccountDirectory) =>
    `${directory.path}/login?next=${encodeURIComponent(`${directory.path}/listing`)}`;

  const mailLinks = (request: AccountRequest, directory: AccountDirectory): MailLinks => ({
    unsubscribeUrl: `${request.origin}${directory.path}/unsubscribe`,
    privacyUrl: `${request.origin}/privacy`,
  });
  /** From no-reply@ the host the site was reached at, as a directory mails from its own domain. */
  async function mail(
    request: AccountRequest,
    directory: AccountDirectory,
    to: string,
    content: MailContent,
  ) {
    await transport!.sendMail({
      from: { name: directory.name, address: `no-reply@${new URL(request.origin).hostname}` },
      to,
      subject: content.subject,
      text: content.text,
      html: content.html,
      list: { unsubscribe: mailLinks(request, directory).unsubscribeUrl },
    });
  }

  async function signup(
    directory: AccountDirectory,
    request: AccountRequest,
    res: ServerResponse,
  ): Promise<void> {
    if (directory.confirmEmail && !transport) {
      return send(res, 503, errorPage(['Sign-up is unavailable right now: mail unavailable']));
    }
    const f = directory.fields;
    const email = (request.form[f.email] ?? '').trim();
    const company = (request.form[f.company] ?? '').trim();
    const password = request.form[f.password] ?? '';
    const errors: string[] = [];
    if (!EMAIL.test(email)) errors.push('Enter a valid email address');
    if (password.length < PASSWORD_MIN)
      errors.push(`The password must have at least ${PASSWORD_MIN} characters`);
    if (password.length > PASSWORD_MAX)
      errors.push(`The password must have at most ${PASSWORD_MAX} characters`);
    if (password !== (request.form[f.passwordConfirmation] ?? '')) errors.push('The passwords do not match');
    if (!company) errors.push('Company name is required');
    if (!request.form[f.terms]) errors.push('You must accept the Terms of Service');
    if (errors.length) return send(res, 422, signupPage(directory, errors, { email, company }));

    const key = accountKey(directory, email);
    const existing = accounts.get(key);
    if (existing || pending.has(key)) {
      if (existing) existing.signup_count += 1;
      const duplicate = ['An account with this email already exists. Log in instead.'];
      return send(res, 422, signupPage(directory, duplicate, { email, company }));
    }
    pending.add(key);
    try {
      const account: Account = {
        email,
        directory: `${directory.path}/`,
        company_name: company,
        verified: false,
        created_at: new Date().toISOString(),
        signup_count: 1,
        login_count: 0,
        confirm_clicks: 0,
        passwordHash: await hashPassword(password),
      };
      // Kept before the mail goes: the link may be followed before the SMTP reply is back here.
      accounts.set(key, account);
      if (!directory.confirmEmail) {
        // A welcome mail is a courtesy: the account works without it, so a failure is ignored.
        if (transport) {
          const content = welcomeMail({
            directoryName: directory.name,
            companyName: company,
            loginUrl: `${request.origin}${directory.path}/login`,
            links: mailLinks(request, directory),
          });
          await mail(request, directory, email, content).catch(() => undefined);
        }
        return send(res, 200, accountCreatedPage(directory));
      }
      const token = randomBytes(24).toString('base64url');
      const lifetime = directory.linkExpires ? options.expiringLinkTtlMs : undefined;
      links.set(token, { key, expiresAt: lifetime === undefined ? undefined : Date.now() + lifetime });
      const linkLifetime = lifetime === undefined ? undefined : describeDuration(lifetime);
      const content = verificationMail({
        directoryName: directory.name,
        companyName: company,
        confirmUrl: `${request.origin}${directory.path}/confirm?token=${token}`,
        ...(linkLifetime ? { linkLifetime } : {}),
        links: mailLinks(request, directory),
      });
      try {
        await mail(request, directory, email, content);
      } catch {
        accounts.delete(key);
        links.delete(token);
        return send(res, 503, errorPage(['We could not send the verification email: mail unavailable']));
      }
      return send(res, 200, checkInboxPage(directory, email, linkLifetime));
    } finally {
      pending.delete(key);
    }
  }

  function confirm(directory: AccountDirectory, request: AccountRequest, res: ServerResponse): void {
    const link = links.get(request.url.searchParams.get('token') ?? '');
    const account = link && accounts.get(link.key);
    if (!link || !account || account.directory !== `${directory.path}/`) {
      return send(res, 404, invalidLinkPage(directory));
    }
    account.confirm_clicks += 1;
    if (link.expiresAt !== undefined && Date.now() > link.expiresAt) {
      return send(res, 410, linkExpiredPage(directory));
    }
    const alreadyConfirmed = account.verified;
    account.verified = true;
    send(res, 200, confirmedPage(directory, alreadyConfirmed), startSession(directory, link.key));
  }

  async function login(
    directory: AccountDirectory,
    request: AccountRequest,
    res: ServerResponse,
  ): Promise<void> {
    const email = (request.form[directory.fields.email] ?? '').trim();
    const password = request.form[directory.fields.password] ?? '';
    const next = safeNext(directory, request.form['next']);
    const key = accountKey(directory, email);
    const account = accounts.get(key);
    if (!account || !(await passwordMatches(password, account.passwordHash))) {
      return send(res, 401, loginPage(directory, next, ['Invalid email or password']));
    }
    if (directory.confirmEmail && !account.verified) {
      const unconfirmed = ['Please confirm your email address first: follow the link we emailed you.'];
      return send(res, 403, loginPage(directory, next, unconfirmed));
    }
    account.login_count += 1;
    redirect(res, 303, next, startSession(directory, key));
  }

  async function handle(request: AccountRequest, res: ServerResponse): Promise<void> {
    const match = /^\/accounts\/([\w-]+)\/([\w-]+)$/.exec(request.url.pathname);
    const directory = match ? ACCOUNT_DIRECTORIES[match[1]!] : undefined;
    if (!match || !directory) return send(res, 404, errorPage(['Page not found']));
    const route = `${request.method} ${match[2]}`;
    switch (route) {
      case 'GET signup':
        return send(res, 200, signupPage(directory));
      case 'POST signup':
        return signup(directory, request, res);
      case 'GET confirm':
        if (!directory.confirmEmail) break;
        return confirm(directory, request, res);
      case 'GET login':
        return send(
          res,
          200,
          loginPage(directory, safeNext(directory, request.url.searchParams.get('next') ?? '')),
        );
      case 'POST login':
        return login(directory, request, res);
      case 'GET logout':
        sessions.delete(cookieValue(request.cookie, SESSION_COOKIE) ?? '');
        return redirect(res, 303, `${directory.path}/login`, {
          'set-cookie': `${SESSION_COOKIE}=; Path=${directory.path}/; Max-Age=0; HttpOnly; SameSite=Lax`,
        });
      case 'GET listing':
      case 'POST listing': {
        const account = signedIn(directory, request);
        if (!account) return redirect(res, request.method === 'GET' ? 302 : 303, toLogin(directory));
        if (request.method === 'GET') return send(res, 200, accountListingPage(directory, account.email));
        return options.submitListing(res, `accounts/${match[1]}`, account.email, request.form);
      }
      case 'GET unsubscribe':
        return send(res, 200, unsubscribedPage(directory));
    }
    send(res, 404, errorPage(['Page not found']));
  }

  return {
    handle,
    accounts: () => [...accounts.values()].map(({ passwordHash: _hash, ...account }) => ({ ...account })),
    reset: () => {
      accounts.clear();
      links.clear();
      sessions.clear();
    },
    close: () => transport?.close(),
  };
}
