/**
 * Fills a directory's submission form with a business profile and submits it, once; or, as a dry
 * run, fills it and sends nothing.
 *
 *   fillAndSubmit(page, options) -> { status, reason?, listingUrl?, unmappedRequiredFields,
 *                                     filledFields, screenshot, report }
 *
 * One step of a form:
 *   scan the page (page-scan.ts) -> classify every control (classify.ts) -> correct from neighbours
 *   (neighbours.ts) -> choose the form or section the profile fits (containers.ts) -> plan values
 *   (assign.ts, values.ts) -> write them -> look again (fields revealed or re-rendered by what was
 *   written get their turn) -> pick the buttons (buttons.ts).
 * Then: a submit button ends the steps; a Next button leads to the next step; neither is an error.
 *
 * - A stored mapping wins: its selectors say which control is which kind; a configured mapping
 *   service may suggest one (never blocking, see submitter/mapping-service.ts).
 * - A CAPTCHA or human check in the chosen form's area ends as needs_manual before anything is
 *   submitted (one in an unrelated, hidden form does not); so do required fields nothing could fill.
 * - `beforeSubmit()` is awaited once, right before the first click that could send the form: the
 *   submit, or a Next step before it (a "Continue" may submit; the caller records "about to submit"
 *   there; if it throws, nothing is clicked and its error propagates unchanged).
 * - Success: the mapping's success rule, else a new confirmation message or a new URL; a listing link
 *   on the page is captured. No confirmation at all is needs_manual (it may have been submitted:
 *   verify, never resubmit blindly).
 * - Dry run: the browser-level guard (dry-run-guard.ts) is armed before the first value is typed, so
 *   nothing typed can leave the page, whatever a button or script does. A Next step that tries to
 *   send ends the run as "stopped before sending" with what would have been sent.
 */
import type { Locator, Page, Response } from 'playwright-core';
import { SUBMITTER } from '../platform/system-config';
import {
  PROFILE_FIELDS,
  type BusinessProfile,
  type FieldMapping,
  type LogoRef,
  type ProfileField,
  type SubmissionOutcome,
} from '../customers/business-profile';
import type { MappingPort } from './mapping-service';
import { fromPlaywrightError, httpError, isBrowserGone, SubmissionError } from '../browser/submission-error';
import { choiceGroups, planFills, type ChoiceGroup, type Credentials, type PlannedFill } from './assign';
import { pickButtons, type ClassifiedButton } from './buttons';
import { classifyControl, type Classification } from './classify';
import { candidatesOf, chooseCandidate, type Candidate } from './containers';
import { installDryRunGuard, type DryRunGuard } from './dry-run-guard';
import { isFillableKind, type FillableKind } from './field-kinds';
import { applyNeighbours } from './neighbours';
import {
  CHANGES_COUNT_JS,
  PAGE_HELPERS_JS,
  SCAN_JS,
  type ScanResult,
  type ScannedControl,
} from './page-scan';
import {
  emptyReport,
  proposeMapping,
  reportButtons,
  reportStep,
  type FillReport,
  type RunOutcome,
} from './report';

// ---------------------------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------------------------

export interface FillTimeouts {
  /** Page loads and the wait for a confirmation after submitting. */
  navigationMs: number;
  /** Each fill, click and screenshot. */
  actionMs: number;
}

export const DEFAULT_TIMEOUTS: FillTimeouts = {
  navigationMs: SUBMITTER.navigationTimeoutMs,
  actionMs: SUBMITTER.actionTimeoutMs,
};

export interface LogoFile {
  buffer: Buffer;
  mimeType: string;
  name: string;
}

export interface FillOptions {
  url: string;
  profile: BusinessProfile;
  fieldMapping?: FieldMapping | null;
  timeouts?: Partial<FillTimeouts>;
  /**
   * Awaited once, right before the first click that could send the form (the submit, or a Next step
   * before it). Its errors propagate unchanged.
   */
  beforeSubmit?: () => Promise<void> | void;
  /**
   * Fill everything, send nothing: the page's requests are guarded in the browser from the first
   * typed value on; the outcome is needs_manual with the report saying how far it got.
   */
  dryRun?: boolean;
  /** Most Next clicks a multi-step form may take. */
  maxSteps?: number;
  /** Asked for a mapping when there is no stored one (never blocks: see mapping-service.ts). */
  mappingService?: MappingPort | null;
  /** A sign-up's password: only then are a sign-up form's password fields filled. */
  credentials?: Credentials;
  /** Reads the profile's stored logo, for a form's logo upload field. */
  loadLogo?: (logo: LogoRef) => Promise<LogoFile>;
  /** Take the final screenshot (default true; the corpus bench measures detection without it). */
  screenshot?: boolean;
  /**
   * The SSRF guard's check for WebSocket URLs: a dry run's guard takes over the context's WebSocket
   * route (Playwright runs only the newest one), so it must keep making the same check.
   */
  allowWebSocket?: (url: string) => boolean | Promise<boolean>;
}

export interface FillResult extends SubmissionOutcome {
  /** Full-page PNG of the page at the end (the confirmation, the CAPTCHA, ...); empty when not taken. */
  screenshot: Buffer;
  /** Where the field mapping came from. */
  mappingSource: 'stored' | 'service' | 'detected';
  /** Required consent checkboxes ticked on the customer's behalf (their labels), for the record. */
  consentsGiven: string[];
  /** Every control of the chosen form, the buttons, what a dry run stopped, a proposed mapping. */
  report: FillReport;
}

// ---------------------------------------------------------------------------------------------
// Analysis (no browser: a scan in, a decision out)
// ---------------------------------------------------------------------------------------------

export interface Analysis {
  scan: ScanResult;
  classes: Map<number, Classification>;
  candidates: Candidate[];
  chosen: Candidate | undefined;
  groups: ChoiceGroup[];
}

/**
 * Classifies every control of a scan, corrects from neighbours per form or section, and chooses the
 * candidate to fill. With a stored mapping (resolved to control indexes), the mapped controls are
 * those kinds and the candidate is the one holding most of them.
 */
