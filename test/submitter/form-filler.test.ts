import { jest } from '@jest/globals';
/**
 * fillAndSubmit on real Chromium (@sparticuz/chromium) against the real demo directory site.
 * One browser for the file; a fresh context per test, as in the Lambda.
 */
import { createServer } from 'node:net';
import { BrowserManager, sparticuzExecutablePath } from '../../lambdas/submitter/browser';
import { BusinessProfileSchema, type FieldMapping } from '../../lambdas/submitter/business-profile';
import {
  fillAndSubmit,
  SubmissionError,
  classifyError,
  type FillOptions,
  type FillResult,
} from '../../lambdas/submitter/form-filler';
import { startDemoSite, type DemoSite } from '../../local/demo-site/server';

import { isPng, PROFILE, RECORDED } from './fixtures';

let site: DemoSite;
let browser: BrowserManager;
const timeouts = { navigationMs: 8_000, actionMs: 3_000 };

beforeAll(async () => {
  [site] = await Promise.all([startDemoSite(), sparticuzExecutablePath()]);
  browser = new BrowserManager({ resolveExecutablePath: sparticuzExecutablePath });
  await browser.getBrowser();
});
afterAll(async () => {
  await browser?.close();
  await site?.stop();
});
beforeEach(() => site.reset());

function submit(path: string, extra: Partial<FillOptions> = {}): Promise<FillResult> {
  return browser.withContext((context) =>
    context
      .newPage()
      .then((page) =>
        fillAndSubmit(page, { url: `${site.url}${path}`, profile: PROFILE, timeouts, ...extra }),
      ),
  );
}

async function failure(promise: Promise<unknown>): Promise<SubmissionError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SubmissionError);
  return error as SubmissionError;
}

const accepted = () => site.submissions().filter((s) => s.accepted);

test('plain form: detected by names and labels, submitted exactly once, listing link captured', async () => {
  const calls: number[] = [];
  const result = await submit('/forms/plain', {
    beforeSubmit: () => {
      calls.push(site.submissions().length); // nothing may have been posted yet
    },
  });

  expect(result.status).toBe('submitted');
  expect(calls).toEqual([0]);
  expect(site.submissions()).toHaveLength(1);
  const [submission] = accepted();
  expect(submission?.fields).toEqual(RECORDED);
  expect(submission?.raw['fax']).toBe(''); // the off-screen honeypot stays empty
  expect(result.listingUrl).toBe(`${site.url}/listings/${submission?.id}`);
  expect(result.filledFields.sort()).toEqual(Object.keys(PROFILE).sort());
  expect(result.unmappedRequiredFields).toEqual([]);
  expect(isPng(result.screenshot)).toBe(true);
});

test('labels-only form: fields found by label text, aria-labelledby, aria-label and placeholder; in-page confirmation', async () => {
  const result = await submit('/forms/labels-only');

  expect(result.status).toBe('submitted');
  expect(result.reason).toMatch(/confirmation/);
  expect(site.submissions()).toHaveLength(1);
  const [submission] = accepted();
  expect(submission?.fields).toEqual(RECORDED);
  expect(result.listingUrl).toBe(`${site.url}/listings/${submission?.id}`);
});

test('multi-step form: Next until Submit shows, every step filled, one submission', async () => {
  let before = 0;
  const result = await submit('/forms/multi-step', { beforeSubmit: () => void (before += 1) });

  expect(result.status).toBe('submitted');
  expect(before).toBe(1);
  expect(site.submissions()).toHaveLength(1);
  expect(accepted()[0]?.fields).toEqual(RECORDED);
  expect(result.listingUrl).toMatch(/\/listings\/\w+$/);
});

test('CAPTCHA: needs_manual, beforeSubmit never called, nothing posted', async () => {
  const beforeSubmit = jest.fn<() => void>();
  const result = await submit('/forms/captcha', { beforeSubmit });

  expect(result.status).toBe('needs_manual');
  expect(result.reason).toMatch(/CAPTCHA/);
  expect(beforeSubmit).not.toHaveBeenCalled();
  expect(site.submissions()).toHaveLength(0);
  expect(isPng(result.screenshot)).toBe(true);
});

const MAPPED: FieldMapping = {
  fields: {
    business_name: '[name="f1"]',
    email: '[name="f2"]',
    phone: '[name="f3"]',
    website: '[name="f4"]',
    city: '[name="f5"]',
  },
  submit: 'button.go',
  success: { selector: '#done', text: 'Thank you' },
};

