/**
 * The demo directory site: a node:http server on 127.0.0.1 with realistic submission forms, so the
 * submitter runs against a real browser and a real HTTP server on one machine (no internet).
 *
 * Every POST is validated server-side as a directory would (required fields, a valid email, a
 * plausible phone) and recorded, accepted or not, so tests can assert a submission arrived exactly
 * once with the right values — or never arrived. Recorded submissions: `submissions()` in process,
 * `GET /_submissions` (JSON) over HTTP, `DELETE /_submissions` to clear.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  captchaForm,
  errorPage,
  indexPage,
  labelsOnlyForm,
  listingPage,
  mappedForm,
  multiStepForm,
  plainForm,
  successPage,
} from './forms';

/** The profile's field names: every form's posted names are translated to these when recorded. */
type Canonical =
  | 'business_name'
  | 'email'
  | 'phone'
  | 'website'
  | 'address_line'
  | 'city'
  | 'region'
  | 'postal_code'
  | 'country'
  | 'category'
  | 'description';

export interface DemoSubmission {
  id: string;
  /** Which form was posted, e.g. "plain". */
  form: string;
  receivedAt: string;
  accepted: boolean;
  errors: string[];
  /** Posted values under the profile's field names. */
  fields: Partial<Record<Canonical, string>>;
  /** Posted values as the form named them. */
  raw: Record<string, string>;
}

export interface DemoSite {
  /** Base URL, e.g. http://127.0.0.1:40123 (no trailing slash). */
  url: string;
  /** Every POST received so far, in order (accepted or rejected). */
  submissions(): DemoSubmission[];
  /** Forget recorded submissions. */
  reset(): void;
  stop(): Promise<void>;
}

export interface DemoSiteOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
}

interface FormSpec {
  html: () => string;
  /** posted name -> profile field */
  names: Record<string, Canonical>;
  required: Canonical[];
  /** Answer: redirect to a thank-you page, render it in place, or JSON for script-driven forms. */
  answer: 'redirect' | 'render' | 'json';
  /** Extra checks a directory makes (honeypot, captcha). */
  check?: (raw: Record<string, string>) => string[];
}

const identity = (names: Canonical[]): Record<string, Canonical> =>
  Object.fromEntries(names.map((n) => [n, n])) as Record<string, Canonical>;
const ALL: Canonical[] = [
  'business_name',
  'email',
  'phone',
  'website',
  'address_line',
  'city',
  'region',
  'postal_code',
  'country',
  'category',
  'description',
];

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
};

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const MAX_BODY_BYTES = 64 * 1024;

function validate(
  spec: FormSpec,
  fields: Partial<Record<Canonical, string>>,
  raw: Record<string, string>,
): string[] {
  const errors: string[] = [];
  for (const name of spec.required) {
    if (!fields[name]?.trim()) errors.push(`${name} is required`);
  }
  if (fields.email && !EMAIL.test(fields.email)) errors.push('email is not a valid email address');
  if (fields.phone && fields.phone.replace(/\D/g, '').length < 7)
    errors.push('phone must have at least 7 digits');
  errors.push(...(spec.check?.(raw) ?? []));
  return errors;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw Object.assign(new Error('body too large'), { status: 413 });
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseBody(req: IncomingMessage, body: string): Record<string, string> {
  if ((req.headers['content-type'] ?? '').includes('application/json')) {
    const parsed: unknown = JSON.parse(body || '{}');
    if (!parsed || typeof parsed !== 'object') return {};
    return Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, String(v ?? '')]));
  }
  return Object.fromEntries(new URLSearchParams(body));
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

export async function startDemoSite(options: DemoSiteOptions = {}): Promise<DemoSite> {
  const host = options.host ?? '127.0.0.1';
  const received: DemoSubmission[] = [];

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      const status = (err as { status?: number }).status ?? 500;
      if (!res.headersSent)
        send(res, status, errorPage([status === 413 ? 'Request too large' : 'Server error']));
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://demo.invalid');
    const path = url.pathname;

    if (path === '/_submissions') {
      if (req.method === 'DELETE') {
        received.length = 0;
        return send(res, 204, '');
      }
      return send(res, 200, JSON.stringify(received), 'application/json');
    }
    if (path === '/' && req.method === 'GET') {
      return send(res, 200, indexPage(Object.keys(FORMS).map((f) => `/forms/${f}`)));
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
    if (req.method === 'GET') return send(res, 200, spec.html());
    if (req.method !== 'POST') return send(res, 405, errorPage(['Method not allowed']));

    const raw = parseBody(req, await readBody(req));
    if (form[1] === 'broken-submit') return send(res, 503, errorPage(['Service temporarily unavailable']));
    const fields: Partial<Record<Canonical, string>> = {};
    for (const [name, value] of Object.entries(raw)) {
      const canonical = spec.names[name];
      if (canonical) fields[canonical] = value;
    }
    const errors = validate(spec, fields, raw);
    const submission: DemoSubmission = {
      id: randomUUID().slice(0, 8),
      form: form[1]!,
      receivedAt: new Date().toISOString(),
      accepted: errors.length === 0,
      errors,
      fields,
      raw,
    };
    received.push(submission);

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
    if (spec.answer === 'redirect') {
      // Post/Redirect/Get: the thank-you page has its own URL.
      res.writeHead(303, { location: `/thanks/${submission.id}` });
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
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://${host}:${port}`,
    submissions: () => received.map((s) => structuredClone(s)),
    reset: () => {
      received.length = 0;
    },
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