export function analyzeScan(scan: ScanResult, stored?: ReadonlyMap<number, FillableKind>): Analysis {
  const classes = new Map<number, Classification>();
  for (const control of scan.controls) classes.set(control.index, classifyControl(control));
  const byContainer = new Map<number, ScannedControl[]>();
  for (const control of scan.controls) {
    if (!control.visible) continue;
    byContainer.set(control.container, [...(byContainer.get(control.container) ?? []), control]);
  }
  for (const controls of byContainer.values()) applyNeighbours(controls, classes);

  // Radio and checkbox groups (a category as radios, a country as radios): one select-like control each.
  const groups = choiceGroups(scan.controls);
  for (const group of groups) classes.set(group.control.index, classifyControl(group.control));

  if (stored) {
    for (const [index, kind] of stored) {
      const before = classes.get(index);
      classes.set(index, { kind, confidence: 1, source: null, label: before?.label ?? '', score: 9 });
    }
    // A stored group selector names the group's boxes: the group control is that kind too.
    for (const group of groups) {
      const kind = stored.get(group.members[0]!.index);
      if (kind)
        classes.set(group.control.index, {
          kind,
          confidence: 1,
          source: null,
          label: group.control.labels,
          score: 9,
        });
    }
  }
  const candidates = candidatesOf(scan, classes);
  // What a log-in or search form asks for is its own thing: the email of a log-in is an account
  // name, a lone ZIP box is a store finder's query. Said so in the report, and never filled.
  for (const candidate of candidates) {
    if (candidate.shape !== 'container' || (candidate.purpose !== 'login' && candidate.purpose !== 'search'))
      continue;
    for (const control of candidate.controls) {
      const cls = classes.get(control.index);
      if (!cls || !isFillableKind(cls.kind) || stored?.has(control.index)) continue;
      classes.set(control.index, { ...cls, kind: candidate.purpose === 'login' ? 'username' : 'search' });
    }
  }
  let chosen: Candidate | undefined;
  if (stored && stored.size > 0) {
    chosen = [...candidates].sort(
      (a, b) =>
        b.controls.filter((c) => stored.has(c.index)).length -
          a.controls.filter((c) => stored.has(c.index)).length || a.controls.length - b.controls.length,
    )[0];
  } else {
    chosen = chooseCandidate(candidates);
  }
  return { scan, classes, candidates, chosen, groups };
}

// ---------------------------------------------------------------------------------------------
// The procedure
// ---------------------------------------------------------------------------------------------

interface Run {
  page: Page;
  options: FillOptions;
  timeouts: FillTimeouts;
  mapping: FieldMapping | null;
  guard: DryRunGuard | undefined;
  report: FillReport;
  /** Kinds written so far (across steps), and what was written where. */
  filledKinds: Set<FillableKind>;
  written: Array<{ fill: PlannedFill; selector: string; value: string }>;
  consentsGiven: string[];
  logo?: LogoFile;
  /** beforeSubmit has run: from then on the directory may have received the business's data. */
  submitMarked: boolean;
}

const CONTROL_SELECTOR = 'input, select, textarea';
/** Rounds of scan-and-fill within one step (fields revealed or re-rendered by earlier values). */
const FILL_ROUNDS = 3;
const CONSENT_WORDS =
  /\b(agree|accept|terms|conditions|consent|privacy policy|confirm that|certify|i am (the )?(owner|authori[sz]ed)|akzeptier|zustimm|einverstanden|datenschutz|agb|accepte|conditions generales|acepto|condiciones|accetto|termini|ga akkoord|voorwaarden|aceito|termos)\b/i;

/**
 * The scan comes back as one JSON string: Playwright's structured serialization of a large object
 * (a page's controls with their option lists) costs several times the scan itself.
 */
/** Waits (polling the page) until it shows a form control; script-built forms appear after load. */
async function waitForControls(page: Page, timeouts: FillTimeouts, url: string): Promise<void> {
  const deadline = Date.now() + timeouts.actionMs;
  for (;;) {
    const shown = await page.evaluate<boolean>(ANY_CONTROL_VISIBLE_JS).catch(() => false);
    if (shown) return;
    if (Date.now() >= deadline)
      throw new SubmissionError('permanent', 'form_not_found', `No form fields on ${url}`);
    await nextDocumentOrTimeout(page, 100);
  }
}

const ANY_CONTROL_VISIBLE_JS = `(() => {
  ${PAGE_HELPERS_JS}
  return Array.from(document.querySelectorAll(${JSON.stringify(CONTROL_SELECTOR)})).some((el) => el.type !== 'hidden' && isVisible(el));
})()`;

async function scanPage(page: Page): Promise<ScanResult> {
  return JSON.parse(await page.evaluate<string>(`JSON.stringify(${SCAN_JS})`)) as ScanResult;
}

/** Indexes of the controls a stored mapping's selectors point at, by kind. */
async function resolveMapping(page: Page, mapping: FieldMapping): Promise<Map<number, FillableKind>> {
  const entries = Object.entries(mapping.fields) as Array<[FillableKind, string]>;
  const found = await page.evaluate<Array<[string, number[]]>>(`((entries) => {
      const all = Array.from(document.querySelectorAll(${JSON.stringify(CONTROL_SELECTOR)}));
      return entries.map(([kind, selector]) => {
        let els = [];
        try { els = Array.from(document.querySelectorAll(selector)); } catch { els = []; }
        return [kind, els.map((el) => all.indexOf(el)).filter((i) => i >= 0)];
      });
    })(${JSON.stringify(entries)})`);
  const byIndex = new Map<number, FillableKind>();
  for (const [kind, indexes] of found) {
    if (!isFillableKind(kind)) continue;
    for (const index of indexes) if (!byIndex.has(index)) byIndex.set(index, kind);
  }
  return byIndex;
}

