import { createServer, type IncomingMessage, type Server } from 'node:http';
import { homedir } from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import {
  KINDS_CHROMIUM_CANNOT_JUDGE,
  loadCorpus,
  matchExpected,
  type CorpusPage,
  type ExpectedField,
} from '../lib/autofill-corpus';
import { treeRssMb } from '../lib/sampler';
import { percentile, round, since } from '../lib/stats';
import type { Suite } from '../lib/suite';
import { analyzeScan, fillAndSubmit, type FillResult } from '../../lambdas/form-filling/fill-flow';
import { MIN_CONTAINER_SCORE } from '../../lambdas/form-filling/containers';
import { isFillableKind } from '../../lambdas/form-filling/field-kinds';
import { SCAN_JS, type ScanResult } from '../../lambdas/form-filling/page-scan';
import { BrowserManager, sparticuzExecutablePath } from '../../lambdas/browser/browser';
import { BENCH_PROFILE } from './profile';

/**
 * The form engine on saved pages of real sites: detection and dry runs, judged against each page's
 * expected field types (bench/lib/autofill-corpus.ts), and the cost of detection against a bare
 * playwright-core loop that fills the same fields by known selectors.
 *
 * The corpus folder is FORMS_CORPUS, default ~/.cache/directorybolt/autofill-corpus/chromium (see
 * RESULTS.md for how it is fetched). FORMS_VERBOSE=1 prints every miss and wrong fill per page.
 *
 * Figures:
 * - detection: every visible control of every page classified (all forms), as the browsers' own
 *   heuristics tests judge theirs: recall over fields the profile can fill, precision over the
 *   fills it would make;
 * - dry run: what the engine actually wrote in the form it chose, false fills (payment-card and
 *   password fields counted apart), dry runs that ended cleanly, requests the guard stopped and
 *   requests that reached the server;
 * - time per page (p50/p95) against the bare loop in the same run, and the browser's peak memory.
 */
const DEFAULT_CORPUS = path.join(homedir(), '.cache', 'directorybolt', 'autofill-corpus', 'chromium');

interface Tally {
  expected: number;
  found: number;
  fills: number;
  correctFills: number;
  unjudged: number;
}

interface PageOutcome {
  name: string;
  detection: Tally;
  dryRun: Tally & { falseFills: number; cardFills: number; passwordFills: number };
  clean: boolean;
  outcome: string;
  stopped: number;
  sent: number;
  engineMs: number[];
  bareMs: number[];
  peakMb: number;
  misses: string[];
}

function emptyTally(): Tally {
  return { expected: 0, found: 0, fills: 0, correctFills: 0, unjudged: 0 };
}

/** Requests the page's server received, for the "nothing was sent" check. */
interface Recorder {
  server: Server;
  origin: string;
  pages: Map<string, string>;
  log: Array<{ method: string; url: string; body: string }>;
}