test('opaque form without a mapping: required fields reported unmapped, nothing posted', async () => {
  const result = await submit('/forms/mapped');

  expect(result.status).toBe('needs_manual');
  expect(result.unmappedRequiredFields).toHaveLength(3);
  expect(site.submissions()).toHaveLength(0);
});

test('stored mapping: used where detection cannot place fields, success rule decides', async () => {
  const result = await submit('/forms/mapped', { fieldMapping: MAPPED });

  expect(result.status).toBe('submitted');
  expect(result.reason).toMatch(/success rule/);
  expect(result.filledFields).toEqual(['business_name', 'email', 'phone', 'website', 'city']);
  expect(accepted()).toHaveLength(1);
  expect(accepted()[0]?.fields).toEqual({
    business_name: PROFILE.business_name,
    email: PROFILE.email,
    phone: PROFILE.phone,
    website: PROFILE.website,
    city: PROFILE.city,
  });
});

test('stored mapping wins over detection: only mapped fields are filled', async () => {
  const mapping: FieldMapping = {
    fields: {
      business_name: '#company',
      email: '#contact_email',
      phone: '#phone',
      city: '#town',
      category: '#category',
    },
  };
  const result = await submit('/forms/plain', { fieldMapping: mapping });

  expect(result.status).toBe('submitted');
  expect(result.filledFields).toEqual(['business_name', 'email', 'phone', 'city', 'category']);
  const [submission] = accepted();
  expect(submission?.raw['site']).toBe(''); // detection would have filled the website
  expect(submission?.fields.category).toBe('plumbing');
});

test('dry run: everything filled, nothing submitted', async () => {
  const beforeSubmit = jest.fn<() => void>();
  const result = await submit('/forms/plain', { dryRun: true, beforeSubmit });

  expect(result.status).toBe('needs_manual');
  expect(result.reason).toMatch(/dry run/);
  expect(result.filledFields).toHaveLength(11);
  expect(beforeSubmit).not.toHaveBeenCalled();
  expect(site.submissions()).toHaveLength(0);
});

test('an error thrown by beforeSubmit propagates unchanged and nothing is posted', async () => {
  const leaseLost = new Error('lease lost');
  await expect(submit('/forms/plain', { beforeSubmit: () => Promise.reject(leaseLost) })).rejects.toBe(
    leaseLost,
  );
  expect(site.submissions()).toHaveLength(0);
});

test('unreachable URL: transient network error', async () => {
  const port = await closedPort();
  const error = await failure(
    browser.withContext(async (context) =>
      fillAndSubmit(await context.newPage(), {
        url: `http://127.0.0.1:${port}/forms/plain`,
        profile: PROFILE,
        timeouts,
      }),
    ),
  );
  expect(error.kind).toBe('transient');
  expect(error.code).toBe('network');
  expect(classifyError(error)).toBe('transient');
});

test('404 form page: permanent', async () => {
  const error = await failure(submit('/forms/does-not-exist'));
  expect(error).toMatchObject({
    kind: 'permanent',
    code: 'http_status',
    status: 404,
    submitAttempted: false,
  });
});

test('503 form page: transient', async () => {
  const error = await failure(submit('/forms/unavailable'));
  expect(error).toMatchObject({ kind: 'transient', code: 'http_status', status: 503 });
});

test('slow page past the navigation timeout: transient', async () => {
  const error = await failure(
    submit('/forms/slow?ms=3000', { timeouts: { navigationMs: 500, actionMs: 500 } }),
  );
  expect(error).toMatchObject({ kind: 'transient', code: 'navigation_timeout' });
});

test('server-side validation rejects the submission (422): permanent, with the directory message', async () => {
  const error = await failure(submit('/forms/plain', { profile: { ...PROFILE, phone: '12' } }));
  expect(error).toMatchObject({
    kind: 'permanent',
    code: 'validation_rejected',
    status: 422,
    submitAttempted: true,
  });
  expect(error.message).toMatch(/at least 7 digits/);
  expect(site.submissions().map((s) => s.accepted)).toEqual([false]);
  expect(error.screenshot && isPng(error.screenshot)).toBe(true);
});