export async function fillAndSubmit(page: Page, options: FillOptions): Promise<FillResult> {
  const timeouts: FillTimeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  page.setDefaultTimeout(timeouts.actionMs);
  page.setDefaultNavigationTimeout(timeouts.navigationMs);
  const run: Run = {
    page,
    options,
    timeouts,
    mapping: options.fieldMapping ?? null,
    guard: undefined,
    report: emptyReport(),
    filledKinds: new Set(),
    written: [],
    consentsGiven: [],
    submitMarked: false,
  };
  let submitAttempted = false;
  let mappingSource: FillResult['mappingSource'] = options.fieldMapping ? 'stored' : 'detected';

  const finish = async (
    outcome: RunOutcome,
    result: Omit<SubmissionOutcome, 'filledFields'>,
  ): Promise<FillResult> => {
    run.report.outcome = outcome;
    if (run.guard) run.report.wouldHaveSent = run.guard.stopped();
    run.report.proposedMapping ??= proposeMapping(run.written, undefined);
    const screenshot =
      options.screenshot === false
        ? Buffer.alloc(0)
        : await screenshotOf(page, timeouts).catch(() => Buffer.alloc(0));
    return {
      ...result,
      filledFields: filledProfileFields(run.filledKinds),
      mappingSource,
      consentsGiven: run.consentsGiven,
      screenshot,
      report: run.report,
    };
  };

  try {
    // The guard goes in before the page loads so that nothing escapes it; it stays unarmed (the
    // page loads normally) until the first value is typed.
    if (options.dryRun) {
      run.guard = await installDryRunGuard(page.context(), { allowWebSocket: options.allowWebSocket });
    }
    await navigate(page, options.url, timeouts);
    await waitForControls(page, timeouts, options.url);

    if (!run.mapping && options.mappingService) {
      const scan = await scanPage(page);
      const suggested = await options.mappingService.suggest({
        url: page.url(),
        controls: scan.controls.filter((c) => c.visible),
      });
      if (suggested) {
        run.mapping = suggested;
        mappingSource = 'service';
      }
    }

    const maxSteps = options.maxSteps ?? 6;
    for (let step = 0; step <= maxSteps; step += 1) {
      run.report.steps = step;
      const state = await fillStep(run);
      if (!state.analysis.chosen) {
        if (run.written.length > 0 && step > 0) {
          // A later step with nothing for us (a review page): look for its submit below.
        } else if (options.dryRun) {
          return await finish('no_form', {
            status: 'needs_manual',
            reason: 'dry run: no form on the page fits the business profile',
            unmappedRequiredFields: [],
          });
        } else {
          throw new SubmissionError(
            'permanent',
            'form_not_found',
            `No form on ${page.url()} fits the business profile`,
          );
        }
      }
      const { submit, next } = state.buttons;
      const mappedSubmit = run.mapping?.submit ? page.locator(run.mapping.submit).first() : undefined;
      const submitLocator =
        mappedSubmit && (await mappedSubmit.isVisible().catch(() => false))
          ? mappedSubmit
          : submit
            ? page.locator(submit.selector).first()
            : undefined;
      run.report.buttons = reportButtons(
        state.buttons.all,
        submitLocator && submit ? submit : next && !submitLocator ? next : undefined,
      );
      run.report.proposedMapping = proposeMapping(run.written, run.mapping?.submit ?? submit?.selector);
      if (state.humanCheck) {
        run.report.humanCheck = state.humanCheck;
        return await finish('needs_manual', {
          status: 'needs_manual',
          reason: `${options.dryRun ? 'dry run: ' : ''}CAPTCHA or human check on the form (${state.humanCheck})`,
          unmappedRequiredFields: [],
        });
      }

      if (state.unmapped.length > 0) {
        return await finish('needs_manual', {
          status: 'needs_manual',
          reason: `${options.dryRun ? 'dry run: ' : ''}Required fields could not be filled: ${state.unmapped.join(', ')}`,
          unmappedRequiredFields: state.unmapped,
        });
      }
      if (submitLocator) {
        if (run.filledKinds.size === 0) {
          if (options.dryRun) {
            return await finish('no_form', {
              status: 'needs_manual',
              reason: 'dry run: no profile field could be matched to the form',
              unmappedRequiredFields: [],
            });
          }
          throw new SubmissionError(
            'permanent',
            'form_not_found',
            'No profile field could be matched to the form',
          );
        }
        const invalid = submit ? await page.evaluate<string[]>(formValidityJs(submit.selector)) : [];
        if (options.dryRun) {
          return await finish('filled', {
            status: 'needs_manual',
            reason:
              invalid.length > 0
                ? `dry run: form filled, not submitted; the browser would refuse: ${invalid.join('; ')}`
                : 'dry run: form filled, not submitted',
            unmappedRequiredFields: [],
          });
        }
        if (invalid.length > 0) {
          throw new SubmissionError(
            'permanent',
            'validation_rejected',
            `The form rejects the values: ${invalid.join('; ')}`,
          );
        }
        return await submitOnce(run, submitLocator, finish, () => {
          submitAttempted = true;
        });
      }
      if (!next) {
        if (options.dryRun) {
          return await finish('filled', {
            status: 'needs_manual',
            reason: 'dry run: form filled; no submit button was recognized (store one with the mapping)',
            unmappedRequiredFields: [],
          });
        }
        throw new SubmissionError('permanent', 'form_not_found', `No submit button found on ${page.url()}`);
      }
      if (step === maxSteps) {
        if (options.dryRun) {
          return await finish('filled', {
            status: 'needs_manual',
            reason: `dry run: still no submit button after ${maxSteps} steps`,
            unmappedRequiredFields: [],
          });
        }
        throw new SubmissionError(
          'permanent',
          'form_not_found',
          `Still no submit button after ${maxSteps} steps`,
        );
      }
      // A "Next" may really send the form (a submit-type "Continue", a script that posts the step):
      // a real run records "about to submit" before the first click that could send anything, so a
      // crash after it leads to verification, never to a blind second submission.
      if (!options.dryRun && !run.submitMarked) {
        try {
          await options.beforeSubmit?.();
        } catch (error) {
          throw markCallerError(error);
        }
        run.submitMarked = true;
        submitAttempted = true;
      }
      const moved = await clickNext(run, page.locator(next.selector).first(), state.signature);
      if (moved === 'sent') {
        return await finish('stopped_before_sending', {
          status: 'needs_manual',
          reason: `dry run: stopped before sending: "${next.text}" would have sent the form (${run.guard?.stopped().length ?? 0} request(s) stopped)`,
          unmappedRequiredFields: [],
        });
      }
      if (moved === 'stuck') {
        if (options.dryRun) {
          return await finish('filled', {
            status: 'needs_manual',
            reason: `dry run: "${next.text}" did not lead to a next step`,
            unmappedRequiredFields: [],
          });
        }
        throw new SubmissionError(
          'permanent',
          'validation_rejected',
          `"${next.text}" did not lead to a next step (the form refused the values)`,
        );
      }
    }
    throw new SubmissionError('permanent', 'form_not_found', 'No submit button found');
  } catch (error) {
    if (isCallerError(error)) throw error.error;
    const failure = error instanceof SubmissionError ? error : fromPlaywrightError(error, submitAttempted);
    if (!failure.screenshot && !isBrowserGone(error)) {
      failure.screenshot = await screenshotOf(page, timeouts).catch(() => undefined);
    }
    throw failure;
  } finally {
    // After the screenshot: an armed guard switches the pages' scripts off for good, so nothing a
    // page does while its context closes (unload handlers, timers) can send what was typed.
    await run.guard?.dispose().catch(() => undefined);
  }
}

