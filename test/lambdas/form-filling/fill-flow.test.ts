import { jest } from '@jest/globals';
/**
 * fillAndSubmit (lambdas/form-filling/fill-flow.ts) on real Chromium (@sparticuz/chromium) against
 * the real demo directory site (local/demo-site): one submission per run, beforeSubmit right before
 * the click, CAPTCHAs and opaque forms left to a human, stored mappings winning over detection, the
 * directory's answers (redirects, 422, 429, 5xx) turned into outcomes and errors, and the dry run's
 * report. One browser for the file; a fresh context per test, as in the Lambda.
 */
import { createServer } from 'node:net';
import type { Page } from 'playwright-core';
import { fillAndSubmit, type FillOptions, type FillResult } from '../../../lambdas/form-filling/fill-flow';
import {
  BrowserManager,
  sparticuzExecutablePath,
  type WithContextOptions,
} from '../../../lambdas/browser/browser';
import {
  BusinessProfileSchema,
  PROFILE_FIELDS,
  type FieldMapping,
} from '../../../lambdas/customers/business-profile';
import { classifyError, SubmissionError } from '../../../lambdas/browser/submission-error';
import { startDemoSite, type DemoSite } from '../../../local/demo-site/server';
import { FULL_PROFILE, isPng, PROFILE, RECORDED } from '../../support/business-fixtures';

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

/** Runs `fn` on a new page of a fresh context (closed afterwards). */
function inPage<T>(fn: (page: Page) => Promise<T>, options?: WithContextOptions): Promise<T> {
  return browser.withContext(async (context) => fn(await context.newPage()), options);
}

function submit(path: string, extra: Partial<FillOptions> = {}): Promise<FillResult> {
  return inPage((page) =>
    fillAndSubmit(page, { url: `${site.url}${path}`, profile: PROFILE, timeouts, ...extra }),
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
/** The profile fields PROFILE has, in PROFILE_FIELDS order (how filledFields lists them). */
const PROFILE_KEYS = PROFILE_FIELDS.filter((f) => f in PROFILE);

/** What each control of /forms/plain must be filled with, by its name attribute. */
const PLAIN_FORM: Record<string, { field: string; value: string }> = {
  company: { field: 'business_name', value: PROFILE.business_name },
  contact_email: { field: 'email', value: PROFILE.email },
  phone: { field: 'phone', value: PROFILE.phone },
  site: { field: 'website', value: PROFILE.website },
  street: { field: 'address_line', value: PROFILE.address_line },
  town: { field: 'city', value: PROFILE.city },
  state: { field: 'region', value: PROFILE.region },
  zip: { field: 'postal_code', value: PROFILE.postal_code },
  country: { field: 'country', value: 'US' },
  category: { field: 'category', value: 'plumbing' },
  about: { field: 'description', value: PROFILE.description },
};

/** For each selector: how many elements it finds, and the name and current value of the first. */
function lookUp(
  page: Page,
  selectors: string[],
): Promise<Array<{ count: number; name: string; value: string }>> {
  // Code for the page travels as text (see page-scan.ts: transpilers may inject helpers into functions).
  return page.evaluate(`(${JSON.stringify(selectors)}).map((s) => {
    const all = document.querySelectorAll(s);
    const el = all[0];
    return { count: all.length, name: el ? el.getAttribute('name') || '' : '', value: el && 'value' in el ? String(el.value) : '' };
  })`);
}

/** Removes the plain form's submit button as the page loads: a form whose sending we cannot see. */
const WITHOUT_SUBMIT_BUTTON = `document.addEventListener('DOMContentLoaded', () => {
  document.querySelector('#listing-form button[type=submit]')?.remove();
});`;

// ---------------------------------------------------------------------------------------------
// Submitting
// ---------------------------------------------------------------------------------------------

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
  expect(result.filledFields).toEqual(PROFILE_KEYS);
  expect(result.unmappedRequiredFields).toEqual([]);
  expect(result.mappingSource).toBe('detected');
  expect(result.report.outcome).toBe('submitted');
  expect(isPng(result.screenshot)).toBe(true);
});

