/**
 * The demo directory site: a node:http server on 127.0.0.1 with realistic submission forms, so the
 * submitter runs against a real browser and a real HTTP server on one machine (no internet).
 *
 * Every POST is validated server-side as a directory would (required fields, a valid email, a
 * plausible phone) and recorded, accepted or not, so tests can assert a submission arrived exactly
 * once with the right values — or never arrived. Recorded submissions: `submissions()` in process,
 * `GET /_submissions` (JSON) over HTTP, `DELETE /_submissions` to clear. `GET /listings?email=` looks
 * accepted submissions up by email (JSON), as a directory's search would, for verification.
 *
 * Misbehaving directories: /forms/slow?ms=N (the page takes N ms), /forms/flaky?fail=N (the first N
 * POSTs per email answer 500), /forms/rate-limited?retry_after=S&times=N (the first N POSTs per email
 * answer 429 with Retry-After: S; `&on=get` rate-limits the first N GETs of that URL instead;
 * `retry_after_date=S` sends an HTTP date S seconds ahead), /forms/validation (422 with a reason),
 * /forms/redirect (success shown only by a 303 to /thanks?ref=...), /forms/unavailable (503),
 * /forms/broken-submit (503 to the POST). /redirect?to=URL redirects anywhere and
 * /probes/ssrf?canary=ORIGIN is a hostile page: both exist to test the submitter's SSRF guard.
 *
 * /forms/full asks for the whole extended profile in a multipart/form-data POST with a logo upload
 * (bodies up to FULL_FORM_MAX_BODY_BYTES there, MAX_BODY_BYTES elsewhere). Its three phone boxes are
 * recorded as one string of digits, each social link under its network's name (`facebook_url` ...),
 * and each uploaded file by its field, name, type, size and SHA-256 (`files`); an email that does not
 * match its confirmation or a logo that is not an image is 422.
 *
 * Directories that need an account (accounts.ts): /accounts/verify/ (sign up, confirm the emailed
 * link, then list), /accounts/login-first/ (sign up, log in, then list) and /accounts/expiring/ (as
 * verify, the link expires after `expiringLinkTtlMs`), each with signup, confirm?token=, login,
 * logout, listing and unsubscribe pages. Their mail goes over SMTP to `smtpUrl` (locally the SES
 * inbound stand-in, local/ses-inbound-smtp.ts). A listing posted there is recorded as the forms'
 * are, with the account's email (`account`). `GET /_accounts` (JSON) lists the accounts with their
 * sign-up, log-in and confirmation counts, `DELETE /_accounts` clears them. /privacy and /terms are
 * the pages mails and sign-up forms link to.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PROFILE_FIELDS, type ProfileField } from '../../lambdas/customers/business-profile';
import { policyPage } from './account-pages';
import { ACCOUNT_DIRECTORIES, createAccountSite, type DemoAccount } from './accounts';
import {
  captchaForm,
  choicesForm,
  errorPage,
  fullForm,
  indexPage,
  labelsOnlyForm,
  listingPage,
  mappedForm,
  multiStepForm,
  plainForm,
  referencePage,
  ssrfProbePage,
  successPage,
  validationForm,
} from './forms';

/**
 * The profile's field names: every form's posted names are translated to these when recorded. A
 * profile's social links are one field holding several URLs, so each network's box is recorded
 * under its own name.
 */
type Canonical = ProfileField | 'facebook_url' | 'instagram_url' | 'linkedin_url';

/** A file posted in a multipart form, as recorded (the bytes themselves are not kept). */
export interface DemoFile {
  /** The form field it was posted in, e.g. "logo". */
  field: string;
  /** The file name the browser sent. */
  filename: string;
  contentType: string;
  size: number;
  /** SHA-256 of the bytes, hex. */
  sha256: string;
}

export interface DemoSubmission {
  id: string;
  /** Which form was posted, e.g. "plain". */
  form: string;
  receivedAt: string;
  accepted: boolean;
  /** The HTTP status the POST was answered with (500 from flaky, 429 from rate-limited, 422 ...). */
  status: number;
  errors: string[];
  /** Posted values under the profile's field names. */
  fields: Partial<Record<Canonical, string>>;
  /** Posted values as the form named them. */
  raw: Record<string, string>;
  /** Files posted in a multipart form (empty file inputs are not files). */
  files?: DemoFile[];
  /** The signed-in account's email, for a listing posted on an account directory. */
  account?: string;
}

