/**
 * The form-filling engine's dry run on our own fixture pages (test/lambdas/form-filling/pages), one page per
 * real-world pattern and language, on real Chromium (@sparticuz/chromium).
 *
 * Each `<name>.html` comes with `<name>.expected.json`: the kind every visible control must be filled
 * as (or null: left as it was), a few exact values, the button the engine must choose, and the
 * outcome. A node:http server on loopback serves the pages and records every request to /record*:
 * every form, fetch, beacon and ping of the pages goes there, so "the dry run sent nothing" is
 * "nothing was recorded".
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { FILLABLE_KINDS } from '../../../lambdas/form-filling/field-kinds';
import { fillAndSubmit } from '../../../lambdas/form-filling/fill-flow';
import { BrowserManager, sparticuzExecutablePath } from '../../../lambdas/browser/browser';
import {
  BusinessProfileSchema,
  type BusinessProfile,
  type FieldMapping,
} from '../../../lambdas/customers/business-profile';

const PAGES_DIR = path.join(import.meta.dirname, 'pages');
const PROFILE: BusinessProfile = BusinessProfileSchema.parse(
  JSON.parse(readFileSync(path.join(PAGES_DIR, 'profile.json'), 'utf8')),
);
const TIMEOUTS = { navigationMs: 8_000, actionMs: 3_000 };
/** Time for late requests (beacons, debounced handlers) to arrive before "nothing was sent" is checked. */
const SETTLE_MS = 700;

// ---------------------------------------------------------------------------------------------
// What the fixtures expect, and what the engine reports (its API, as the engine documents it)
// ---------------------------------------------------------------------------------------------

type ExpectedOutcome = 'filled' | 'needs_manual' | 'stopped_before_sending';

interface Expected {
  pattern: string;
  language: string;
  fields: Record<string, string | null>;
  values?: Record<string, string>;
  submit: string | null;
  next: string | null;
  outcome: ExpectedOutcome;
  sendsOnNext: boolean;
}

/**
 * What the runner reads of the engine's result: a structural subset of fill-flow's FillResult, kept
 * local so the fixtures do not depend on the report's other fields.
 */
interface ReportControl {
  selector: string;
  label: string;
  field: string | null;
  source: string | null;
  skipped?: string;
}

interface ReportButton {
  selector: string;
  text: string;
  role: 'submit' | 'next' | 'other';
  chosen: boolean;
}

interface DryRunReport {
  controls: ReportControl[];
  buttons: ReportButton[];
  wouldHaveSent: Array<{ method: string; url: string; kind: string }>;
  /** 'filled' | 'needs_manual' | 'stopped_before_sending' | 'failed' (and the engine's other outcomes). */
  outcome: string;
  proposedMapping: { fields: Partial<Record<string, string>>; submit?: string } | null;
}

interface DryRunResult {
  status: 'submitted' | 'needs_manual' | 'failed';
  reason?: string;
  report: DryRunReport;
}

const PAGE_NAMES = readdirSync(PAGES_DIR)
  .filter((file) => file.endsWith('.html'))
  .map((file) => file.slice(0, -'.html'.length))
  .sort();

function loadExpected(name: string): Expected {
  return JSON.parse(readFileSync(path.join(PAGES_DIR, `${name}.expected.json`), 'utf8')) as Expected;
}

// ---------------------------------------------------------------------------------------------
// The recording server
// ---------------------------------------------------------------------------------------------

interface RecordedRequest {
  method: string;
  url: string;
  body: string;
}

let server: Server;
let baseUrl: string;
let recorded: RecordedRequest[] = [];

function handle(req: IncomingMessage, res: ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const url = new URL(req.url ?? '/', 'http://fixture.invalid');
    if (url.pathname === '/record' || url.pathname.startsWith('/record/')) {
      recorded.push({
        method: req.method ?? '?',
        url: `${url.pathname}${url.search}`,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end('<!DOCTYPE html><title>Received</title><p>Thank you, we received your submission.</p>');
      return;
    }
    const page = /^\/([a-z0-9-]+)\.html$/.exec(url.pathname)?.[1];
    if (req.method === 'GET' && page && PAGE_NAMES.includes(page)) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(readFileSync(path.join(PAGES_DIR, `${page}.html`)));
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found');
  });
}