test("a profile with every optional field: the plain form gets the same values, nothing lands in another field's box", async () => {
  const result = await submit('/forms/plain', { profile: FULL_PROFILE });

  expect(result.status).toBe('submitted');
  expect(site.submissions()).toHaveLength(1);
  expect(accepted()[0]?.fields).toEqual(RECORDED);
  expect(accepted()[0]?.raw['fax']).toBe('');
  expect(result.filledFields).toEqual(PROFILE_KEYS);
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
  expect(result.report.steps).toBe(1);
});

test('CAPTCHA: needs_manual, beforeSubmit never called, nothing posted', async () => {
  const beforeSubmit = jest.fn<() => void>();
  const result = await submit('/forms/captcha', { beforeSubmit });

  expect(result.status).toBe('needs_manual');
  expect(result.reason).toMatch(/CAPTCHA/);
  expect(result.report.outcome).toBe('needs_manual');
  expect(result.report.humanCheck).toEqual(expect.any(String));
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

test('opaque form without a mapping: no form fits the profile (permanent), nothing posted', async () => {
  const beforeSubmit = jest.fn<() => void>();
  const error = await failure(submit('/forms/mapped', { beforeSubmit }));

  expect(error).toMatchObject({ kind: 'permanent', code: 'form_not_found', submitAttempted: false });
  expect(beforeSubmit).not.toHaveBeenCalled();
  expect(site.submissions()).toHaveLength(0);
});

test('stored mapping: used where detection cannot place fields, success rule decides', async () => {
  const result = await submit('/forms/mapped', { fieldMapping: MAPPED });

  expect(result.status).toBe('submitted');
  expect(result.reason).toMatch(/success rule/);
  expect(result.mappingSource).toBe('stored');
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

test('an error thrown by beforeSubmit propagates unchanged and nothing is posted', async () => {
  const leaseLost = new Error('lease lost');
  await expect(submit('/forms/plain', { beforeSubmit: () => Promise.reject(leaseLost) })).rejects.toBe(
    leaseLost,
  );
  expect(site.submissions()).toHaveLength(0);
});

test('choices: selects, a radio group by its legend, the required terms box ticked, the newsletter left alone', async () => {
  const result = await submit('/forms/choices');

  expect(result.unmappedRequiredFields).toEqual([]);
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

test('a description with markup reaches the directory as plain text', async () => {
  const profile = BusinessProfileSchema.parse({
    ...PROFILE,
    description: '<p>Family-owned <b>plumbing</b></p><script>alert(1)</script><img src=x onerror=alert(2)>',
  });
  const result = await submit('/forms/plain', { profile });
  expect(result.status).toBe('submitted');
  expect(accepted()[0]?.fields.description).toBe('Family-owned plumbing');
});

test('no submit button on the form: permanent form_not_found, beforeSubmit not called, nothing posted', async () => {
  const beforeSubmit = jest.fn<() => void>();
  const error = await failure(
    browser.withContext(async (context) => {
      await context.addInitScript(WITHOUT_SUBMIT_BUTTON);
      return fillAndSubmit(await context.newPage(), {
        url: `${site.url}/forms/plain`,
        profile: PROFILE,
        timeouts,
        beforeSubmit,
      });
    }),
  );
  expect(error).toMatchObject({ kind: 'permanent', code: 'form_not_found', submitAttempted: false });
  expect(error.message).toMatch(/submit button/);
  expect(beforeSubmit).not.toHaveBeenCalled();
  expect(site.submissions()).toHaveLength(0);
});

// ---------------------------------------------------------------------------------------------
// Dry runs and the report
// ---------------------------------------------------------------------------------------------

test('dry run: everything filled, nothing submitted, beforeSubmit never called', async () => {
  const beforeSubmit = jest.fn<() => void>();
  const result = await submit('/forms/plain', { dryRun: true, beforeSubmit });

  expect(result.status).toBe('needs_manual');
  expect(result.reason).toMatch(/dry run/);
  expect(result.filledFields).toEqual(PROFILE_KEYS);
  expect(result.report.outcome).toBe('filled');
  expect(result.report.wouldHaveSent).toEqual([]);
  expect(beforeSubmit).not.toHaveBeenCalled();
  expect(site.submissions()).toHaveLength(0);
});

test('dry run report on the plain form: every control with a selector that finds it, what it was filled with and why; the submit button chosen', async () => {
  const { result, controls, buttons } = await inPage(async (page) => {
    const result = await fillAndSubmit(page, {
      url: `${site.url}/forms/plain`,
      profile: PROFILE,
      timeouts,
      dryRun: true,
    });
    const controls = await lookUp(
      page,
      result.report.controls.map((c) => c.selector),
    );
    const buttons = await page.evaluate<Array<{ count: number; form: string; text: string }>>(
      `(${JSON.stringify(result.report.buttons.map((b) => b.selector))}).map((s) => {
        const all = document.querySelectorAll(s);
        const el = all[0];
        return { count: all.length, form: el && el.closest('form') ? el.closest('form').id : '', text: el ? el.textContent.trim() : '' };
      })`,
    );
    return { result, controls, buttons };
  });
  const { report } = result;

  expect(report.outcome).toBe('filled');
  expect(report.container).toMatchObject({ selector: '#listing-form', purpose: 'listing' });
  // Every selector finds exactly one element, and the reported value is what that element holds.
  for (const [i, control] of report.controls.entries()) {
    expect({ selector: control.selector, found: controls[i]?.count }).toEqual({
      selector: control.selector,
      found: 1,
    });
    if (control.value !== null) expect(controls[i]?.value).toBe(control.value);
  }
  // Every field of the form is listed once, with its value, where its kind came from and how sure.
  const names = controls.map((c) => c.name);
  const byName = new Map(report.controls.map((c, i) => [names[i], c]));
  expect(names.filter((n) => n in PLAIN_FORM).sort()).toEqual(Object.keys(PLAIN_FORM).sort());
  for (const [name, { value }] of Object.entries(PLAIN_FORM)) {
    const control = byName.get(name);
    expect({ name, value: control?.value }).toEqual({ name, value });
    expect(control?.source).toEqual(expect.any(String));
    expect(control?.confidence).toBeGreaterThan(0);
    expect(control?.confidence).toBeLessThanOrEqual(1);
  }
  expect(byName.get('company')?.label).toMatch(/^Company name/);
  // The off-screen honeypot is listed as what it is, and left empty.
  expect(byName.get('fax')).toMatchObject({ field: null, recognized_as: 'honeypot', value: null });
  expect(report.controls).toHaveLength(Object.keys(PLAIN_FORM).length + 1);
  // One button chosen: the form's own submit, not the header's Search.
  const chosen = report.buttons.filter((b) => b.chosen);
  expect(chosen).toHaveLength(1);
  expect(chosen[0]).toMatchObject({ role: 'submit', text: 'Submit listing' });
  expect(buttons[report.buttons.indexOf(chosen[0]!)]).toEqual({
    count: 1,
    form: 'listing-form',
    text: 'Submit listing',
  });
  expect(report.wouldHaveSent).toEqual([]);
  expect(site.submissions()).toHaveLength(0);
  // The kind of each field (last: the autocomplete="address-line1" box is line 1, as its token says).
  expect(Object.fromEntries(Object.keys(PLAIN_FORM).map((name) => [name, byName.get(name)?.field]))).toEqual(
    Object.fromEntries(Object.entries(PLAIN_FORM).map(([name, { field }]) => [name, field])),
  );
  expect(byName.get('street')?.source).toBe('autocomplete');
});

test("the dry run's proposed mapping, stored as the directory's mapping, fills the same controls and submits exactly once", async () => {
  const dry = await submit('/forms/plain', { dryRun: true });
  const proposed = dry.report.proposedMapping;
  expect(proposed).not.toBeNull();
  const chosenButton = dry.report.buttons.find((b) => b.chosen);
  expect(proposed?.submit).toBe(chosenButton?.selector);
  const filled = dry.report.controls.filter((c) => c.value !== null);
  expect(Object.entries(proposed?.fields ?? {}).sort()).toEqual(
    filled.map((c) => [c.field, c.selector]).sort(),
  );
  expect(site.submissions()).toHaveLength(0);

  let before = 0;
  const result = await submit('/forms/plain', {
    fieldMapping: proposed,
    beforeSubmit: () => void (before += 1),
  });

  expect(result.status).toBe('submitted');
  expect(result.mappingSource).toBe('stored');
  expect(before).toBe(1);
  expect(site.submissions()).toHaveLength(1);
  expect(accepted()[0]?.fields).toEqual(RECORDED);
  expect(result.filledFields).toEqual(dry.filledFields);
  expect(
    result.report.controls
      .filter((c) => c.value !== null)
      .map((c) => [c.selector, c.field, c.value])
      .sort(),
  ).toEqual(filled.map((c) => [c.selector, c.field, c.value]).sort());
});

test('dry run on a form without a submit button: reported, not thrown; the values stay on the page', async () => {
  const result = await browser.withContext(async (context) => {
    await context.addInitScript(WITHOUT_SUBMIT_BUTTON);
    return fillAndSubmit(await context.newPage(), {
      url: `${site.url}/forms/plain`,
      profile: PROFILE,
      timeouts,
      dryRun: true,
    });
  });

  expect(result.status).toBe('needs_manual');
  expect(result.reason).toMatch(/no submit button/);
  expect(result.report.outcome).toBe('filled');
  expect(result.report.buttons.filter((b) => b.chosen)).toEqual([]);
  expect(result.report.controls.filter((c) => c.value !== null)).toHaveLength(Object.keys(PLAIN_FORM).length);
  expect(result.report.proposedMapping?.submit).toBeUndefined();
  expect(result.filledFields).toEqual(PROFILE_KEYS);
  expect(site.submissions()).toHaveLength(0);
});

test('dry run on the multi-step form: a client-side Next is taken, both steps filled, nothing sent', async () => {
  const result = await submit('/forms/multi-step', { dryRun: true });

  expect(result.report.outcome).toBe('filled');
  expect(result.report.steps).toBe(1);
  expect(result.filledFields).toEqual(PROFILE_KEYS);
  expect(result.report.buttons.find((b) => b.chosen)).toMatchObject({ role: 'submit', text: 'Submit' });
  expect(result.report.wouldHaveSent).toEqual([]);
  expect(site.submissions()).toHaveLength(0);
});

test('dry run on the CAPTCHA form: filled for the report, needs_manual before any button, nothing sent', async () => {
  const result = await submit('/forms/captcha', { dryRun: true });

  expect(result.status).toBe('needs_manual');
  expect(result.reason).toMatch(/CAPTCHA/);
  expect(result.report.outcome).toBe('needs_manual');
  expect(result.report.humanCheck).toEqual(expect.any(String));
  expect(result.filledFields).toEqual(['business_name', 'email', 'phone', 'website', 'city']);
  expect(result.report.proposedMapping?.fields).toEqual(
    expect.objectContaining({ business_name: '#bn', email: '#e', phone: '#p', website: '#w', city: '#c' }),
  );
  expect(result.report.wouldHaveSent).toEqual([]);
  expect(site.submissions()).toHaveLength(0);
});

test('dry run on the opaque form: no_form, reported rather than thrown', async () => {
  const result = await submit('/forms/mapped', { dryRun: true });

  expect(result.status).toBe('needs_manual');
  expect(result.report.outcome).toBe('no_form');
  expect(result.report.proposedMapping).toBeNull();
  expect(site.submissions()).toHaveLength(0);
});

// ---------------------------------------------------------------------------------------------
// Failures: the directory's answers and the network
// ---------------------------------------------------------------------------------------------

test('unreachable URL: transient network error', async () => {
  const port = await closedPort();
  const error = await failure(
    inPage((page) =>
      fillAndSubmit(page, { url: `http://127.0.0.1:${port}/forms/plain`, profile: PROFILE, timeouts }),
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
    inPage((page) => fillAndSubmit(page, { url: `${site.url}/forms/plain`, profile: PROFILE, timeouts }), {
      allowRequest: (url) => !new URL(url).hostname.startsWith('127.'),
    }),
  );
  expect(error).toMatchObject({ kind: 'permanent', code: 'blocked' });
  expect(site.submissions()).toHaveLength(0);
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

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