test('the browser refuses the values (invalid email): permanent, beforeSubmit not called, nothing posted', async () => {
  const beforeSubmit = jest.fn<() => void>();
  const error = await failure(
    submit('/forms/plain', { profile: { ...PROFILE, email: 'not-an-email' }, beforeSubmit }),
  );
  expect(error).toMatchObject({ kind: 'permanent', code: 'validation_rejected', submitAttempted: false });
  expect(beforeSubmit).not.toHaveBeenCalled();
  expect(site.submissions()).toHaveLength(0);
});

test('5xx answer to the POST: transient, marked as submit attempted', async () => {
  const error = await failure(submit('/forms/broken-submit'));
  expect(error).toMatchObject({ kind: 'transient', code: 'http_status', status: 503, submitAttempted: true });
});

test('a URL refused by the request guard (SSRF): permanent, never fetched', async () => {
  const error = await failure(
    browser.withContext(
      async (context) =>
        fillAndSubmit(await context.newPage(), {
          url: `${site.url}/forms/plain`,
          profile: PROFILE,
          timeouts,
        }),
      { allowRequest: (url) => !new URL(url).hostname.startsWith('127.') },
    ),
  );
  expect(error).toMatchObject({ kind: 'permanent', code: 'blocked' });
  expect(site.submissions()).toHaveLength(0);
});

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

test('choices: selects, a radio group by its legend, the required terms box ticked, the newsletter left alone', async () => {
  const result = await submit('/forms/choices');

  expect(result.status).toBe('submitted');
  const [submission] = accepted();
  expect(submission?.fields).toMatchObject({ category: 'plumbing', region: 'TX', country: 'US' });
  expect(submission?.raw).toMatchObject({ terms: 'accepted', contact_method: 'email' });
  expect(submission?.raw['newsletter']).toBeUndefined();
  expect(result.consentsGiven).toEqual(['I accept the terms and conditions']);
  expect(result.filledFields).toEqual(expect.arrayContaining(['category', 'region', 'country']));
});

test('success shown only by a redirect (303 to /thanks?ref=...): submitted, listing link captured', async () => {
  const result = await submit('/forms/redirect');

  expect(result.status).toBe('submitted');
  expect(result.reason).toMatch(/moved on/);
  const [submission] = accepted();
  expect(result.listingUrl).toBe(`${site.url}/listings/${submission?.id}`);
});

test('429 to the POST: rate_limited (transient) with the Retry-After seconds, submit attempted', async () => {
  const error = await failure(submit('/forms/rate-limited?retry_after=42&times=1'));
  expect(error).toMatchObject({
    kind: 'transient',
    code: 'rate_limited',
    status: 429,
    retryAfterSeconds: 42,
    submitAttempted: true,
  });
  expect(classifyError(error)).toBe('transient');
});

test('429 to the GET of the form, Retry-After as an HTTP date: rate_limited before anything was submitted', async () => {
  const error = await failure(submit('/forms/rate-limited?retry_after_date=120&times=1&on=get'));
  expect(error).toMatchObject({
    kind: 'transient',
    code: 'rate_limited',
    status: 429,
    submitAttempted: false,
  });
  expect(error.retryAfterSeconds).toBeGreaterThanOrEqual(110);
  expect(error.retryAfterSeconds).toBeLessThanOrEqual(120);
  expect(site.submissions()).toHaveLength(0);
});

test('server-side validation (422 with a reason): permanent, the reason kept', async () => {
  const error = await failure(submit('/forms/validation'));
  expect(error).toMatchObject({ kind: 'permanent', code: 'validation_rejected', status: 422 });
  expect(error.message).toMatch(/Canadian/);
});

test('flaky directory: the first POST answers 500 (transient), the retry with the same email is accepted', async () => {
  const error = await failure(submit('/forms/flaky?fail=1'));
  expect(error).toMatchObject({ kind: 'transient', code: 'http_status', status: 500, submitAttempted: true });
  const result = await submit('/forms/flaky?fail=1');
  expect(result.status).toBe('submitted');
  expect(site.submissions().map((s) => s.status)).toEqual([500, 303]);
});

test('a description with markup reaches the directory as plain text', async () => {
  const profile = BusinessProfileSchema.parse({
    ...PROFILE,
    description: '<p>Family-owned <b>plumbing</b></p><script>alert(1)</script><img src=x onerror=alert(2)>',
  });
  const result = await submit('/forms/plain', { profile });
  expect(result.status).toBe('submitted');
  expect(accepted()[0]?.fields.description).toBe('Family-owned plumbing');
});