interface StepState {
  analysis: Analysis;
  buttons: { all: ClassifiedButton[]; submit?: ClassifiedButton; next?: ClassifiedButton };
  unmapped: string[];
  humanCheck: string | null;
  /** The visible controls' selectors: a Next click that changes nothing leaves it unchanged. */
  signature: string;
}

/** Fills what the current step shows, in up to FILL_ROUNDS rounds. */
async function fillStep(run: Run): Promise<StepState> {
  const { page } = run;
  let analysis: Analysis | undefined;
  const writtenHere = new Map<number, { fill: PlannedFill; value: string }>();
  const writtenSelectors = new Set(run.written.map((w) => w.selector));
  let skipped: ReturnType<typeof planFills>['skipped'] = [];
  let scan = await scanPage(page);
  let stored = run.mapping ? await resolveMapping(page, run.mapping) : undefined;
  let rescan = false;
  let humanCheck: string | null = null;
  for (let round = 0; round < FILL_ROUNDS; round += 1) {
    analysis = analyzeScan(scan, stored);
    const chosen = analysis.chosen;
    if (!chosen) break;
    if (round === 0) {
      run.report.container = {
        selector: chosen.container.selector,
        purpose: chosen.purpose,
        score: round2(chosen.score),
        shape: chosen.shape,
      };
      run.report.candidates = analysis.candidates.slice(0, 10).map((c) => ({
        selector: c.container.selector,
        purpose: c.purpose,
        score: round2(c.score),
        shape: c.shape,
        controls: c.controls.filter((x) => x.visible).length,
      }));
      // A human check in the form: it is still filled (the report shows the whole mapping), and the
      // run ends before any button.
      humanCheck = humanCheckIn(analysis.scan, chosen, analysis.classes);
    }
    const inChosen = new Set(chosen.controls.map((c) => c.index));
    const groups = analysis.groups.filter((g) => inChosen.has(g.members[0]!.index));
    const controls = [
      ...chosen.controls.filter((c) => !(stored && !stored.has(c.index) && run.mapping)),
      ...groups
        .filter((g) => !(stored && !stored.has(g.members[0]!.index) && run.mapping))
        .map((g) => g.control),
    ].filter((c) => !writtenSelectors.has(c.selector));
    // Kinds written on earlier steps or rounds are not written again (a review step repeats fields).
    const plan = planFills(controls, analysis.classes, run.options.profile, {
      lang: analysis.scan.lang,
      credentials: run.options.credentials,
      groups,
    });
    skipped = round === 0 ? plan.skipped : [...skipped, ...plan.skipped];
    const fresh = plan.fills.filter(
      (f) =>
        !run.filledKinds.has(f.kind) ||
        f.kind === 'email_confirm' ||
        f.kind === 'new_password_confirm' ||
        isPhonePart(f.kind),
    );
    if (fresh.length === 0) break;
    run.guard?.arm(valuesOf(fresh, run.options.profile));
    const autofilled = await autofillAll(run, fresh);
    for (const fill of fresh) {
      const value = autofilled.get(fill) ?? (await writeOne(run, fill));
      if (value === undefined) continue;
      writtenHere.set(fill.control.index, { fill, value });
      writtenSelectors.add(fill.control.selector);
      run.written.push({ fill, selector: selectorForMapping(fill), value });
      run.filledKinds.add(fill.kind);
      // The scan now says what the control holds (used when the page has not changed otherwise).
      if (fill.plan.action === 'check') fill.plan.member.checked = true;
      else fill.control.value = value;
    }
    // Fields revealed or re-rendered by what was written get their turn; an unchanged page needs
    // no second look (the scan is the dominant cost of a dry run on a simple form).
    const changes = await page.evaluate<number>(CHANGES_COUNT_JS).catch(() => -1);
    if (changes === scan.changes) break;
    scan = await scanPage(page);
    stored = run.mapping ? await resolveMapping(page, run.mapping) : undefined;
    rescan = true;
  }
  if (!analysis?.chosen) return stepState(analysis!, run, [], null);
  const consents = await giveConsents(run, analysis);
  if (consents > 0 || rescan) {
    // Look once more: what the page shows now decides the buttons and the required fields left.
    const changes = await page.evaluate<number>(CHANGES_COUNT_JS).catch(() => -1);
    if (changes !== scan.changes || consents > 0) {
      scan = await scanPage(page);
      stored = run.mapping ? await resolveMapping(page, run.mapping) : undefined;
    }
    const final = analyzeScan(scan, stored);
    const chosen = sameCandidate(final.candidates, analysis.chosen) ?? final.chosen ?? analysis.chosen;
    analysis = { ...final, chosen };
  }
  const chosen = analysis.chosen!;
  // Radio and checkbox groups are reported once each, in place of their boxes.
  const inChosen = new Set(chosen.controls.map((c) => c.index));
  const groups = analysis.groups.filter((g) => inChosen.has(g.members[0]!.index));
  const members = new Set(groups.flatMap((g) => g.members.map((m) => m.index)));
  const reported: Candidate = {
    ...chosen,
    controls: [...chosen.controls.filter((c) => !members.has(c.index)), ...groups.map((g) => g.control)],
  };
  const all = [...scan.controls, ...groups.map((g) => g.control)];
  reportStep(run.report, reported, analysis.classes, remapWritten(writtenHere, all), skippedIn(skipped, all));
  return stepState(analysis, run, requiredEmpty(chosen, analysis), humanCheck);
}