async function startRecorder(): Promise<Recorder> {
  const pages = new Map<string, string>();
  const log: Recorder['log'] = [];
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = req.url ?? '/';
      const page = url.startsWith('/pages/')
        ? pages.get(decodeURIComponent(url.slice(7).split('?')[0]!))
        : undefined;
      if (page !== undefined && req.method === 'GET') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(page);
        return;
      }
      log.push({ method: req.method ?? 'GET', url, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { server, origin: `http://127.0.0.1:${port}`, pages, log };
}

/** Nothing leaves the machine: the saved pages still point at their sites' scripts and images. */
async function offline(context: BrowserContext, origin: string): Promise<void> {
  await context.route('**/*', (route) =>
    route.request().url().startsWith(origin) ? route.fallback() : route.abort('internetdisconnected'),
  );
}

function judged(kind: string, field: ExpectedField | undefined): 'right' | 'wrong' | 'unjudged' {
  if (!field || field.neutral) return 'unjudged';
  if (field.accepted.includes(kind as never)) return 'right';
  if (field.type === 'UNKNOWN_TYPE' && KINDS_CHROMIUM_CANNOT_JUDGE.has(kind as never)) return 'unjudged';
  return 'wrong';
}

async function dryRunPage(
  browser: BrowserManager,
  recorder: Recorder,
  page: CorpusPage,
): Promise<{
  result?: FillResult;
  error?: string;
  ms: number;
  peakMb: number;
  scan?: ScanResult;
  sent: number;
}> {
  const url = `${recorder.origin}/pages/${encodeURIComponent(page.name)}`;
  return browser.withContext(async (context) => {
    await offline(context, recorder.origin);
    const tab = await context.newPage();
    const before = recorder.log.length;
    let peakMb = 0;
    const pid = browser.browserPid;
    const sampler = setInterval(() => {
      if (pid !== undefined) peakMb = Math.max(peakMb, treeRssMb(pid));
    }, 25);
    const start = performance.now();
    let result: FillResult | undefined;
    let error: string | undefined;
    try {
      result = await fillAndSubmit(tab, {
        url,
        profile: BENCH_PROFILE,
        dryRun: true,
        screenshot: false,
        timeouts: { navigationMs: 8_000, actionMs: 1_500 },
      });
    } catch (e) {
      error = e instanceof Error ? e.message.split('\n')[0] : String(e);
    }
    const ms = since(start);
    clearInterval(sampler);
    if (pid !== undefined) peakMb = Math.max(peakMb, treeRssMb(pid));
    const scan = await tab.evaluate<ScanResult>(SCAN_JS).catch(() => undefined);
    // What reached the server carrying the business's data: a profile value in a URL or a body,
    // as typed, percent-encoded or form-encoded. (A page's own requests before anything was typed,
    // an error log posted on load, carry none.)
    const typed = [
      BENCH_PROFILE.email,
      BENCH_PROFILE.business_name,
      BENCH_PROFILE.address_line,
      BENCH_PROFILE.city,
      BENCH_PROFILE.postal_code,
      BENCH_PROFILE.contact_last_name!,
      '5550130',
    ].flatMap((v) =>
      [v, encodeURIComponent(v), encodeURIComponent(v).replace(/%20/g, '+')].map((x) => x.toLowerCase()),
    );
    const carries = (text: string): boolean => typed.some((v) => text.toLowerCase().includes(v));
    const sentRequests = recorder.log.slice(before).filter((r) => carries(r.url) || carries(r.body));
    if (process.env.FORMS_VERBOSE && sentRequests.length > 0) {
      process.stderr.write(
        `${page.name}: reached the server: ${JSON.stringify(sentRequests.map((r) => ({ method: r.method, url: r.url })))}\n`,
      );
    }
    return { result, error, ms, peakMb, scan, sent: sentRequests.length };
  });
}

async function bareLoop(
  browser: BrowserManager,
  recorder: Recorder,
  page: CorpusPage,
  fills: Array<{ selector: string; tag: string; type: string; value: string }>,
): Promise<number> {
  const url = `${recorder.origin}/pages/${encodeURIComponent(page.name)}`;
  return browser.withContext(async (context) => {
    await offline(context, recorder.origin);
    const tab: Page = await context.newPage();
    const start = performance.now();
    await tab.goto(url, { waitUntil: 'domcontentloaded' });
    await tab.waitForLoadState('load', { timeout: 5_000 }).catch(() => undefined);
    for (const fill of fills) {
      const locator = tab.locator(fill.selector).first();
      if (fill.tag === 'select') await locator.selectOption(fill.value).catch(() => undefined);
      else if (fill.type === 'radio' || fill.type === 'checkbox')
        await locator.check().catch(() => undefined);
      else if (fill.type !== 'file') await locator.fill(fill.value).catch(() => undefined);
    }
    return since(start);
  });
}

function evaluatePage(page: CorpusPage, run: Awaited<ReturnType<typeof dryRunPage>>): PageOutcome {
  const outcome: PageOutcome = {
    name: page.name,
    detection: emptyTally(),
    dryRun: { ...emptyTally(), falseFills: 0, cardFills: 0, passwordFills: 0 },
    clean: false,
    outcome: run.result?.report.outcome ?? `error: ${run.error}`,
    stopped: run.result?.report.wouldHaveSent.length ?? 0,
    sent: run.sent,
    engineMs: [],
    bareMs: [],
    peakMb: run.peakMb,
    misses: [],
  };
  const scan = run.scan;
  if (!scan) return outcome;
  const matched = matchExpected(page.expected, scan.controls);
  const analysis = analyzeScan(scan);
  const visible = new Set(scan.controls.filter((c) => c.visible && c.editable).map((c) => c.index));
  const selectorOf = new Map(scan.controls.map((c) => [c.selector, c.index]));

  // Detection: every visible control of the page, as the engine would fill it: its kind where a
  // form the engine would fill holds it (a listing-like candidate scoring enough), nothing in a
  // log-in, search, newsletter or payment form, or in one too small to be a form for the profile:
  // the browsers' heuristics tests judge the same way (Chromium fills no form of fewer than three
  // recognized fields).
  const fillableHere = new Set(
    analysis.candidates
      .filter((c) => c.purpose === 'listing' && c.score >= MIN_CONTAINER_SCORE)
      .flatMap((c) => c.controls.map((x) => x.index)),
  );
  for (const control of scan.controls) {
    if (!visible.has(control.index)) continue;
    const field = matched.get(control.index);
    const kind = fillableHere.has(control.index)
      ? (analysis.classes.get(control.index)?.kind ?? 'unknown')
      : 'unknown';
    const fillable = Boolean(field && !field.neutral && field.accepted.length > 0);
    if (fillable) {
      outcome.detection.expected += 1;
      if (field!.accepted.includes(kind as never)) outcome.detection.found += 1;
      else
        outcome.misses.push(
          `missed ${field!.type} "${field!.name}" (${field!.label.slice(0, 30)}) as ${kind}`,
        );
    }
    if (isFillableKind(kind) && !['new_password', 'new_password_confirm', 'logo'].includes(kind)) {
      const verdict = judged(kind, field);
      if (verdict === 'unjudged') outcome.detection.unjudged += 1;
      else {
        outcome.detection.fills += 1;
        if (verdict === 'right') outcome.detection.correctFills += 1;
        else if (!fillable || !field)
          outcome.misses.push(
            `wrong ${kind} for ${field?.type ?? 'unmatched'} "${control.name || control.id}"`,
          );
      }
    }
  }

  // Dry run: what was written in the chosen form.
  const result = run.result;
  outcome.clean =
    Boolean(result) && (result!.report.outcome !== 'no_form' || outcome.detection.expected === 0);
  if (!result) return outcome;
  const writtenIn = new Set<number>();
  for (const control of result.report.controls) {
    if (control.value === null) continue;
    const index = selectorOf.get(control.selector);
    if (index !== undefined) writtenIn.add(index);
    const field = index === undefined ? undefined : matched.get(index);
    const kind = control.field ?? 'unknown';
    if (field?.forbidden === 'credit_card' && !field.accepted.length) outcome.dryRun.cardFills += 1;
    if (field?.forbidden === 'password') outcome.dryRun.passwordFills += 1;
    const verdict = judged(kind, field);
    if (verdict === 'unjudged') {
      outcome.dryRun.unjudged += 1;
      continue;
    }
    outcome.dryRun.fills += 1;
    if (verdict === 'right') outcome.dryRun.correctFills += 1;
    else {
      outcome.dryRun.falseFills += 1;
      outcome.misses.push(
        `dry run wrote ${kind} into ${field?.type ?? 'an unmatched field'} "${control.selector}"`,
      );
    }
  }
  // Dry-run recall: over the fillable fields of one expected section (a form can hold a billing and
  // a shipping section; the engine fills the profile once): the section it wrote most of, rightly.
  const rightlyWritten = (i: number): boolean => {
    if (!writtenIn.has(i)) return false;
    const control = result.report.controls.find((c) => selectorOf.get(c.selector) === i);
    return control?.field != null && matched.get(i)!.accepted.includes(control.field as never);
  };
  const sections = new Map<string, number[]>();
  for (const [index, field] of matched) {
    if (field.neutral || field.accepted.length === 0 || !visible.has(index)) continue;
    sections.set(field.section, [...(sections.get(field.section) ?? []), index]);
  }
  let best: number[] = [];
  let bestRight = -1;
  for (const indexes of sections.values()) {
    const right = indexes.filter(rightlyWritten).length;
    if (right > bestRight || (right === bestRight && indexes.length > best.length)) {
      best = indexes;
      bestRight = right;
    }
  }
  outcome.dryRun.expected = best.length;
  outcome.dryRun.found = Math.max(0, bestRight);
  return outcome;
}

const ratio = (a: number, b: number): number => (b === 0 ? 0 : a / b);

export const forms: Suite = {
  name: 'forms',
  async run({ quick }) {
    const dir = process.env.FORMS_CORPUS ?? DEFAULT_CORPUS;
    const only = process.env.FORMS_ONLY ? new RegExp(process.env.FORMS_ONLY) : undefined;
    const corpus = await loadCorpus(dir, only).catch((error: unknown) => {
      throw new Error(
        `No corpus at ${dir} (${String(error)}). Fetch Chromium's autofill heuristics pages into input/ and output/ there (bench/RESULTS.md says how), or set FORMS_CORPUS.`,
      );
    });
    if (corpus.length === 0) throw new Error(`The corpus at ${dir} has no page with an expected .out file`);
    const rounds = quick ? 1 : 3;
    const recorder = await startRecorder();
    for (const page of corpus) recorder.pages.set(page.name, page.html);
    const executablePath = await sparticuzExecutablePath();
    const browser = new BrowserManager({
      resolveExecutablePath: async () => executablePath,
      maxParallelContexts: 1,
    });
    await browser.withContext(async () => undefined); // the launch is not part of any page's time
    const outcomes: PageOutcome[] = [];
    try {
      for (const page of corpus) {
        let outcome: PageOutcome | undefined;
        for (let round = 0; round < rounds; round += 1) {
          const run = await dryRunPage(browser, recorder, page);
          if (!outcome) outcome = evaluatePage(page, run);
          outcome.engineMs.push(run.ms);
          outcome.peakMb = Math.max(outcome.peakMb, run.peakMb);
          const fills = (run.result?.report.controls ?? [])
            .filter((c) => c.value !== null)
            .map((c) => ({ selector: c.selector, tag: c.tag, type: c.type, value: c.value! }));
          outcome.bareMs.push(await bareLoop(browser, recorder, page, fills));
        }
        outcomes.push(outcome!);
        if (process.env.FORMS_VERBOSE) {
          const o = outcome!;
          process.stderr.write(
            `${o.name}: detection ${o.detection.found}/${o.detection.expected} (fills ${o.detection.correctFills}/${o.detection.fills}), dry run ${o.dryRun.found}/${o.dryRun.expected} written, ${o.dryRun.falseFills} false, ${o.outcome}\n${o.misses.map((m) => `    ${m}\n`).join('')}`,
          );
        }
      }
    } finally {
      await browser.close();
      await new Promise<void>((resolve) => recorder.server.close(() => resolve()));
    }

    const sum = (pick: (o: PageOutcome) => number): number => outcomes.reduce((s, o) => s + pick(o), 0);
    const detRecall = ratio(
      sum((o) => o.detection.found),
      sum((o) => o.detection.expected),
    );
    const detPrecision = ratio(
      sum((o) => o.detection.correctFills),
      sum((o) => o.detection.fills),
    );
    const runRecall = ratio(
      sum((o) => o.dryRun.found),
      sum((o) => o.dryRun.expected),
    );
    const runPrecision = ratio(
      sum((o) => o.dryRun.correctFills),
      sum((o) => o.dryRun.fills),
    );
    const engineP = outcomes.map((o) => percentile(o.engineMs, 50));
    const bareP = outcomes.map((o) => percentile(o.bareMs, 50));
    const figures = {
      pages: outcomes.length,
      detection_recall: round(detRecall, 3),
      detection_precision: round(detPrecision, 3),
      dry_run_recall: round(runRecall, 3),
      dry_run_precision: round(runPrecision, 3),
      false_fills: sum((o) => o.dryRun.falseFills),
      card_fills: sum((o) => o.dryRun.cardFills),
      password_fills: sum((o) => o.dryRun.passwordFills),
      clean_dry_runs_pct: round((100 * outcomes.filter((o) => o.clean).length) / outcomes.length, 1),
      requests_stopped: sum((o) => o.stopped),
      requests_sent: sum((o) => o.sent),
      engine_p50_ms: round(percentile(engineP, 50), 1),
      engine_p95_ms: round(percentile(engineP, 95), 1),
      bare_p50_ms: round(percentile(bareP, 50), 1),
      bare_p95_ms: round(percentile(bareP, 95), 1),
      detection_cost_ratio_p50: round(ratio(percentile(engineP, 50), percentile(bareP, 50)), 2),
      detection_cost_ratio_p95: round(ratio(percentile(engineP, 95), percentile(bareP, 95)), 2),
      browser_peak_mb_p50: round(
        percentile(
          outcomes.map((o) => o.peakMb),
          50,
        ),
        0,
      ),
      browser_peak_mb_max: round(Math.max(...outcomes.map((o) => o.peakMb)), 0),
    };
    return {
      title: 'Form engine on saved pages of real sites (Chromium autofill heuristics corpus)',
      method: `${outcomes.length} pages from ${dir.replace(homedir(), '~')}, served on loopback with every other request refused; each page dry-run by the engine (sample profile, no screenshot) and, interleaved, by a bare playwright-core loop filling the fields the engine wrote by their selectors, ${rounds} round(s) each; times are each page's median, then p50/p95 over pages. Detection: every visible control of every page classified and taken as filled where it sits in a form the engine would choose (log-in, search, newsletter, payment and too-small forms are not filled), judged against the page's expected types for the fields our profile can fill.`,
      columns: [
        'page',
        'detection found / expected',
        'detection right / fills',
        'dry run written / expected',
        'false fills',
        'outcome',
        'stopped',
        'engine ms',
        'bare ms',
        'peak MiB',
      ],
      rows: outcomes.map((o) => [
        o.name,
        `${o.detection.found}/${o.detection.expected}`,
        `${o.detection.correctFills}/${o.detection.fills}`,
        `${o.dryRun.found}/${o.dryRun.expected}`,
        o.dryRun.falseFills,
        o.outcome,
        o.stopped,
        round(percentile(o.engineMs, 50), 0),
        round(percentile(o.bareMs, 50), 0),
        round(o.peakMb, 0),
      ]),
      figures,
      notes: [
        `Detection: recall ${figures.detection_recall}, precision ${figures.detection_precision}. Dry run: recall ${figures.dry_run_recall} (over the expected section the chosen form holds), precision ${figures.dry_run_precision}, ${figures.false_fills} false fills (${figures.card_fills} in payment-card fields, ${figures.password_fills} in password fields).`,
        `${figures.clean_dry_runs_pct} % of dry runs ended cleanly (a result, not an error; "no form" only where the page has nothing the profile fills). The guard stopped ${figures.requests_stopped} request(s); ${figures.requests_sent} reached the server.`,
        `Time per page p50 ${figures.engine_p50_ms} ms vs ${figures.bare_p50_ms} ms for the bare loop (${figures.detection_cost_ratio_p50}x); p95 ${figures.engine_p95_ms} vs ${figures.bare_p95_ms} ms (${figures.detection_cost_ratio_p95}x). Browser peak RSS per dry run: p50 ${figures.browser_peak_mb_p50} MiB, max ${figures.browser_peak_mb_max} MiB.`,
        'Fills of kinds Chromium has no type for (website, description, category, opening hours, social profiles ...) into fields it calls UNKNOWN_TYPE cannot be judged from the corpus and are left out of precision.',
      ],
    };
  },
};