export interface DemoSite {
  /** Base URL, e.g. http://127.0.0.1:40123 (no trailing slash). */
  url: string;
  /** Every POST received so far, in order (accepted or rejected). */
  submissions(): DemoSubmission[];
  /** Accounts created on the account directories (/accounts/...). */
  accounts(): DemoAccount[];
  /** Forget recorded submissions and accounts. */
  reset(): void;
  stop(): Promise<void>;
}

export interface DemoSiteOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** Where the account directories send mail, e.g. smtp://127.0.0.1:2525; none: sign-up answers 503. */
  smtpUrl?: string;
  /** How long an /accounts/expiring/ confirmation link works. */
  expiringLinkTtlMs?: number;
}

export const DEFAULT_EXPIRING_LINK_TTL_MS = 60_000;

interface FormSpec {
  /** The form page; `action` keeps the page's query (flaky and rate-limited count by it). */
  html: (action: string) => string;
  /** posted name -> profile field */
  names: Record<string, Canonical>;
  required: Canonical[];
  /**
   * Answer: redirect to a thank-you page, redirect to a bare reference page (the only sign of
   * success), render it in place, or JSON for script-driven forms.
   */
  answer: 'redirect' | 'reference' | 'render' | 'json';
  /** Extra checks a directory makes (honeypot, captcha). */
  check?: (raw: Record<string, string>, files: readonly UploadedFile[]) => string[];
  /** Fields recorded from several posted ones (a phone split over boxes). */
  derive?: (raw: Record<string, string>) => Partial<Record<Canonical, string>>;
  /** The body limit when larger than MAX_BODY_BYTES (a form with a file upload). */
  maxBodyBytes?: number;
}

interface UploadedFile extends DemoFile {
  bytes: Buffer;
}

const identity = (names: Canonical[]): Record<string, Canonical> =>
  Object.fromEntries(names.map((n) => [n, n])) as Record<string, Canonical>;
const ALL: Canonical[] = [...PROFILE_FIELDS];

const PLAIN_NAMES: Record<string, Canonical> = {
  company: 'business_name',
  contact_email: 'email',
  phone: 'phone',
  site: 'website',
  street: 'address_line',
  town: 'city',
  state: 'region',
  zip: 'postal_code',
  country: 'country',
  category: 'category',
  about: 'description',
};
const honeypot = (raw: Record<string, string>): string[] =>
  raw['fax'] ? ['Submission looks automated'] : [];

/** A few hundred KiB: room for a logo (the API stores at most 180 KiB) and the text, no more. */
export const FULL_FORM_MAX_BODY_BYTES = 512 * 1024;