let browser: BrowserManager;

beforeAll(async () => {
  server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await sparticuzExecutablePath();
  browser = new BrowserManager({ resolveExecutablePath: sparticuzExecutablePath });
  await browser.getBrowser();
});

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
});

beforeEach(() => {
  recorded = [];
});

// ---------------------------------------------------------------------------------------------
// Reading the page after the dry run
// ---------------------------------------------------------------------------------------------

/** One control's state as the DOM has it. */
interface ControlState {
  found: number; // how many elements the expected selector matches (must be 1)
  tag: string;
  type: string;
  value: string;
  /** Unchanged from the page's own default (value attribute, default option, checked attribute, no file). */
  pristine: boolean;
  /** Holds something: text, a real option (not a placeholder), a checked box, a file. */
  filled: boolean;
  valid: boolean;
  fitsMaxLength: boolean;
  /** Index in report.controls of the control that is this element, -1 if none. */
  control: number;
}

interface PageState {
  /** Where the page is after the run (a guard that aborts a form's navigation leaves Chromium's error page). */
  url: string;
  controls: Record<string, ControlState>;
  /** Selector given -> does it resolve to the same element as `of`? */
  same: Record<string, boolean>;
  /** Visible controls that no `fields` selector names (a fixture must list them all). */
  unlisted: string[];
}

interface ReadRequest {
  selectors: string[];
  reportSelectors: string[];
  pairs: Array<[string, string]>;
}

/** Runs in the page. Self-contained: it is serialized into the browser. */
function readPage({ selectors, reportSelectors, pairs }: ReadRequest): PageState {
  const query = (selector: string): Element | null => {
    try {
      return document.querySelector(selector);
    } catch {
      return null;
    }
  };
  const reportElements = reportSelectors.map(query);
  const PLACEHOLDER_VALUES = ['', '0', '-1'];
  const state = (selector: string): ControlState => {
    let found = 0;
    try {
      found = document.querySelectorAll(selector).length;
    } catch {
      found = 0;
    }
    const el = query(selector);
    const base = { found, control: el ? reportElements.indexOf(el) : -1 };
    if (el instanceof HTMLSelectElement) {
      const options = Array.from(el.options);
      let defaultIndex = -1;
      options.forEach((option, i) => {
        if (option.defaultSelected) defaultIndex = i;
      });
      if (defaultIndex < 0 && !el.multiple && el.size <= 1)
        defaultIndex = options.findIndex((o) => !o.disabled);
      const selected = el.selectedIndex >= 0 ? options[el.selectedIndex] : undefined;
      return {
        ...base,
        tag: 'select',
        type: el.type,
        value: el.value,
        pristine: el.selectedIndex === defaultIndex,
        filled: !!selected && !selected.disabled && !PLACEHOLDER_VALUES.includes(selected.value),
        valid: el.validity.valid,
        fitsMaxLength: true,
      };
    }
    if (el instanceof HTMLInputElement) {
      const checkable = el.type === 'checkbox' || el.type === 'radio';
      const file = el.type === 'file';
      return {
        ...base,
        tag: 'input',
        type: el.type,
        value: file ? String(el.files?.length ?? 0) : el.value,
        pristine: checkable
          ? el.checked === el.defaultChecked
          : file
            ? (el.files?.length ?? 0) === 0
            : el.value === el.defaultValue,
        filled: checkable ? el.checked : file ? el.files?.length === 1 : el.value.trim() !== '',
        valid: el.validity.valid,
        fitsMaxLength: el.maxLength < 0 || el.value.length <= el.maxLength,
      };
    }
    if (el instanceof HTMLTextAreaElement) {
      return {
        ...base,
        tag: 'textarea',
        type: 'textarea',
        value: el.value,
        pristine: el.value === el.defaultValue,
        filled: el.value.trim() !== '',
        valid: el.validity.valid,
        fitsMaxLength: el.maxLength < 0 || el.value.length <= el.maxLength,
      };
    }
    return {
      ...base,
      tag: el ? el.tagName.toLowerCase() : '',
      type: '',
      value: '',
      pristine: true,
      filled: false,
      valid: true,
      fitsMaxLength: true,
    };
  };

  const controls: Record<string, ControlState> = {};
  for (const selector of selectors) controls[selector] = state(selector);

  const same: Record<string, boolean> = {};
  for (const [a, b] of pairs) {
    const x = query(a);
    same[`${a} == ${b}`] = x !== null && x === query(b);
  }

  const listed = new Set(selectors.map(query).filter((el): el is Element => el !== null));
  const describe = (el: Element): string => {
    const id = el.getAttribute('id');
    const name = el.getAttribute('name');
    return `${el.tagName.toLowerCase()}${id ? `#${id}` : ''}${name ? `[name="${name}"]` : ''}`;
  };
  const unlisted = Array.from(document.querySelectorAll('input, select, textarea'))
    .filter((el) => !['hidden', 'submit', 'button', 'image', 'reset'].includes((el as HTMLInputElement).type))
    .filter((el) => el.checkVisibility({ visibilityProperty: true }))
    .filter((el) => !listed.has(el))
    .map(describe);

  return { url: location.href, controls, same, unlisted };
}