function stepState(analysis: Analysis, run: Run, unmapped: string[], humanCheck: string | null): StepState {
  const chosen = analysis.chosen;
  const members = new Set(chosen?.controls.map((c) => c.container) ?? []);
  if (chosen) members.add(chosen.container.index);
  const formIndex = chosen?.container.formIndex ?? -1;
  const lastFieldY = Math.max(0, ...(chosen?.controls.filter((c) => c.visible).map((c) => c.rect.y) ?? [0]));
  const buttons = chosen
    ? pickButtons(
        analysis.scan.buttons,
        (b) => members.has(b.container) || (formIndex >= 0 && b.formIndex === formIndex),
        lastFieldY,
      )
    : { all: [] };
  return {
    analysis,
    buttons,
    unmapped,
    humanCheck,
    signature: analysis.scan.controls
      .filter((c) => c.visible)
      .map((c) => c.selector)
      .join(','),
  };
}

/** The candidate of a new scan that is the same element as before. */
function sameCandidate(candidates: readonly Candidate[], before: Candidate): Candidate | undefined {
  return candidates.find(
    (c) => c.container.selector === before.container.selector && c.shape === before.shape,
  );
}

/** Written controls re-keyed by their index in a newer scan (indexes may move when the page changes). */
function remapWritten(
  written: ReadonlyMap<number, { fill: PlannedFill; value: string }>,
  controls: readonly ScannedControl[],
): Map<number, { fill: PlannedFill; value: string }> {
  const bySelector = new Map(controls.map((c) => [c.selector, c.index]));
  const out = new Map<number, { fill: PlannedFill; value: string }>();
  for (const entry of written.values()) {
    const index = bySelector.get(entry.fill.control.selector);
    if (index !== undefined) out.set(index, entry);
  }
  return out;
}

function skippedIn(
  skipped: ReturnType<typeof planFills>['skipped'],
  controls: readonly ScannedControl[],
): ReturnType<typeof planFills>['skipped'] {
  const bySelector = new Map(controls.map((c) => [c.selector, c]));
  return skipped.flatMap((s) => {
    const control = bySelector.get(s.control.selector);
    return control ? [{ ...s, control }] : [];
  });
}

function isPhonePart(kind: FillableKind): boolean {
  return kind.startsWith('phone_');
}

/** The values about to be typed, for the dry-run guard's "does this URL carry them" check. */
function valuesOf(fills: readonly PlannedFill[], profile: BusinessProfile): string[] {
  const values = fills.flatMap((f) =>
    f.plan.action === 'type' ? [f.plan.value] : f.plan.action === 'upload' ? [] : [f.plan.value],
  );
  return [...values, profile.email, profile.phone, profile.business_name];
}

function selectorForMapping(fill: PlannedFill): string {
  return fill.plan.action === 'check' && fill.control.groupSelector
    ? fill.control.groupSelector
    : fill.control.selector;
}

/** Writes one planned value; returns what was written, or undefined when the field refused it. */
async function writeOne(run: Run, fill: PlannedFill): Promise<string | undefined> {
  const { page, timeouts } = run;
  const locator = page.locator(fill.control.selector).first();
  try {
    switch (fill.plan.action) {
      case 'type':
        await locator.fill(fill.plan.value, { timeout: timeouts.actionMs });
        return fill.plan.value;
      case 'select':
        await locator.selectOption(fill.plan.value, { timeout: timeouts.actionMs });
        return fill.plan.value;
      case 'check':
        await page.locator(fill.plan.member.selector).first().check({ timeout: timeouts.actionMs });
        return fill.plan.value;
      case 'upload': {
        const logo = await loadLogoOnce(run);
        if (!logo) return undefined;
        await locator.setInputFiles(
          { name: logo.name, mimeType: logo.mimeType, buffer: logo.buffer },
          { timeout: timeouts.actionMs },
        );
        return logo.name;
      }
    }
  } catch (error) {
    // One field that cannot take the value (detached, covered, a script that rejects it) does not
    // end the submission; if it was required it is reported as unmapped.
    if (isBrowserGone(error)) throw error;
    return undefined;
  }
}

/**
 * Writes the planned values as the browser's own autofill does: the value is set and `input` and
 * `change` events are dispatched (so React, Vue and plain listeners see it), all in one round trip
 * instead of one Playwright action per field. Returns what took; a control whose value did not
 * stick (a script that reformats or refuses it, an element re-rendered meanwhile) is left out and
 * written again with Playwright's own typing by writeOne().
 */
async function autofillAll(run: Run, fills: readonly PlannedFill[]): Promise<Map<PlannedFill, string>> {
  const entries = fills
    .filter((f) => f.plan.action !== 'upload')
    .map((f) => ({
      fill: f,
      selector: f.plan.action === 'check' ? f.plan.member.selector : f.control.selector,
      action: f.plan.action,
      value: f.plan.action === 'upload' ? '' : f.plan.value,
    }));
  const took = new Map<PlannedFill, string>();
  if (entries.length === 0) return took;
  // The function and its argument travel as one expression (see page-scan.ts on why code is text).
  const argument = JSON.stringify(
    entries.map(({ selector, action, value }) => ({ selector, action, value })),
  );
  const results = await run.page
    .evaluate<boolean[]>(`(${AUTOFILL_JS})(${argument})`)
    .catch((error: unknown) => {
      if (isBrowserGone(error)) throw error;
      return [] as boolean[];
    });
  entries.forEach((entry, i) => {
    if (results[i]) took.set(entry.fill, entry.value);
  });
  return took;
}