/** The image types directories take for a logo, by magic number (what the bytes are, not their name). */
const isImage = (bytes: Buffer): boolean =>
  [
    [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
    [0xff, 0xd8, 0xff],
    [0x47, 0x49, 0x46, 0x38],
  ].some((magic) => magic.every((b, i) => bytes[i] === b)) ||
  (bytes.subarray(0, 4).toString('latin1') === 'RIFF' && bytes.subarray(8, 12).toString('latin1') === 'WEBP');

const FORMS: Record<string, FormSpec> = {
  plain: {
    html: () => plainForm(),
    names: PLAIN_NAMES,
    required: ['business_name', 'email', 'phone', 'city', 'category'],
    answer: 'redirect',
    check: honeypot,
  },
  'labels-only': {
    html: labelsOnlyForm,
    names: identity(ALL),
    required: ['business_name', 'email', 'phone', 'city'],
    answer: 'json',
  },
  'multi-step': {
    html: multiStepForm,
    names: {
      organization: 'business_name',
      email: 'email',
      telephone: 'phone',
      url: 'website',
      address1: 'address_line',
      city: 'city',
      region: 'region',
      postal_code: 'postal_code',
      country: 'country',
      category: 'category',
      description: 'description',
    },
    required: ['business_name', 'email', 'phone', 'city'],
    answer: 'render',
  },
  captcha: {
    html: captchaForm,
    names: identity(['business_name', 'email', 'phone', 'website', 'city']),
    required: ['business_name', 'email'],
    answer: 'render',
    check: (raw) => (raw['g-recaptcha-response'] ? [] : ['Please complete the CAPTCHA']),
  },
  mapped: {
    html: mappedForm,
    names: { f1: 'business_name', f2: 'email', f3: 'phone', f4: 'website', f5: 'city' },
    required: ['business_name', 'email', 'phone'],
    answer: 'render',
  },
  /** The plain form whose POST fails with 503: a directory falling over mid-submission. */
  'broken-submit': {
    html: () => plainForm('/forms/broken-submit'),
    names: PLAIN_NAMES,
    required: [],
    answer: 'render',
  },
  choices: {
    html: choicesForm,
    names: {
      ...identity(['business_name', 'email', 'phone', 'city', 'country', 'category']),
      state: 'region',
    },
    required: ['business_name', 'email', 'phone', 'category'],
    answer: 'render',
    check: (raw) => (raw['terms'] === 'accepted' ? [] : ['You must accept the terms and conditions']),
  },
  /** The first N POSTs per email answer 500 (see handle): an intermittently failing directory. */
  flaky: {
    html: (action) => plainForm(action),
    names: PLAIN_NAMES,
    required: ['business_name', 'email'],
    answer: 'redirect',
    check: honeypot,
  },
  /** The first N POSTs per email answer 429 with Retry-After (see handle). */
  'rate-limited': {
    html: (action) => plainForm(action),
    names: PLAIN_NAMES,
    required: ['business_name', 'email'],
    answer: 'redirect',
    check: honeypot,
  },
  validation: {
    html: validationForm,
    names: identity(['business_name', 'email', 'phone', 'city', 'postal_code']),
    required: ['business_name', 'email', 'phone', 'city'],
    answer: 'render',
    check: (raw) =>
      /^[A-Za-z]\d[A-Za-z][ -]?\d[A-Za-z]\d$/.test((raw['postal_code'] ?? '').trim())
        ? []
        : ['We only list Canadian businesses: the postal code must look like A1A 1A1'],
  },
  redirect: {
    html: () => plainForm('/forms/redirect'),
    names: PLAIN_NAMES,
    required: ['business_name', 'email'],
    answer: 'reference',
    check: honeypot,
  },
  full: {
    html: fullForm,
    names: {
      fname: 'contact_first_name',
      lname: 'contact_last_name',
      biz: 'business_name',
      mail: 'email',
      web: 'website',
      addr1: 'address_line',
      addr2: 'address_line2',
      city: 'city',
      state: 'region',
      zip: 'postal_code',
      country: 'country',
      category: 'category',
      tagline: 'short_description',
      details: 'description',
      tags: 'keywords',
      hours: 'opening_hours',
      founded: 'year_established',
      fb: 'facebook_url',
      ig: 'instagram_url',
      li: 'linkedin_url',
    },
    required: [
      'contact_first_name',
      'contact_last_name',
      'business_name',
      'email',
      'phone',
      'address_line',
      'city',
      'region',
      'postal_code',
      'country',
      'category',
      'short_description',
      'description',
    ],
    answer: 'redirect',
    // One phone number in three boxes: recorded as its digits, as the directory would store it.
    derive: (raw) => {
      const digits = ['ph_area', 'ph_prefix', 'ph_line'].map((n) => (raw[n] ?? '').replace(/\D/g, ''));
      return digits.join('') ? { phone: digits.join('') } : {};
    },
    check: (raw, files) => {
      const errors = honeypot(raw);
      const phone = ['ph_area', 'ph_prefix', 'ph_line'].map((n) => (raw[n] ?? '').trim()).join(' ');
      if (phone.trim() && !/^\d{3} \d{3} \d{4}$/.test(phone))
        errors.push('phone must be an area code, a prefix and a line number (3, 3 and 4 digits)');
      if ((raw['mail'] ?? '').trim().toLowerCase() !== (raw['mail2'] ?? '').trim().toLowerCase())
        errors.push('the email addresses do not match');
      if ((raw['tagline'] ?? '').length > 160) errors.push('short description is longer than 160 characters');
      if (raw['terms'] !== 'accepted') errors.push('You must accept the terms of service');
      for (const file of files) {
        if (file.field !== 'logo') errors.push(`unexpected file in ${file.field}`);
        else if (!file.contentType.startsWith('image/') || !isImage(file.bytes))
          errors.push('the logo must be a PNG, JPEG, GIF or WebP image');
      }
      return errors;
    },
    maxBodyBytes: FULL_FORM_MAX_BODY_BYTES,
  },
};

/** The listing form behind an account (account-pages.ts): the plain form's names and rules. */
const ACCOUNT_LISTING: FormSpec = { ...FORMS['plain']!, html: () => '' };

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** What a request the server could not read is answered with (a malformed or an oversized body). */
const ERROR_MESSAGES: Readonly<Record<number, string>> = { 400: 'Bad request', 413: 'Request too large' };
const MAX_BODY_BYTES = 64 * 1024;

function validate(
  spec: FormSpec,
  fields: Partial<Record<Canonical, string>>,
  raw: Record<string, string>,
  files: readonly UploadedFile[],
): string[] {
  const errors: string[] = [];
  for (const name of spec.required) {
    if (!fields[name]?.trim()) errors.push(`${name} is required`);
  }
  if (fields.email && !EMAIL.test(fields.email)) errors.push('email is not a valid email address');
  if (fields.phone && fields.phone.replace(/\D/g, '').length < 7)
    errors.push('phone must have at least 7 digits');
  errors.push(...(spec.check?.(raw, files) ?? []));
  return errors;
}

async function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw Object.assign(new Error('body too large'), { status: 413 });
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

interface ParsedBody {
  raw: Record<string, string>;
  /** Set only for a multipart body. */
  files?: UploadedFile[];
}

async function parseBody(req: IncomingMessage, body: Buffer): Promise<ParsedBody> {
  const type = req.headers['content-type'] ?? '';
  if (type.includes('application/json')) {
    const parsed: unknown = JSON.parse(body.toString('utf8') || '{}');
    if (!parsed || typeof parsed !== 'object') return { raw: {} };
    return { raw: Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, String(v ?? '')])) };
  }
  if (type.toLowerCase().startsWith('multipart/form-data')) {
    // Node's fetch Response parses multipart bodies (undici): no dependency for a test site.
    const form = await new Response(new Uint8Array(body), { headers: { 'content-type': type } })
      .formData()
      .catch(() => {
        throw Object.assign(new Error('malformed multipart body'), { status: 400 });
      });
    const raw: Record<string, string> = {};
    const files: UploadedFile[] = [];
    for (const [field, value] of form) {
      if (typeof value === 'string') {
        raw[field] = value;
        continue;
      }
      // A file input left empty is posted as a part with no file name and no bytes.
      if (value.name === '' && value.size === 0) continue;
      const bytes = Buffer.from(await value.arrayBuffer());
      files.push({
        field,
        filename: value.name,
        contentType: value.type,
        size: bytes.length,
        sha256: createHash('sha256').update(bytes).digest('hex'),
        bytes,
      });
    }
    return { raw, files };
  }
  return { raw: Object.fromEntries(new URLSearchParams(body.toString('utf8'))) };
}