// ---------------------------------------------------------------------------------------------
// One dry run
// ---------------------------------------------------------------------------------------------

interface DryRun {
  result: DryRunResult;
  state: PageState;
  /** Requests to /record* from the moment the dry run started. */
  sent: RecordedRequest[];
}

async function dryRun(
  name: string,
  expected: Expected,
  extra: { fieldMapping?: FieldMapping } = {},
): Promise<DryRun> {
  return browser.withContext(async (context) => {
    const page: Page = await context.newPage();
    const before = recorded.length;
    const result: DryRunResult = await fillAndSubmit(page, {
      url: `${baseUrl}/${name}.html`,
      profile: PROFILE,
      dryRun: true,
      timeouts: TIMEOUTS,
      ...extra,
    });
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    const selectors = [...new Set([...Object.keys(expected.fields), ...Object.keys(expected.values ?? {})])];
    const pairs: Array<[string, string]> = [];
    const buttons = result.report.buttons;
    for (const button of buttons) {
      if (expected.submit) pairs.push([expected.submit, button.selector]);
      if (expected.next) pairs.push([expected.next, button.selector]);
    }
    const state = await page.evaluate(readPage, {
      selectors,
      reportSelectors: result.report.controls.map((c) => c.selector),
      pairs,
    });
    return { result, state, sent: recorded.slice(before) };
  });
}

const isSame = (state: PageState, expectedSelector: string, reported: string): boolean =>
  state.same[`${expectedSelector} == ${reported}`] === true;