const AUTOFILL_JS = `(entries) => {
  const setters = {
    INPUT: Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set,
    TEXTAREA: Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, 'value').set,
    SELECT: Object.getOwnPropertyDescriptor(HTMLSelectElement.prototype, 'value').set,
  };
  const fire = (el) => {
    el.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
    el.dispatchEvent(new Event('change', { bubbles: true }));
  };
  return entries.map(({ selector, action, value }) => {
    let el;
    try { el = document.querySelector(selector); } catch { return false; }
    if (!el || el.disabled || el.readOnly) return false;
    if (action === 'check') {
      if (!el.checked) el.click();
      return el.checked === true;
    }
    const set = setters[el.tagName];
    if (!set) return false;
    set.call(el, value);
    fire(el);
    return el.value === value;
  });
}`;

async function loadLogoOnce(run: Run): Promise<LogoFile | undefined> {
  if (run.logo) return run.logo;
  const ref = run.options.profile.logo;
  if (!ref || !run.options.loadLogo) return undefined;
  run.logo = await run.options.loadLogo(ref);
  return run.logo;
}

/**
 * Ticks required "I accept the terms"-style checkboxes of the chosen form: a listing cannot be
 * created without them, and buying the package is the customer's consent. Optional boxes
 * (newsletters, offers) are never ticked; a required box that is not a consent stays for a human.
 */
async function giveConsents(run: Run, analysis: Analysis): Promise<number> {
  const before = run.consentsGiven.length;
  for (const c of analysis.chosen?.controls ?? []) {
    if (c.type !== 'checkbox' || !c.required || c.checked || !c.visible || !c.editable) continue;
    const text = `${c.labels} ${c.followingText} ${c.ariaLabel} ${c.layoutText}`;
    if (!CONSENT_WORDS.test(text)) continue;
    await run.page
      .locator(c.selector)
      .first()
      .check({ timeout: run.timeouts.actionMs })
      .then(() => run.consentsGiven.push((c.labels || c.followingText || c.name).slice(0, 80)))
      .catch((error: unknown) => {
        if (isBrowserGone(error)) throw error;
      });
  }
  return run.consentsGiven.length - before;
}

/** A human check inside the chosen form, or drawn over its area. */
function humanCheckIn(
  scan: ScanResult,
  chosen: Candidate,
  classes: ReadonlyMap<number, Classification>,
): string | null {
  const containers = new Set(chosen.controls.map((c) => c.container));
  containers.add(chosen.container.index);
  const visible = chosen.controls.filter((c) => c.visible);
  const box = visible.length
    ? {
        left: Math.min(...visible.map((c) => c.rect.x)) - 50,
        right: Math.max(...visible.map((c) => c.rect.x + c.rect.width)) + 300,
        top: Math.min(...visible.map((c) => c.rect.y)) - 50,
        bottom: Math.max(...visible.map((c) => c.rect.y + c.rect.height)) + 300,
      }
    : undefined;
  for (const check of scan.humanChecks) {
    if (!check.visible) continue;
    const inside = containers.has(check.container);
    const cx = check.rect.x + check.rect.width / 2;
    const cy = check.rect.y + check.rect.height / 2;
    const over =
      box &&
      cx >= box.left &&
      cx <= box.right &&
      cy >= box.top &&
      cy <= box.bottom &&
      check.description !== 'challenge text';
    if (inside || over) return check.description;
  }
  // A text box that asks for the CAPTCHA's answer ("Type the characters you see"), visible in the
  // form: what the classifier recognized as one (a card's "security code" is not).
  const answer = chosen.controls.find((c) => c.visible && classes.get(c.index)?.kind === 'captcha');
  return answer ? `CAPTCHA answer field ${answer.selector}` : null;
}

/** Required, visible controls of the chosen form that are still empty (a radio group counts once). */
function requiredEmpty(chosen: Candidate, analysis: Analysis): string[] {
  const names = new Set<string>();
  for (const c of chosen.controls) {
    if (!c.required || !c.visible || !c.editable) continue;
    const empty =
      c.type === 'checkbox' || c.type === 'radio'
        ? !c.checked &&
          !(
            c.type === 'radio' &&
            chosen.controls.some((o) => o.type === 'radio' && o.name === c.name && o.checked)
          )
        : c.type === 'file'
          ? c.value === ''
          : c.value.trim() === '';
    if (!empty) continue;
    names.add((analysis.classes.get(c.index)?.label || c.name || c.id || c.selector).slice(0, 80));
  }
  return [...names];
}