function send(res: ServerResponse, status: number, body: string, type = 'text/html; charset=utf-8'): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}

/** Waits `ms`, or less if the client goes away (so stop() is never held up by a slow answer). */
function sleep(ms: number, req: IncomingMessage): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    timer.unref();
    req.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** /forms/rate-limited's parameters. */
function rateLimit(url: URL): { times: number; retryAfter: string; onGet: boolean } {
  const seconds = Number(url.searchParams.get('retry_after') ?? 1);
  const dateIn = url.searchParams.get('retry_after_date');
  return {
    times: Number(url.searchParams.get('times') ?? 1),
    // Retry-After is either delay-seconds or an HTTP-date (RFC 9110 10.2.3); both occur in the wild.
    retryAfter:
      dateIn !== null ? new Date(Date.now() + Number(dateIn) * 1000).toUTCString() : String(seconds),
    onGet: url.searchParams.get('on') === 'get',
  };
}

function tooMany(res: ServerResponse, retryAfter: string): void {
  res.writeHead(429, { 'content-type': 'text/html; charset=utf-8', 'retry-after': retryAfter });
  res.end(errorPage(['Too many requests. Please slow down.']));
}

export async function startDemoSite(options: DemoSiteOptions = {}): Promise<DemoSite> {
  const host = options.host ?? '127.0.0.1';
  const expiringLinkTtlMs = options.expiringLinkTtlMs ?? DEFAULT_EXPIRING_LINK_TTL_MS;
  if (!Number.isFinite(expiringLinkTtlMs) || expiringLinkTtlMs <= 0) {
    throw new Error(
      `startDemoSite: expiringLinkTtlMs must be a positive number of ms, got ${expiringLinkTtlMs}`,
    );
  }
  const accountSite = createAccountSite({
    smtpUrl: options.smtpUrl,
    expiringLinkTtlMs,
    submitListing: (res, form, account, raw) =>
      answerSubmission(res, '', form, ACCOUNT_LISTING, raw, undefined, account),
  });
  const port = (): number => (server.address() as AddressInfo).port;
  const received: DemoSubmission[] = [];
  /** POSTs (per form, query and email) and GETs (per URL) seen, for flaky and rate-limited. */
  const counters = new Map<string, number>();
  const count = (key: string): number => {
    const n = (counters.get(key) ?? 0) + 1;
    counters.set(key, n);
    return n;
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      const status = (err as { status?: number }).status ?? 500;
      if (!res.headersSent) send(res, status, errorPage([ERROR_MESSAGES[status] ?? 'Server error']));
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://demo.invalid');
    const path = url.pathname;
    const origin = `http://${req.headers.host ?? `${host}:${port()}`}`;

    if (path === '/_submissions') {
      if (req.method === 'DELETE') {
        received.length = 0;
        counters.clear();
        return send(res, 204, '');
      }
      return send(res, 200, JSON.stringify(received), 'application/json');
    }
    if (path === '/listings' && req.method === 'GET') {
      // A directory's own search, by the email a listing was submitted with (verification).
      const email = (url.searchParams.get('email') ?? '').trim().toLowerCase();
      const listings = received
        .filter((s) => s.accepted && email !== '' && s.fields.email?.trim().toLowerCase() === email)
        .map((s) => ({
          id: s.id,
          url: `${origin}/listings/${s.id}`,
          business_name: s.fields.business_name ?? '',
        }));
      return send(res, 200, JSON.stringify({ listings }), 'application/json');
    }
    if (path === '/_accounts') {
      if (req.method === 'DELETE') {
        accountSite.reset();
        return send(res, 204, '');
      }
      return send(res, 200, JSON.stringify(accountSite.accounts()), 'application/json');
    }
    if (path.startsWith('/accounts/')) {
      const body =
        req.method === 'POST' ? await parseBody(req, await readBody(req, MAX_BODY_BYTES)) : { raw: {} };
      const request = {
        method: req.method ?? 'GET',
        url,
        origin,
        cookie: req.headers.cookie,
        form: body.raw,
      };
      return accountSite.handle(request, res);
    }
    if ((path === '/privacy' || path === '/terms') && req.method === 'GET') {
      return send(res, 200, policyPage(path === '/privacy' ? 'privacy' : 'terms'));
    }
    if (path === '/thanks' && req.method === 'GET') {
      const ref = url.searchParams.get('ref') ?? '';
      const found = received.find((s) => s.id === ref && s.accepted);
      return found ? send(res, 200, referencePage(ref, found.id)) : send(res, 404, errorPage(['Not found']));
    }
    // An open redirect, as many sites have one: the SSRF guard must check where it leads.
    if (path === '/redirect' && req.method === 'GET') {
      res.writeHead(302, { location: url.searchParams.get('to') ?? '/' });
      return void res.end();
    }
    if (path === '/probes/ssrf' && req.method === 'GET') {
      return send(res, 200, ssrfProbePage(url.searchParams.get('canary') ?? 'http://127.0.0.1:9'));
    }
    if (path === '/' && req.method === 'GET') {
      const accountPages = Object.values(ACCOUNT_DIRECTORIES).map((d) => `${d.path}/signup`);
      return send(res, 200, indexPage([...Object.keys(FORMS).map((f) => `/forms/${f}`), ...accountPages]));
    }
    // A directory that is down: 503 for the form page itself (a transient failure).
    if (path === '/forms/unavailable') return send(res, 503, errorPage(['Service temporarily unavailable']));
    // A slow directory: the plain form after ?ms= milliseconds (navigation timeouts).
    if (path === '/forms/slow' && req.method === 'GET') {
      await sleep(Math.min(Number(url.searchParams.get('ms') ?? 3000), 60_000), req);
      if (req.destroyed) return;
      return send(res, 200, plainForm());
    }

    const listing = /^\/listings\/([\w-]+)$/.exec(path);
    if (listing && req.method === 'GET') {
      const found = received.find((s) => s.id === listing[1] && s.accepted);
      return found
        ? send(res, 200, listingPage(found.id, found.fields))
        : send(res, 404, errorPage(['No such listing']));
    }
    const thanks = /^\/thanks\/([\w-]+)$/.exec(path);
    if (thanks && req.method === 'GET') {
      const found = received.find((s) => s.id === thanks[1] && s.accepted);
      return found
        ? send(res, 200, successPage(found.id, found.fields.business_name ?? ''))
        : send(res, 404, errorPage(['Not found']));
    }

    const form = /^\/forms\/([\w-]+)$/.exec(path);
    const spec = form ? FORMS[form[1]!] : undefined;
    if (!form || !spec) return send(res, 404, errorPage(['Page not found']));
    const limited = form[1] === 'rate-limited' ? rateLimit(url) : undefined;
    if (req.method === 'GET') {
      if (limited?.onGet && count(`GET ${url.pathname}${url.search}`) <= limited.times) {
        return tooMany(res, limited.retryAfter);
      }
      return send(res, 200, spec.html(`${url.pathname}${url.search}`));
    }
    if (req.method !== 'POST') return send(res, 405, errorPage(['Method not allowed']));

    const { raw, files } = await parseBody(req, await readBody(req, spec.maxBodyBytes ?? MAX_BODY_BYTES));
    if (form[1] === 'broken-submit') return send(res, 503, errorPage(['Service temporarily unavailable']));
    answerSubmission(res, url.search, form[1]!, spec, raw, files, undefined, limited);
  }

  /**
   * Validates, records and answers a posted form. `query` is the form URL's query: flaky and
   * rate-limited count POSTs per form, query and email.
   */
  function answerSubmission(
    res: ServerResponse,
    query: string,
    formName: string,
    spec: FormSpec,
    raw: Record<string, string>,
    files: UploadedFile[] | undefined,
    account?: string,
    limited?: ReturnType<typeof rateLimit>,
  ): void {
    const fields: Partial<Record<Canonical, string>> = {};
    for (const [name, value] of Object.entries(raw)) {
      const canonical = spec.names[name];
      if (canonical) fields[canonical] = value;
    }
    Object.assign(fields, spec.derive?.(raw));
    const record = (status: number, errors: string[]): DemoSubmission => {
      const submission: DemoSubmission = {
        id: randomUUID().slice(0, 8),
        form: formName,
        receivedAt: new Date().toISOString(),
        accepted: status < 400,
        status,
        errors,
        fields,
        raw,
        // The record keeps what was posted, not the bytes: a hash says which image arrived.
        ...(files ? { files: files.map(({ bytes: _bytes, ...file }) => file) } : {}),
        ...(account ? { account } : {}),
      };
      received.push(submission);
      return submission;
    };
    const perEmail = `POST /forms/${formName}${query} ${(fields.email ?? '').trim().toLowerCase()}`;
    const fail = new URLSearchParams(query).get('fail');
    if (formName === 'flaky' && count(perEmail) <= Number(fail ?? 1)) {
      record(500, ['Internal server error (flaky)']);
      return send(res, 500, errorPage(['Something went wrong on our side. Please try again later.']));
    }
    if (limited && !limited.onGet && count(perEmail) <= limited.times) {
      record(429, ['Too many requests']);
      return tooMany(res, limited.retryAfter);
    }
    const errors = validate(spec, fields, raw, files ?? []);
    const submission = record(errors.length ? 422 : spec.answer === 'json' ? 201 : 200, errors);

    if (spec.answer === 'json') {
      return errors.length
        ? send(res, 422, JSON.stringify({ error: errors.join('; ') }), 'application/json')
        : send(
            res,
            201,
            JSON.stringify({ id: submission.id, listingUrl: `/listings/${submission.id}` }),
            'application/json',
          );
    }
    if (errors.length) return send(res, 422, errorPage(errors));
    if (spec.answer === 'redirect' || spec.answer === 'reference') {
      // Post/Redirect/Get: the thank-you page has its own URL.
      const location =
        spec.answer === 'redirect' ? `/thanks/${submission.id}` : `/thanks?ref=${submission.id}`;
      submission.status = 303;
      res.writeHead(303, { location });
      return void res.end();
    }
    return send(res, 200, successPage(submission.id, fields.business_name ?? ''));
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port: boundPort } = server.address() as AddressInfo;

  return {
    url: `http://${host}:${boundPort}`,
    submissions: () => received.map((s) => structuredClone(s)),
    accounts: () => accountSite.accounts(),
    reset: () => {
      received.length = 0;
      counters.clear();
      accountSite.reset();
    },
    stop: () =>
      new Promise<void>((resolve, reject) => {
        accountSite.close();
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