/** Every way the run differs from the page's expectations, one line each (empty: all as expected). */
function problems(name: string, expected: Expected, run: DryRun): string[] {
  const { result, state, sent } = run;
  const out: string[] = [];
  const report = result.report;

  for (const request of sent) {
    out.push(`the dry run SENT ${request.method} ${request.url} ${request.body.slice(0, 120)}`);
  }
  if (report.outcome !== expected.outcome) {
    out.push(
      `outcome ${report.outcome} (status ${result.status}: ${result.reason ?? ''}), expected ${expected.outcome}`,
    );
  }

  const pageUrl = `${baseUrl}/${name}.html`;
  if (state.url !== pageUrl) out.push(`the page left ${pageUrl} for ${state.url}: the filled form is gone`);
  for (const [selector, kind] of Object.entries(expected.fields)) {
    const control = state.controls[selector];
    if (!control || control.found !== 1) {
      out.push(`${selector} matches ${control?.found ?? 0} elements after the run`);
      continue;
    }
    if (kind === null) {
      if (!control.pristine)
        out.push(`${selector} must stay untouched, has ${JSON.stringify(control.value)}`);
      continue;
    }
    const reported = control.control >= 0 ? report.controls[control.control] : undefined;
    if (!reported) out.push(`${selector} (${kind}) is not in the report's controls`);
    else if (reported.field !== kind)
      out.push(
        `${selector} classified ${reported.field ?? 'null'} (label ${JSON.stringify(reported.label)}, ` +
          `source ${reported.source ?? 'none'}${reported.skipped ? `, skipped: ${reported.skipped}` : ''}), expected ${kind}`,
      );
    if (!control.filled) out.push(`${selector} (${kind}) is empty`);
    else if (!control.valid || !control.fitsMaxLength)
      out.push(`${selector} (${kind}) = ${JSON.stringify(control.value)} breaks the control's constraints`);
  }

  for (const [selector, value] of Object.entries(expected.values ?? {})) {
    const actual = state.controls[selector]?.value;
    if (actual !== value)
      out.push(`${selector} = ${JSON.stringify(actual)}, expected ${JSON.stringify(value)}`);
  }

  if (expected.outcome === 'filled' && expected.submit) {
    const chosen = report.buttons.filter((b) => b.chosen);
    const submit = expected.submit;
    if (chosen.length === 0) out.push(`no button chosen, expected ${submit}`);
    else if (!chosen.some((b) => isSame(state, submit, b.selector)))
      out.push(
        `chose ${chosen.map((b) => `${b.selector} (${JSON.stringify(b.text)})`).join(', ')}, expected ${submit}`,
      );
  }
  if (expected.outcome === 'stopped_before_sending' || expected.sendsOnNext) {
    if (report.wouldHaveSent.length === 0) out.push('nothing listed in wouldHaveSent');
  }
  if (expected.outcome === 'stopped_before_sending' && expected.next) {
    const next = expected.next;
    if (!report.buttons.some((b) => b.role === 'next' && isSame(state, next, b.selector)))
      out.push(`${next} is not reported as a 'next' button`);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The tests
// ---------------------------------------------------------------------------------------------

test('the fixtures are well formed: shape, kinds, language, self-contained, every visible control listed', async () => {
  expect(PAGE_NAMES.length).toBeGreaterThanOrEqual(25);
  const kinds = new Set<string>(FILLABLE_KINDS);
  const faults: string[] = [];
  for (const name of PAGE_NAMES) {
    const expected = loadExpected(name);
    const html = readFileSync(path.join(PAGES_DIR, `${name}.html`), 'utf8');
    const keys = Object.keys(expected).sort().join(',');
    const shape = ['fields', 'language', 'next', 'outcome', 'pattern', 'sendsOnNext', 'submit'];
    if (keys !== shape.join(',') && keys !== [...shape, 'values'].sort().join(','))
      faults.push(`${name}: keys ${keys}`);
    if (!['filled', 'needs_manual', 'stopped_before_sending'].includes(expected.outcome))
      faults.push(`${name}: outcome ${expected.outcome}`);
    const lang = /<html[^>]*\blang="([a-z]{2})/i.exec(html)?.[1];
    if (lang !== expected.language) faults.push(`${name}: language ${expected.language}, page says ${lang}`);
    for (const [selector, kind] of Object.entries(expected.fields)) {
      if (kind !== null && !kinds.has(kind)) faults.push(`${name}: ${selector} has unknown kind ${kind}`);
    }
    for (const selector of Object.keys(expected.values ?? {})) {
      if (!expected.fields[selector]) faults.push(`${name}: value for ${selector}, which has no kind`);
    }
    // Self-contained: nothing but inline CSS and data: images.
    if (/\b(src|href)="(https?:)?\/\//i.test(html) || /@import|<link\b/i.test(html))
      faults.push(`${name}: refers to an external resource`);
  }
  // As loaded (before any engine): every selector names exactly one element, and every visible
  // control is listed in `fields`.
  await browser.withContext(async (context) => {
    const page = await context.newPage();
    for (const name of PAGE_NAMES) {
      const expected = loadExpected(name);
      await page.goto(`${baseUrl}/${name}.html`);
      const selectors = [
        ...new Set([...Object.keys(expected.fields), ...Object.keys(expected.values ?? {})]),
      ];
      const state = await page.evaluate(readPage, { selectors, reportSelectors: [], pairs: [] });
      for (const [selector, control] of Object.entries(state.controls)) {
        if (control.found !== 1) faults.push(`${name}: ${selector} matches ${control.found} elements`);
      }
      if (state.unlisted.length > 0)
        faults.push(`${name}: visible controls not in fields: ${state.unlisted}`);
    }
  });
  expect(recorded).toEqual([]); // loading a page sends nothing
  expect(faults).toEqual([]);
});

test.each(PAGE_NAMES)('%s: dry run', async (name) => {
  const expected = loadExpected(name);
  const run = await dryRun(name, expected);
  expect(problems(name, expected, run)).toEqual([]);
});

test('lang-de: the proposed mapping, fed back as fieldMapping, fills the same controls', async () => {
  const expected = loadExpected('lang-de');
  const first = await dryRun('lang-de', expected);
  const proposed = first.result.report.proposedMapping;
  if (!proposed)
    throw new Error(`no proposed mapping (${first.result.report.outcome}: ${first.result.reason})`);
  const fieldMapping = {
    fields: proposed.fields,
    ...(proposed.submit ? { submit: proposed.submit } : {}),
  } as FieldMapping;

  // The proposal names the same elements the fixture expects for those kinds.
  const kinds = Object.entries(expected.fields).filter(
    (entry): entry is [string, string] => entry[1] !== null,
  );
  expect(Object.keys(proposed.fields).sort()).toEqual(kinds.map(([, kind]) => kind).sort());

  const second = await dryRun('lang-de', expected, { fieldMapping });
  expect(first.sent).toEqual([]);
  expect(second.sent).toEqual([]);
  expect(second.result.report.outcome).toBe('filled');
  const values = (run: DryRun) =>
    Object.fromEntries(kinds.map(([selector]) => [selector, run.state.controls[selector]?.value]));
  // Every control the first run filled holds the same value after the mapped run, and nothing else changed.
  expect(values(second)).toEqual(values(first));
  for (const [selector] of kinds) expect(second.state.controls[selector]?.filled).toBe(true);
  for (const [selector, kind] of Object.entries(expected.fields)) {
    if (kind === null) expect(second.state.controls[selector]?.pristine).toBe(true);
  }
  // The mapped selectors resolve to the expected elements.
  const check = await browser.withContext(async (context) => {
    const page = await context.newPage();
    await page.goto(`${baseUrl}/lang-de.html`);
    return page.evaluate(
      (pairs) =>
        pairs.map(([mapped, wanted]) => {
          try {
            return document.querySelector(mapped) === document.querySelector(wanted);
          } catch {
            return false;
          }
        }),
      kinds.map(([selector, kind]): [string, string] => [proposed.fields[kind] ?? '', selector]),
    );
  });
  expect(check.every(Boolean)).toBe(true);
});

test('a real run marks "about to submit" before a Continue that really sends, once, and sends the form once', async () => {
  const marks: number[] = [];
  const result = await browser.withContext(async (context) =>
    fillAndSubmit(await context.newPage(), {
      url: `${baseUrl}/dry-run-continue-posts.html`,
      profile: PROFILE,
      timeouts: TIMEOUTS,
      beforeSubmit: () => {
        marks.push(recorded.length); // nothing may have reached the directory yet
      },
    }).then(
      (r) => r,
      (error: unknown) => error,
    ),
  );
  // Whatever the engine concluded after the click, the directory got the data once, and only after
  // the durable "about to submit" mark (so a crash now means verification, not a second listing).
  expect(marks).toEqual([0]);
  expect(recorded.filter((r) => r.method === 'POST')).toHaveLength(1);
  expect(result).toBeDefined();
});