function filledProfileFields(kinds: ReadonlySet<FillableKind>): ProfileField[] {
  const fieldOf = (kind: FillableKind): ProfileField | undefined => {
    if ((PROFILE_FIELDS as readonly string[]).includes(kind)) return kind as ProfileField;
    if (kind.startsWith('phone')) return 'phone';
    if (kind === 'email_confirm') return 'email';
    if (kind === 'contact_name') return 'contact_first_name';
    if (kind === 'street_address') return 'address_line';
    if (kind.endsWith('_url')) return 'social_profiles';
    return undefined;
  };
  const fields = new Set<ProfileField>();
  for (const kind of kinds) {
    const field = fieldOf(kind);
    if (field) fields.add(field);
    if (kind === 'contact_name') fields.add('contact_last_name');
  }
  return PROFILE_FIELDS.filter((f) => fields.has(f));
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

const formValidityJs = (selector: string): string => `(() => {
  ${PAGE_HELPERS_JS}
  const el = document.querySelector(${JSON.stringify(selector)});
  const form = el && (el.form || el.closest('form'));
  if (!form) return [];
  return Array.from(form.elements).filter((c) => c.willValidate && isVisible(c) && !c.checkValidity())
    .map((c) => (c.name || c.id || c.getAttribute('aria-label') || c.tagName.toLowerCase()) + ': ' + c.validationMessage);
})()`;

// ---------------------------------------------------------------------------------------------
// Navigation, steps, the one submit
// ---------------------------------------------------------------------------------------------

/**
 * Waits until a new document is ready or `ms` pass, whichever comes first: a poll that wakes up when
 * the page navigates instead of sleeping its whole interval.
 */
async function nextDocumentOrTimeout(page: Page, ms: number): Promise<void> {
  await page.waitForEvent('domcontentloaded', { timeout: ms }).catch(() => undefined);
}

const VISIBLE_CONTROLS_JS = `(() => {
  ${PAGE_HELPERS_JS}
  return Array.from(document.querySelectorAll(${JSON.stringify(CONTROL_SELECTOR)})).filter(isVisible).map(selectorOf).join(',');
})()`;

/**
 * Clicks Next and waits for the next step: 'moved' (new URL or other visible controls), 'sent' (a
 * dry run's guard stopped what the click tried to send) or 'stuck'.
 */
async function clickNext(run: Run, locator: Locator, signature: string): Promise<'moved' | 'sent' | 'stuck'> {
  const { page, timeouts } = run;
  const url = page.url();
  const stoppedBefore = run.guard?.stopped().length ?? 0;
  await locator.click({ timeout: timeouts.actionMs });
  const deadline = Date.now() + timeouts.actionMs;
  while (Date.now() < deadline) {
    if (run.guard && run.guard.stopped().length > stoppedBefore) return 'sent';
    await page
      .waitForLoadState('domcontentloaded', { timeout: timeouts.navigationMs })
      .catch(() => undefined);
    const now = await page.evaluate<string>(VISIBLE_CONTROLS_JS).catch(() => signature);
    if (page.url() !== url || now !== signature) {
      // Give a fetch the click started a moment to show up before calling it a client-side step.
      if (run.guard && (await run.guard.waitForStop(150))) return 'sent';
      return 'moved';
    }
    if (run.guard) {
      if (await run.guard.waitForStop(100)) return 'sent';
    } else await nextDocumentOrTimeout(page, 100);
  }
  return run.guard && run.guard.stopped().length > stoppedBefore ? 'sent' : 'stuck';
}

async function screenshotOf(page: Page, timeouts: FillTimeouts): Promise<Buffer> {
  return page.screenshot({ fullPage: true, type: 'png', timeout: timeouts.actionMs, animations: 'disabled' });
}

async function navigate(page: Page, url: string, timeouts: FillTimeouts): Promise<void> {
  // Only web pages: a directory row saying file:///proc/self/environ or javascript: is refused here,
  // before the browser sees it (the SSRF guard refuses it again in the browser).
  let scheme: string;
  try {
    scheme = new URL(url).protocol;
  } catch {
    throw new SubmissionError('permanent', 'blocked', 'The submission URL is not a valid URL');
  }
  if (scheme !== 'http:' && scheme !== 'https:') {
    throw new SubmissionError('permanent', 'blocked', `The submission URL must be http(s), not ${scheme}`);
  }
  let response: Response | null;
  try {
    response = await page.goto(url, { waitUntil: 'domcontentloaded', timeout: timeouts.navigationMs });
  } catch (error) {
    throw fromPlaywrightError(error, false);
  }
  if (response && response.status() >= 400) {
    throw httpError(response, `The form page answered HTTP ${response.status()}`, { submitAttempted: false });
  }
  // Scripts that render the form run after DOMContentLoaded: give the load event a moment.
  await page.waitForLoadState('load', { timeout: Math.min(timeouts.actionMs, 5_000) }).catch(() => undefined);
}

// A listing's confirmation, and a sign-up's: directories that need an account answer the sign-up with
// "check your inbox" or "your account is ready" rather than a thank-you.
const SUCCESS_TEXT =
  /\b(thank(s| you)|success(fully)?|submitted|received|pending (review|approval|moderation)|under review|awaiting (review|approval|moderation)|listing (is )?(live|created|published)|we('| wi)ll review|check your (inbox|e-?mail)|we('ve| have)? sent (you )?an? (verification|confirmation|activation) (link|e-?mail)|account (is |has been )?(ready|created|activated)|registration (complete|successful)|vielen dank|danke|erfolgreich|merci|succes|gracias|enviado|grazie|inviato|bedankt|verzonden|obrigado|postfach|bo[iî]te de r[ée]ception|revisa tu correo)\b/i;

interface PageState {
  url: string;
  lines: string[];
  errors: string[];
  listingUrl: string | null;
  captcha: string | null;
}

const PAGE_STATE_JS = `(() => {
  ${PAGE_HELPERS_JS}
  const lines = (document.body ? document.body.innerText : '').split('\\n').map((l) => l.trim()).filter(Boolean);
  const errors = Array.from(document.querySelectorAll('[role="alert"], .error, .errors, .alert-danger, .alert-error, .invalid-feedback, .field-error, .form-error'))
    .filter(isVisible).map(textOf).filter(Boolean);
  const http = (href) => { try { const u = new URL(href, location.href); return /^https?:$/.test(u.protocol) ? u.href : null; } catch { return null; } };
  let listingUrl = null;
  const marked = document.querySelector('[data-listing-url]');
  if (marked) listingUrl = http(marked.getAttribute('data-listing-url') || marked.getAttribute('href') || '');
  if (!listingUrl) {
    const link = Array.from(document.querySelectorAll('a[href]')).find((a) => /(view|see|visit|open) (your |the |my )?(new )?(listing|business page|profile|page)|your listing/i.test(textOf(a)));
    if (link) listingUrl = http(link.getAttribute('href'));
  }
  const captchaEl = Array.from(document.querySelectorAll(
    'iframe[src*="recaptcha"], iframe[src*="hcaptcha"], iframe[src*="turnstile"], iframe[src*="challenges.cloudflare.com"], .g-recaptcha, .h-captcha, .cf-turnstile, [data-sitekey]'
  )).find((el) => isVisible(el) || el.querySelector('iframe'));
  const captcha = captchaEl ? captchaEl.tagName.toLowerCase() + (captchaEl.className ? '.' + String(captchaEl.className).split(/\\s+/)[0] : '') : null;
  return { url: location.href, lines, errors, listingUrl, captcha };
})()`;

async function pageState(page: Page): Promise<PageState> {
  return JSON.parse(await page.evaluate<string>(`JSON.stringify(${PAGE_STATE_JS})`)) as PageState;
}

/** The one click that submits, and the wait for the directory's answer. */
async function submitOnce(
  run: Run,
  submitLocator: Locator,
  finish: (outcome: RunOutcome, result: Omit<SubmissionOutcome, 'filledFields'>) => Promise<FillResult>,
  markAttempted: () => void,
): Promise<FillResult> {
  const { page, options, timeouts } = run;
  const before = await pageState(page);
  // Everything the page sends from now on, to read the answer to the submission.
  const responses: Response[] = [];
  const onResponse = (response: Response): void => {
    const request = response.request();
    if (request.method() !== 'GET' || (request.isNavigationRequest() && request.frame() === page.mainFrame()))
      responses.push(response);
  };
  page.on('response', onResponse);
  try {
    if (!run.submitMarked) {
      try {
        await options.beforeSubmit?.();
      } catch (error) {
        throw markCallerError(error);
      }
      run.submitMarked = true;
    }
    markAttempted();
    await submitLocator.click({ timeout: timeouts.actionMs });
    return await awaitConfirmation(run, before, responses, finish);
  } finally {
    page.off('response', onResponse);
  }
}

async function awaitConfirmation(
  run: Run,
  before: PageState,
  responses: Response[],
  finish: (outcome: RunOutcome, result: Omit<SubmissionOutcome, 'filledFields'>) => Promise<FillResult>,
): Promise<FillResult> {
  const { page, timeouts } = run;
  const rule = run.mapping?.success; // a service's mapping counts too
  const beforeLines = new Set(before.lines);
  const beforeErrors = new Set(before.errors);
  const deadline = Date.now() + timeouts.navigationMs;
  let errorSeenAt: number | undefined;

  while (Date.now() < deadline) {
    await page
      .waitForLoadState('domcontentloaded', { timeout: Math.max(1, deadline - Date.now()) })
      .catch(() => undefined);
    const rejected = responses.find((r) => r.status() >= 400);
    const state = await pageState(page).catch((error: unknown) => {
      if (isBrowserGone(error)) throw error;
      return undefined; // navigating: the execution context was destroyed; look again
    });
    if (state) {
      const newLines = state.lines.filter((l) => !beforeLines.has(l));
      const newErrors = state.errors.filter((e) => !beforeErrors.has(e));
      if (rejected) {
        const status = rejected.status();
        const said = newErrors.join(' ') || newLines.slice(0, 5).join(' ');
        // Give a script-driven page a moment to show its message before reporting (not needed for
        // a 429: its Retry-After header is what matters).
        if (said || errorSeenAt !== undefined || status === 429) {
          throw httpError(rejected, `The directory answered HTTP ${status} to the submission`, {
            submitAttempted: true,
            said,
          });
        }
        errorSeenAt = Date.now();
      } else {
        const urlChanged = state.url !== before.url;
        let succeeded: string | undefined;
        if (rule && (rule.selector || rule.text || rule.urlIncludes)) {
          const bySelector = rule.selector
            ? await page
                .locator(rule.selector)
                .first()
                .isVisible()
                .catch(() => false)
            : true;
          const byText = rule.text
            ? state.lines.some((l) => l.toLowerCase().includes(rule.text!.toLowerCase()))
            : true;
          const byUrl = rule.urlIncludes ? state.url.includes(rule.urlIncludes) : true;
          if (bySelector && byText && byUrl) succeeded = "the directory's success rule matched";
        } else if (newLines.some((l) => SUCCESS_TEXT.test(l))) {
          succeeded = 'a confirmation message appeared';
        } else if (
          urlChanged &&
          newErrors.length === 0 &&
          state.captcha === null &&
          responses.some((r) => r.status() < 400)
        ) {
          // A new page without an error after the POST; confirmation text may be in another language.
          const settled = await page.waitForLoadState('load', { timeout: 2_000 }).then(
            () => true,
            () => false,
          );
          if (settled) succeeded = 'the page moved on after submitting';
        }
        if (succeeded) {
          return finish('submitted', {
            status: 'submitted',
            reason: succeeded,
            listingUrl: state.listingUrl ?? undefined,
            unmappedRequiredFields: [],
          });
        }
        if (newErrors.length > 0) {
          errorSeenAt ??= Date.now();
          if (Date.now() - errorSeenAt > 1_000) {
            throw new SubmissionError(
              'permanent',
              'validation_rejected',
              `The directory rejected the submission: ${newErrors.join(' ').slice(0, 300)}`,
              { submitAttempted: true },
            );
          }
        }
        if (state.captcha && !before.captcha) {
          return finish('needs_manual', {
            status: 'needs_manual',
            reason: `A human check appeared after submitting (${state.captcha})`,
            unmappedRequiredFields: [],
          });
        }
      }
    }
    await nextDocumentOrTimeout(page, 150);
  }
  return finish('needs_manual', {
    status: 'needs_manual',
    reason: 'No confirmation seen after submitting: verify whether the listing arrived before resubmitting',
    unmappedRequiredFields: [],
  });
}

// ---------------------------------------------------------------------------------------------
// Errors of the caller's own hook pass through untouched
// ---------------------------------------------------------------------------------------------

const CALLER_ERROR = Symbol('callerError');

/** Errors thrown by beforeSubmit pass through untouched (e.g. the caller's LeaseLost). */
function markCallerError(error: unknown): { [CALLER_ERROR]: true; error: unknown } {
  return { [CALLER_ERROR]: true, error };
}
function isCallerError(value: unknown): value is { error: unknown } {
  return typeof value === 'object' && value !== null && CALLER_ERROR in value;
}
