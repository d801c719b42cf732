/**
 * Fills a directory's submission form with a business profile and submits it, once.
 *
 * Plain functions over a Playwright Page:
 *   fillAndSubmit(page, options) -> { status, reason?, listingUrl?, unmappedRequiredFields, filledFields, screenshot }
 *
 * - Fields come from the directory's stored mapping when it has one, otherwise from detection: every
 *   visible control is described (label text, aria-label/-labelledby, name, id, autocomplete,
 *   placeholder, type, nearby text) and scored against each profile field's synonyms; the best pairs
 *   win (scoreControl / assignFields are pure and exported).
 * - Multi-step forms: fill what is visible, click Next/Continue until a submit button shows.
 * - A CAPTCHA or human check ends as needs_manual before anything is submitted; so do required
 *   fields nothing could be mapped to.
 * - `beforeSubmit()` is awaited right before the one click that submits (the caller records "about
 *   to submit" there; if it throws, nothing is submitted and its error propagates unchanged).
 * - Success: the mapping's success rule, else a new confirmation message or a new URL; a listing link
 *   on the page is captured. No confirmation at all is needs_manual (it may have been submitted:
 *   verify, never resubmit blindly).
 * - Choices: selects, radio groups and checkbox groups are matched like selects (by their label or
 *   legend, then the option that means the profile's value); a required "I accept the terms"
 *   checkbox is ticked (and reported in consentsGiven); other checkboxes are left alone.
 * - Optional mapping service: with no stored mapping, a configured service is asked for one; no
 *   answer in time, an error or an invalid answer means detection (mapping-service.ts).
 * - Failures throw SubmissionError with kind 'transient' (timeouts, network, 5xx/408, browser
 *   gone; 429 as code 'rate_limited' with retryAfterSeconds) or 'permanent' (other 4xx, form not
 *   found, validation rejected, blocked URL).
 *
 * In-page code is passed to page.evaluate as strings: transpilers (swc in jest, esbuild in the Lambda
 * bundle, tsx) may inject helpers into functions, which do not exist inside the page.
 */
import type { Locator, Page, Response } from 'playwright-core';
import { SUBMITTER } from '../shared/system-config';
import {
  PROFILE_FIELDS,
  type BusinessProfile,
  type FieldMapping,
  type ProfileField,
  type SubmissionOutcome,
} from './business-profile';
import type { MappingPort } from './mapping-service';
import { GUARD_HEADER } from './ssrf-guard';

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

export interface FillOptions {
  url: string;
  profile: BusinessProfile;
  fieldMapping?: FieldMapping | null;
  timeouts?: Partial<FillTimeouts>;
  /** Awaited right before the click that submits. Its errors propagate unchanged. */
  beforeSubmit?: () => Promise<void> | void;
  /** Fill everything, click nothing that submits; the outcome is needs_manual with reason "dry run". */
  dryRun?: boolean;
  /** Most Next clicks a multi-step form may take. */
  maxSteps?: number;
  /** Asked for a mapping when there is no stored one (never blocks: see mapping-service.ts). */
  mappingService?: MappingPort | null;
}

export interface FillResult extends SubmissionOutcome {
  /** Full-page PNG of the page at the end (the confirmation, the CAPTCHA, ...). */
  screenshot: Buffer;
  /** Where the field mapping came from. */
  mappingSource: 'stored' | 'service' | 'detected';
  /** Required consent checkboxes ticked on the customer's behalf (their labels), for the record. */
  consentsGiven: string[];
}

export type ErrorKind = 'transient' | 'permanent';
export type SubmissionErrorCode =
  | 'navigation_timeout'
  | 'network'
  | 'http_status'
  | 'blocked'
  | 'form_not_found'
  | 'validation_rejected'
  | 'browser_closed'
  | 'timeout'
  | 'rate_limited'
  | 'unknown';

export class SubmissionError extends Error {
  override readonly name = 'SubmissionError';
  readonly kind: ErrorKind;
  readonly code: SubmissionErrorCode;
  /** HTTP status that caused it, if any. */
  readonly status?: number;
  /** True once beforeSubmit ran: the directory may have received the submission. */
  readonly submitAttempted: boolean;
  /** For 'rate_limited': how long the directory asked us to wait (its Retry-After), if it said. */
  readonly retryAfterSeconds?: number;
  /** Best-effort screenshot of the page when it failed. */
  screenshot?: Buffer;

  constructor(
    kind: ErrorKind,
    code: SubmissionErrorCode,
    message: string,
    details: { status?: number; submitAttempted?: boolean; cause?: unknown; retryAfterSeconds?: number } = {},
  ) {
    super(message, { cause: details.cause });
    this.kind = kind;
    this.code = code;
    this.status = details.status;
    this.submitAttempted = details.submitAttempted ?? false;
    this.retryAfterSeconds = details.retryAfterSeconds;
  }
}

/**
 * Retry-After (RFC 9110 10.2.3): delay-seconds or an HTTP-date. Whole seconds from `now`, never
 * negative; undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  if (/^\d+$/.test(text)) return Number(text);
  if (/^[-+.\d]/.test(text)) return undefined; // a negative or fractional number is neither form
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - now) / 1000));
}

/** The error for an HTTP error answer (the form page or the submission). */
function httpError(
  response: Response,
  message: string,
  details: { submitAttempted: boolean; said?: string },
): SubmissionError {
  const status = response.status();
  const guard = response.headers()[GUARD_HEADER];
  const text = `${message}${details.said ? `: ${details.said.slice(0, 300)}` : ''}`;
  if (guard === 'blocked') {
    return new SubmissionError(
      'permanent',
      'blocked',
      `The URL is not allowed (SSRF guard): ${response.url()}`,
      {
        submitAttempted: details.submitAttempted,
      },
    );
  }
  if (guard === 'upstream-error') {
    return new SubmissionError(
      'transient',
      'network',
      `The directory could not be reached: ${response.url()}`,
      {
        submitAttempted: details.submitAttempted,
      },
    );
  }
  if (status === 429) {
    return new SubmissionError('transient', 'rate_limited', text, {
      status,
      submitAttempted: details.submitAttempted,
      retryAfterSeconds: parseRetryAfter(response.headers()['retry-after']),
    });
  }
  const transient = status >= 500 || status === 408;
  return new SubmissionError(
    transient ? 'transient' : 'permanent',
    transient || !details.submitAttempted ? 'http_status' : 'validation_rejected',
    text,
    { status, submitAttempted: details.submitAttempted },
  );
}

/** Transient or permanent, for any error a submission can throw. Unknown errors count as transient (the retry budget bounds them). */
export function classifyError(error: unknown): ErrorKind {
  if (error instanceof SubmissionError) return error.kind;
  return fromPlaywrightError(error, false).kind;
}

// ---------------------------------------------------------------------------------------------
// Field detection (pure)
// ---------------------------------------------------------------------------------------------

export interface ControlDescriptor {
  /** Position among all `input, textarea, select` of the main frame. */
  index: number;
  tag: 'input' | 'textarea' | 'select';
  type: string;
  name: string;
  id: string;
  autocomplete: string;
  placeholder: string;
  /** Text of <label>s, aria-labelledby and aria-label. */
  label: string;
  /** Short text right before the control when nothing labels it. */
  nearby: string;
  required: boolean;
  visible: boolean;
  editable: boolean;
  value: string;
  checked: boolean;
  formIndex: number;
  options: Array<{ value: string; label: string }>;
  /** For radios and checkboxes: the group's legend or radiogroup label. */
  group: string;
}

interface FieldRule {
  /** Phrases (normalized: lower case words) that name the field. */
  synonyms: string[];
  /** Phrases that mean it is some other field even if a synonym matches. */
  negatives: string[];
  /** autocomplete tokens that name it. */
  autocomplete: string[];
  /** input type that fits it. */
  type?: string;
}

/**
 * Synonyms per profile field. Multi-word phrases count more than single words, so "company name"
 * beats a bare "name"; negatives stop "contact name" becoming the business name, "email address" the
 * street address, or "address line 2" the first address line.
 */
export const FIELD_RULES: Record<ProfileField, FieldRule> = {
  business_name: {
    synonyms: [
      'business name',
      'company name',
      'name of business',
      'name of your business',
      'organization name',
      'organisation name',
      'listing name',
      'store name',
      'shop name',
      'trading name',
      'brand name',
      'business',
      'company',
      'organization',
      'organisation',
      'org',
      'firm',
      'brand',
      'biz name',
    ],
    negatives: [
      'first name',
      'last name',
      'contact name',
      'your name',
      'full name',
      'owner',
      'user name',
      'username',
      'surname',
      'given name',
      'family name',
      'email',
      'e mail',
      'domain name',
      'street name',
      'category',
      'type',
      'description',
      'website',
      'url',
      'phone',
      'address',
    ],
    autocomplete: ['organization'],
  },
  email: {
    synonyms: [
      'email',
      'e mail',
      'email address',
      'e mail address',
      'mail',
      'contact email',
      'business email',
    ],
    negatives: ['password', 'newsletter'],
    autocomplete: ['email'],
    type: 'email',
  },
  phone: {
    synonyms: [
      'phone',
      'telephone',
      'tel',
      'phone number',
      'telephone number',
      'mobile',
      'cell',
      'contact number',
      'business phone',
      'phone no',
    ],
    negatives: ['fax', 'extension', 'ext'],
    autocomplete: ['tel', 'tel-national'],
    type: 'tel',
  },
  website: {
    synonyms: [
      'website',
      'web site',
      'website url',
      'web site url',
      'url',
      'homepage',
      'home page',
      'web address',
      'site',
      'web',
      'domain',
      'link',
    ],
    negatives: [
      'facebook',
      'twitter',
      'instagram',
      'linkedin',
      'youtube',
      'tiktok',
      'logo',
      'image',
      'photo',
      'video',
      'email',
      'e mail',
    ],
    autocomplete: ['url'],
    type: 'url',
  },
  address_line: {
    synonyms: [
      'address',
      'street',
      'street address',
      'address line 1',
      'address 1',
      'addr',
      'line 1',
      'address line',
      'business address',
    ],
    negatives: [
      'email',
      'e mail',
      'web',
      'website',
      'url',
      'ip',
      'line 2',
      'address 2',
      'address line 2',
      'city',
      'zip',
      'postal',
      'country',
    ],
    autocomplete: ['street-address', 'address-line1'],
  },
  city: {
    synonyms: ['city', 'town', 'locality', 'suburb', 'municipality', 'town city', 'city town'],
    negatives: [],
    autocomplete: ['address-level2'],
  },
  region: {
    synonyms: [
      'state',
      'region',
      'province',
      'county',
      'state province',
      'state region',
      'prefecture',
      'territory',
    ],
    negatives: ['statement'],
    autocomplete: ['address-level1'],
  },
  postal_code: {
    synonyms: ['zip', 'zip code', 'zipcode', 'postal code', 'postcode', 'post code', 'postal', 'pin code'],
    negatives: [],
    autocomplete: ['postal-code'],
  },
  country: {
    synonyms: ['country', 'nation', 'country region'],
    negatives: [],
    autocomplete: ['country', 'country-name'],
  },
  category: {
    synonyms: [
      'category',
      'business category',
      'primary category',
      'business type',
      'type of business',
      'industry',
      'niche',
      'sector',
      'categories',
      'service type',
    ],
    negatives: ['sub category', 'subcategory', 'secondary'],
    autocomplete: [],
  },
  description: {
    synonyms: [
      'description',
      'business description',
      'about',
      'about your business',
      'about us',
      'details',
      'summary',
      'bio',
      'describe',
      'tell us about',
      'overview',
      'profile',
    ],
    negatives: ['short description', 'title'],
    autocomplete: [],
  },
};

/** Autocomplete tokens that mean "not the business name" / "not the first address line". */
const AUTOCOMPLETE_NEGATIVES: Partial<Record<ProfileField, string[]>> = {
  business_name: ['name', 'given-name', 'family-name', 'username', 'email'],
  address_line: ['address-line2', 'address-line3', 'email'],
};

/** Weight of a phrase match per source of text. */
const SOURCE_WEIGHTS = { label: 8, name: 6, id: 5, placeholder: 4, nearby: 3 } as const;
/** Below this a control is not assigned to a field. */
export const MATCH_THRESHOLD = 5;
const CONFIRM_WORDS = ['confirm', 'repeat', 'retype', 're enter', 'verify', 'again'];

export function normalizeText(text: string): string {
  return text
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/([a-zA-Z])(\d)/g, '$1 $2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .replace(/\b(required|optional)\b/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

function hasPhrase(text: string, phrase: string): boolean {
  return text.length > 0 && ` ${text} `.includes(` ${phrase} `);
}

/** Score of the best synonym in one source of text. */
function phraseScore(text: string, rule: FieldRule, weight: number): number {
  let best = 0;
  for (const synonym of rule.synonyms) {
    if (!hasPhrase(text, synonym)) continue;
    const words = synonym.split(' ').length;
    let score = weight * (1 + 0.25 * (words - 1));
    if (text === synonym) score *= 1.25; // the whole label is the synonym
    best = Math.max(best, score);
  }
  return best;
}

/** How well a control fits a profile field (higher is better; below MATCH_THRESHOLD: no match). */
export function scoreControl(control: ControlDescriptor, field: ProfileField): number {
  const rule = FIELD_RULES[field];
  const texts = {
    label: normalizeText(control.label),
    name: normalizeText(control.name),
    id: normalizeText(control.id),
    placeholder: normalizeText(control.placeholder),
    nearby: normalizeText(control.nearby),
  };
  // Negatives veto on what names the control (not placeholders, which hold examples like "you@example.com").
  if (
    rule.negatives.some((negative) =>
      [texts.label, texts.name, texts.id, texts.nearby].some((t) => hasPhrase(t, negative)),
    )
  ) {
    return -10;
  }
  const tokens = control.autocomplete.toLowerCase().split(/\s+/).filter(Boolean);
  if (AUTOCOMPLETE_NEGATIVES[field]?.some((t) => tokens.includes(t))) return -10;

  let score = 0;
  if (rule.autocomplete.some((t) => tokens.includes(t))) score += 12;
  for (const source of Object.keys(SOURCE_WEIGHTS) as Array<keyof typeof SOURCE_WEIGHTS>) {
    score += phraseScore(texts[source], rule, SOURCE_WEIGHTS[source]);
  }
  // A bare "name" is weak evidence for the business name (often the only name on a listing form).
  if (
    field === 'business_name' &&
    score === 0 &&
    (texts.name === 'name' || texts.label === 'name' || texts.id === 'name')
  ) {
    score += 5;
  }

  const type = control.tag === 'input' ? control.type : control.tag;
  if (rule.type && type === rule.type) score += 6;
  else if (['email', 'tel', 'url'].includes(type) && rule.type !== type) score -= 8; // typed for another field
  if (field === 'description' && control.tag === 'textarea') score += 3;
  if (control.tag === 'textarea' && field !== 'description' && field !== 'address_line') score -= 4;
  if (
    control.tag === 'select' &&
    ['email', 'phone', 'website', 'description', 'business_name'].includes(field)
  )
    score -= 8;
  return score;
}

export interface FieldAssignment {
  field: ProfileField;
  control: ControlDescriptor;
  score: number;
}

/**
 * Pairs profile fields with controls: every (field, control) score, best first, each field and
 * control used once; then "confirm email"-style controls get the value of the field they repeat.
 */
export function assignFields(
  controls: ControlDescriptor[],
  fields: readonly ProfileField[] = PROFILE_FIELDS,
): FieldAssignment[] {
  const candidates: FieldAssignment[] = [];
  for (const control of controls) {
    for (const field of fields) {
      const score = scoreControl(control, field);
      if (score >= MATCH_THRESHOLD) candidates.push({ field, control, score });
    }
  }
  candidates.sort((a, b) => b.score - a.score || a.control.index - b.control.index);
  const usedFields = new Set<ProfileField>();
  const usedControls = new Set<number>();
  const chosen: FieldAssignment[] = [];
  for (const candidate of candidates) {
    if (usedFields.has(candidate.field) || usedControls.has(candidate.control.index)) continue;
    usedFields.add(candidate.field);
    usedControls.add(candidate.control.index);
    chosen.push(candidate);
  }
  for (const candidate of candidates) {
    if (usedControls.has(candidate.control.index) || !usedFields.has(candidate.field)) continue;
    const text = normalizeText(
      `${candidate.control.label} ${candidate.control.name} ${candidate.control.placeholder}`,
    );
    if (CONFIRM_WORDS.some((w) => hasPhrase(text, w))) {
      usedControls.add(candidate.control.index);
      chosen.push(candidate);
    }
  }
  return chosen.sort((a, b) => a.control.index - b.control.index);
}

const COUNTRY_ALIASES: string[][] = [
  ['us', 'usa', 'united states', 'united states of america', 'u s', 'u s a', 'america'],
  ['gb', 'uk', 'united kingdom', 'great britain', 'britain', 'england'],
  ['ca', 'can', 'canada'],
  ['au', 'aus', 'australia'],
  ['de', 'deu', 'germany', 'deutschland'],
  ['fr', 'fra', 'france'],
  ['ie', 'irl', 'ireland'],
  ['nz', 'nzl', 'new zealand'],
  ['in', 'ind', 'india'],
];

/**
 * The option of a <select> that means `value`: exact value or label, then known country aliases,
 * then the option whose label contains the value as words (or is contained in it), longest first.
 * Undefined when nothing fits: the select is left alone rather than set to a wrong choice.
 */
export function chooseOption(
  options: Array<{ value: string; label: string }>,
  value: string,
  field?: ProfileField,
): string | undefined {
  const real = options.filter((o) => o.value !== '' || o.label.trim() !== '');
  const wanted = normalizeText(value);
  if (!wanted) return undefined;
  const exact = real.find(
    (o) =>
      o.value.toLowerCase() === value.toLowerCase() ||
      normalizeText(o.label) === wanted ||
      normalizeText(o.value) === wanted,
  );
  if (exact) return exact.value;
  if (field === 'country') {
    const group = COUNTRY_ALIASES.find((g) => g.includes(wanted));
    const alias =
      group &&
      real.find((o) => group.includes(normalizeText(o.value)) || group.includes(normalizeText(o.label)));
    if (alias) return alias.value;
  }
  const partial = real
    .filter((o) => o.value !== '')
    .map((o) => ({ o, label: normalizeText(o.label) }))
    .filter(({ label }) => label.length >= 3 && (hasPhrase(label, wanted) || hasPhrase(wanted, label)))
    .sort((a, b) => b.label.length - a.label.length);
  if (partial[0]) return partial[0].o.value;
  // Same word, other form: a "Plumber" is listed under "Plumbing", a "Dentist" under "Dentists".
  const wantedStems = stems(wanted);
  const byStem = real.filter((o) => {
    if (o.value === '') return false;
    const labelStems = stems(normalizeText(o.label));
    const [shorter, longer] =
      labelStems.length <= wantedStems.length ? [labelStems, wantedStems] : [wantedStems, labelStems];
    return shorter.length > 0 && shorter.every((stem) => longer.includes(stem));
  });
  return byStem.length === 1 ? byStem[0]!.value : undefined; // ambiguous: leave it
}

/** Crude English stems of a normalized phrase's words (4+ letters kept): enough for category names. */
function stems(text: string): string[] {
  return text
    .split(' ')
    .filter((w) => w.length >= 3 && !['and', 'the', 'for', 'services', 'service'].includes(w))
    .map((w) => {
      const stem = w.replace(/(icians|ician|ists|ist|ers|er|ing|ies|y|s)$/, '');
      return stem.length >= 4 ? stem : w;
    });
}

// ---------------------------------------------------------------------------------------------
// Buttons and page state (pure decisions over what the page reports)
// ---------------------------------------------------------------------------------------------

export interface ButtonDescriptor {
  index: number;
  text: string;
  type: string;
  visible: boolean;
  enabled: boolean;
  formIndex: number;
  inSearchForm: boolean;
}

const SUBMIT_WORDS =
  /\b(submit|send|publish|add (my |your )?(business|listing|company|site)|list (my|your) (business|company)|get listed|create (my )?listing|register|finish|complete|done|save|post|apply)\b/i;
const NEXT_WORDS = /\b(next|continue|proceed|forward)\b|[›»→]/i;
const NEVER_CLICK =
  /\b(search|back|previous|prev|cancel|reset|clear|log ?in|sign ?in|subscribe|newsletter|upload|delete|remove)\b/i;

export function pickButtons(
  buttons: ButtonDescriptor[],
  targetForm: number,
): { submit?: ButtonDescriptor; next?: ButtonDescriptor } {
  const usable = buttons.filter(
    (b) =>
      b.visible &&
      b.enabled &&
      !b.inSearchForm &&
      !NEVER_CLICK.test(b.text) &&
      (targetForm < 0 || b.formIndex === targetForm || b.formIndex < 0),
  );
  const next = usable.find((b) => NEXT_WORDS.test(b.text) && !SUBMIT_WORDS.test(b.text));
  const scored = usable
    .filter((b) => b !== next)
    .map((b) => ({
      b,
      score:
        (SUBMIT_WORDS.test(b.text) ? 5 : 0) +
        (b.type === 'submit' ? 3 : 0) +
        (b.formIndex === targetForm ? 2 : 0),
    }))
    .filter(({ score }) => score >= 3)
    .sort((a, b) => b.score - a.score);
  return { submit: scored[0]?.b, next };
}

const SUCCESS_TEXT =
  /\b(thank(s| you)|success(fully)?|submitted|received|pending (review|approval|moderation)|under review|awaiting (review|approval|moderation)|listing (is )?(live|created|published)|we('| wi)ll review)\b/i;

interface PageState {
  url: string;
  lines: string[];
  errors: string[];
  listingUrl: string | null;
  captcha: string | null;
}

// ---------------------------------------------------------------------------------------------
// In-page scripts (strings: see the header)
// ---------------------------------------------------------------------------------------------

const CONTROL_SELECTOR = 'input, textarea, select';

const VISIBLE_JS = `
  const isVisible = (el) => {
    if (el.type === 'hidden') return false;
    if (el.closest('[hidden], [aria-hidden="true"]')) return false;
    const style = getComputedStyle(el);
    if (style.display === 'none' || style.visibility === 'hidden' || Number(style.opacity) === 0) return false;
    const r = el.getBoundingClientRect();
    if (r.width < 2 || r.height < 2) return false;
    // Off-screen (the classic honeypot): left of or above the document.
    if (r.right + window.scrollX < 0 || r.bottom + window.scrollY < 0) return false;
    return true;
  };
  const textOf = (el) => (el ? (el.innerText || el.textContent || '') : '').replace(/\\s+/g, ' ').trim();
`;

const DESCRIBE_CONTROLS_JS = `(() => {
  ${VISIBLE_JS}
  const forms = Array.from(document.forms);
  const labelText = (el) => {
    const parts = [];
    for (const label of Array.from(el.labels || [])) {
      const clone = label.cloneNode(true);
      for (const inner of Array.from(clone.querySelectorAll('input, select, textarea, option, button'))) inner.remove();
      parts.push(textOf(clone) || clone.textContent || '');
    }
    const by = el.getAttribute('aria-labelledby');
    if (by) for (const id of by.split(/\\s+/)) parts.push(textOf(document.getElementById(id)));
    parts.push(el.getAttribute('aria-label') || '');
    return parts.join(' ').replace(/\\s+/g, ' ').trim();
  };
  const groupText = (el) => {
    const set = el.closest('fieldset');
    const legend = set && set.querySelector('legend');
    if (legend) return textOf(legend);
    const group = el.closest('[role="radiogroup"], [role="group"]');
    if (!group) return '';
    const by = group.getAttribute('aria-labelledby');
    return (by ? textOf(document.getElementById(by)) : '') || group.getAttribute('aria-label') || '';
  };
  const nearbyText = (el) => {
    let prev = el.previousElementSibling;
    if (!prev && el.parentElement && el.parentElement.children.length === 1) prev = el.parentElement.previousElementSibling;
    if (!prev || prev.matches('input, select, textarea, button') || prev.querySelector('input, select, textarea')) return '';
    const t = textOf(prev);
    return t.length <= 60 ? t : '';
  };
  return Array.from(document.querySelectorAll(${JSON.stringify(CONTROL_SELECTOR)})).map((el, index) => {
    const tag = el.tagName.toLowerCase();
    return {
      index,
      tag,
      type: tag === 'input' ? (el.getAttribute('type') || 'text').toLowerCase() : tag,
      name: el.getAttribute('name') || '',
      id: el.id || '',
      autocomplete: el.getAttribute('autocomplete') || '',
      placeholder: el.getAttribute('placeholder') || '',
      label: labelText(el),
      nearby: labelText(el) ? '' : nearbyText(el),
      required: el.required || el.getAttribute('aria-required') === 'true',
      visible: isVisible(el),
      editable: !el.disabled && !el.readOnly,
      value: el.value || '',
      checked: !!el.checked,
      formIndex: forms.indexOf(el.form || el.closest('form')),
      options: tag === 'select' ? Array.from(el.options).map((o) => ({ value: o.value, label: textOf(o) || o.label || '' })) : [],
      group: (el.type === 'radio' || el.type === 'checkbox') ? groupText(el) : '',
    };
  });
})()`;

const BUTTON_SELECTOR =
  'button, input[type="submit"], input[type="button"], input[type="image"], [role="button"]';

const DESCRIBE_BUTTONS_JS = `(() => {
  ${VISIBLE_JS}
  const forms = Array.from(document.forms);
  return Array.from(document.querySelectorAll(${JSON.stringify(BUTTON_SELECTOR)})).map((el, index) => {
    const form = el.form || el.closest('form');
    const tag = el.tagName.toLowerCase();
    return {
      index,
      text: (textOf(el) || el.value || el.getAttribute('aria-label') || el.getAttribute('title') || el.getAttribute('alt') || '').slice(0, 80),
      type: tag === 'button' ? (el.getAttribute('type') || (form ? 'submit' : 'button')).toLowerCase() : (el.getAttribute('type') || '').toLowerCase(),
      visible: isVisible(el),
      enabled: !el.disabled && el.getAttribute('aria-disabled') !== 'true',
      formIndex: forms.indexOf(form),
      inSearchForm: !!form && (form.getAttribute('role') === 'search' || !!form.querySelector('input[type="search"]')),
    };
  });
})()`;

const PAGE_STATE_JS = `(() => {
  ${VISIBLE_JS}
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
    'iframe[src*="recaptcha"], iframe[src*="hcaptcha"], iframe[src*="turnstile"], iframe[src*="challenges.cloudflare.com"], iframe[src*="arkoselabs"], iframe[title*="captcha" i], ' +
    '.g-recaptcha, .h-captcha, .cf-turnstile, [data-sitekey], [data-captcha], [class*="captcha" i], [id*="captcha" i], [name*="captcha" i]'
  )).find((el) => el.tagName === 'IFRAME' || isVisible(el) || el.querySelector('iframe'));
  let captcha = captchaEl ? (captchaEl.tagName.toLowerCase() + (captchaEl.className ? '.' + String(captchaEl.className).split(/\\s+/)[0] : '') + (captchaEl.id ? '#' + captchaEl.id : '')) : null;
  if (!captcha && /i'?m not a robot|verify (that )?you are (a )?human|human verification|complete the captcha/i.test(lines.join(' '))) captcha = 'human-check text';
  return { url: location.href, lines, errors, listingUrl, captcha };
})()`;

const formValidityJs = (buttonIndex: number): string => `(() => {
  const el = document.querySelectorAll(${JSON.stringify(BUTTON_SELECTOR)})[${Number(buttonIndex)}];
  const form = el && (el.form || el.closest('form'));
  if (!form) return [];
  return Array.from(form.elements).filter((c) => c.willValidate && !c.checkValidity())
    .map((c) => (c.name || c.id || c.getAttribute('aria-label') || c.tagName.toLowerCase()) + ': ' + c.validationMessage);
})()`;

// ---------------------------------------------------------------------------------------------
// The procedure
// ---------------------------------------------------------------------------------------------

const FILLABLE_INPUT_TYPES = new Set(['text', 'email', 'tel', 'url', 'number', '']);

function isFillable(control: ControlDescriptor): boolean {
  if (!control.visible || !control.editable) return false;
  if (control.tag === 'input') return FILLABLE_INPUT_TYPES.has(control.type);
  return true;
}

function controlName(control: ControlDescriptor): string {
  return (
    control.label ||
    control.name ||
    control.id ||
    control.placeholder ||
    control.nearby ||
    `${control.tag}#${control.index}`
  ).slice(0, 80);
}

async function describeControls(page: Page): Promise<ControlDescriptor[]> {
  return page.evaluate<ControlDescriptor[]>(DESCRIBE_CONTROLS_JS);
}

async function pageState(page: Page): Promise<PageState> {
  return page.evaluate<PageState>(PAGE_STATE_JS);
}

/** The form most fillable controls belong to (not a search form); -1 when controls have no form. */
function targetFormOf(controls: ControlDescriptor[]): number {
  const counts = new Map<number, number>();
  for (const c of controls) {
    if (!isFillable(c) || c.type === 'search') continue;
    counts.set(c.formIndex, (counts.get(c.formIndex) ?? 0) + 1);
  }
  let best = -1;
  let bestCount = 0;
  for (const [form, count] of counts) {
    if (count > bestCount) [best, bestCount] = [form, count];
  }
  return best;
}

function isEmpty(control: ControlDescriptor): boolean {
  if (control.tag === 'input' && (control.type === 'checkbox' || control.type === 'radio'))
    return !control.checked;
  return control.value.trim() === '';
}

/** Required, visible controls that are still empty (radio groups count once). */
function requiredEmpty(controls: ControlDescriptor[], targetForm: number): string[] {
  const names = new Set<string>();
  for (const c of controls) {
    if (!c.required || !c.visible || !c.editable || !isEmpty(c)) continue;
    if (targetForm >= 0 && c.formIndex !== targetForm) continue;
    if (c.type === 'radio' && controls.some((o) => o.type === 'radio' && o.name === c.name && o.checked))
      continue;
    names.add(controlName(c));
  }
  return [...names];
}

function visibleSignature(controls: ControlDescriptor[]): string {
  return controls
    .filter((c) => c.visible)
    .map((c) => c.index)
    .join(',');
}

interface Context {
  page: Page;
  options: FillOptions;
  timeouts: FillTimeouts;
  filledFields: Set<ProfileField>;
  filledControls: Set<number>;
  consentsGiven: string[];
}

const CHOICE_TYPES = new Set(['radio', 'checkbox']);
const GROUP_TYPES = { radio: 'radio-group', checkbox: 'checkbox-group' } as const;
/** A required checkbox with one of these words is a consent the submitter may give. */
const CONSENT_WORDS =
  /\b(agree|accept|terms|conditions|consent|privacy policy|confirm that|certify|i am (the )?(owner|authori[sz]ed))\b/i;

/**
 * Radio groups, and checkbox groups (several boxes of one name), as select-like descriptors, so
 * scoring and chooseOption treat them as selects: the group's legend is its label, each box's own
 * label an option. Returns the descriptors and their members by descriptor index.
 */
export function choiceGroups(controls: ControlDescriptor[]): {
  groups: ControlDescriptor[];
  members: Map<number, ControlDescriptor[]>;
} {
  const byName = new Map<string, ControlDescriptor[]>();
  for (const c of controls) {
    if (c.tag !== 'input' || !CHOICE_TYPES.has(c.type) || !c.name || !c.visible || !c.editable) continue;
    const key = `${c.formIndex}|${c.type}|${c.name}`;
    byName.set(key, [...(byName.get(key) ?? []), c]);
  }
  const groups: ControlDescriptor[] = [];
  const members = new Map<number, ControlDescriptor[]>();
  for (const list of byName.values()) {
    if (list.length < 2) continue; // one checkbox is a yes/no question, not a choice
    const first = list[0]!;
    groups.push({
      ...first,
      tag: 'select',
      type: GROUP_TYPES[first.type as 'radio' | 'checkbox'],
      label: first.group,
      id: '',
      placeholder: '',
      nearby: '',
      required: list.some((m) => m.required),
      value: list.some((m) => m.checked) ? 'checked' : '',
      options: list.map((m) => ({ value: m.value, label: m.label || m.value })),
    });
    members.set(first.index, list);
  }
  return { groups, members };
}

/** Ticks the member of a radio/checkbox group that means `value`; false when none fits. */
async function checkChoice(
  page: Page,
  group: ControlDescriptor,
  members: ControlDescriptor[],
  field: ProfileField,
  value: string,
  ctx: Context,
): Promise<boolean> {
  const choice = chooseOption(group.options, value, field);
  const position = group.options.findIndex((o) => o.value === choice);
  const member = members[position];
  if (choice === undefined || !member) return false;
  await page.locator(CONTROL_SELECTOR).nth(member.index).check({ timeout: ctx.timeouts.actionMs });
  return true;
}

async function fillControl(
  locator: Locator,
  control: Pick<ControlDescriptor, 'tag' | 'options'> | undefined,
  field: ProfileField,
  value: string,
  ctx: Context,
): Promise<boolean> {
  try {
    // A mapped selector: read the element's kind and options. (An inline arrow with no named inner
    // functions: nothing for a transpiler to inject.)
    const described =
      control ??
      (await locator.evaluate((el: Element) => ({
        tag: el.tagName.toLowerCase() as ControlDescriptor['tag'],
        options:
          el.tagName === 'SELECT'
            ? Array.from((el as HTMLSelectElement).options, (o) => ({ value: o.value, label: o.label }))
            : [],
      })));
    if (described.tag === 'select') {
      const choice = chooseOption(described.options, value, field);
      if (choice === undefined) return false; // no matching option: leave it as it is
      await locator.selectOption(choice, { timeout: ctx.timeouts.actionMs });
      return true;
    }
    await locator.fill(value, { timeout: ctx.timeouts.actionMs });
    return true;
  } catch (error) {
    // One field that cannot take the value (number input, detached, covered) does not end the
    // submission; if it was required it is reported as unmapped.
    if (isBrowserGone(error)) throw error;
    return false;
  }
}

/** Fills the visible part of the form. Returns the descriptors after filling. */
async function fillVisibleStep(ctx: Context): Promise<ControlDescriptor[]> {
  const { page, options } = ctx;
  const controls = await describeControls(page);
  const mapping = options.fieldMapping;
  const target = targetFormOf(controls);
  if (mapping) {
    for (const field of PROFILE_FIELDS) {
      const selector = mapping.fields[field];
      if (!selector || ctx.filledFields.has(field)) continue;
      const locator = page.locator(selector).first();
      if (!(await locator.isVisible().catch(() => false))) continue; // perhaps on a later step
      // A mapped radio/checkbox selector names the whole group: pick the member by its label.
      const indexes = new Set(
        await page
          .locator(selector)
          .evaluateAll(
            (els: Element[], sel: string) =>
              els.map((el) => Array.from(document.querySelectorAll(sel)).indexOf(el)),
            CONTROL_SELECTOR,
          )
          .catch(() => [] as number[]),
      );
      const members = controls.filter((c) => indexes.has(c.index) && CHOICE_TYPES.has(c.type));
      const filled =
        members.length > 0
          ? await checkChoice(
              page,
              {
                ...members[0]!,
                options: members.map((m) => ({ value: m.value, label: m.label || m.value })),
              },
              members,
              field,
              options.profile[field],
              ctx,
            ).catch((error: unknown) => {
              if (isBrowserGone(error)) throw error;
              return false;
            })
          : await fillControl(locator, undefined, field, options.profile[field], ctx);
      if (filled) ctx.filledFields.add(field);
    }
  } else {
    const unfilled = controls.filter((c) => !ctx.filledControls.has(c.index));
    const inTarget = (c: ControlDescriptor): boolean => target < 0 || c.formIndex === target;
    const { groups, members } = choiceGroups(unfilled.filter(inTarget));
    const inForm = [...unfilled.filter((c) => isFillable(c) && inTarget(c)), ...groups];
    const assignments = assignFields(inForm, PROFILE_FIELDS).filter(
      (a) =>
        !ctx.filledFields.has(a.field) ||
        CONFIRM_WORDS.some((w) => hasPhrase(normalizeText(`${a.control.label} ${a.control.name}`), w)),
    );
    for (const { field, control } of assignments) {
      const group = members.get(control.index);
      let filled: boolean;
      if (group) {
        filled = await checkChoice(page, control, group, field, options.profile[field], ctx).catch(
          (error: unknown) => {
            if (isBrowserGone(error)) throw error;
            return false;
          },
        );
        if (filled) for (const m of group) ctx.filledControls.add(m.index);
      } else {
        const locator = page.locator(CONTROL_SELECTOR).nth(control.index);
        filled = await fillControl(locator, control, field, options.profile[field], ctx);
        if (filled) ctx.filledControls.add(control.index);
      }
      if (filled) ctx.filledFields.add(field);
    }
  }
  await giveConsents(ctx, controls, target);
  return describeControls(page);
}

/**
 * Ticks required "I accept the terms"-style checkboxes of the form: a listing cannot be created
 * without them, and buying the package is the customer's consent. Optional boxes (newsletters,
 * offers) are never ticked; a required box that is not a consent stays for a human.
 */
async function giveConsents(ctx: Context, controls: ControlDescriptor[], target: number): Promise<void> {
  for (const c of controls) {
    if (c.type !== 'checkbox' || !c.required || c.checked || !c.visible || !c.editable) continue;
    if (target >= 0 && c.formIndex !== target) continue;
    if (!CONSENT_WORDS.test(c.label)) continue;
    await ctx.page
      .locator(CONTROL_SELECTOR)
      .nth(c.index)
      .check({ timeout: ctx.timeouts.actionMs })
      .then(() => ctx.consentsGiven.push(controlName(c)))
      .catch((error: unknown) => {
        if (isBrowserGone(error)) throw error;
      });
  }
}

/**
 * Waits until a new document is ready or `ms` pass, whichever comes first: a poll that wakes up when
 * the page navigates instead of sleeping its whole interval (bench/suites/browser-cost.ts measured
 * the fixed sleeps as a large share of a submission).
 */
async function nextDocumentOrTimeout(page: Page, ms: number): Promise<void> {
  await page.waitForEvent('domcontentloaded', { timeout: ms }).catch(() => undefined);
}

async function clickAndWaitForChange(
  page: Page,
  locator: Locator,
  before: { signature: string; url: string },
  timeouts: FillTimeouts,
): Promise<boolean> {
  await locator.click({ timeout: timeouts.actionMs });
  const deadline = Date.now() + timeouts.actionMs;
  while (Date.now() < deadline) {
    await page
      .waitForLoadState('domcontentloaded', { timeout: timeouts.navigationMs })
      .catch(() => undefined);
    const url = page.url();
    const signature = await describeControls(page)
      .then(visibleSignature)
      .catch(() => before.signature);
    if (url !== before.url || signature !== before.signature) return true;
    await nextDocumentOrTimeout(page, 100);
  }
  return false;
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

export async function fillAndSubmit(page: Page, options: FillOptions): Promise<FillResult> {
  const timeouts: FillTimeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  page.setDefaultTimeout(timeouts.actionMs);
  page.setDefaultNavigationTimeout(timeouts.navigationMs);
  const ctx: Context = {
    page,
    options,
    timeouts,
    filledFields: new Set(),
    filledControls: new Set(),
    consentsGiven: [],
  };
  let submitAttempted = false;
  let mappingSource: FillResult['mappingSource'] = options.fieldMapping ? 'stored' : 'detected';

  const finish = async (
    outcome: Omit<SubmissionOutcome, 'filledFields'> & { filledFields?: ProfileField[] },
  ): Promise<FillResult> => ({
    ...outcome,
    filledFields: outcome.filledFields ?? PROFILE_FIELDS.filter((f) => ctx.filledFields.has(f)),
    mappingSource,
    consentsGiven: ctx.consentsGiven,
    screenshot: await screenshotOf(page, timeouts),
  });

  try {
    await navigate(page, options.url, timeouts);
    await page
      .waitForSelector('input:not([type="hidden"]), textarea, select', {
        state: 'visible',
        timeout: timeouts.actionMs,
      })
      .catch(() => {
        throw new SubmissionError('permanent', 'form_not_found', `No form fields on ${options.url}`);
      });

    // A stored mapping wins; without one, a mapping service may suggest one (never blocking).
    if (!options.fieldMapping && options.mappingService) {
      const controls = (await describeControls(page)).filter((c) => c.visible);
      const suggested = await options.mappingService.suggest({ url: page.url(), controls });
      if (suggested) {
        ctx.options = { ...options, fieldMapping: suggested };
        mappingSource = 'service';
      }
    }

    const maxSteps = options.maxSteps ?? 6;
    let submitIndex: number | undefined;
    let submitLocator: Locator | undefined;
    let unmapped: string[] = [];
    for (let step = 0; step <= maxSteps; step += 1) {
      const state = await pageState(page);
      if (state.captcha)
        return await finish({
          status: 'needs_manual',
          reason: `CAPTCHA or human check on the form (${state.captcha})`,
          unmappedRequiredFields: [],
        });

      const controls = await fillVisibleStep(ctx);
      const target = targetFormOf(controls);
      unmapped = requiredEmpty(controls, target);

      const buttons = await page.evaluate<ButtonDescriptor[]>(DESCRIBE_BUTTONS_JS);
      const picked = pickButtons(buttons, target);
      const mappedSubmit = ctx.options.fieldMapping?.submit
        ? page.locator(ctx.options.fieldMapping.submit).first()
        : undefined;
      if (mappedSubmit && (await mappedSubmit.isVisible().catch(() => false))) {
        submitLocator = mappedSubmit;
      } else if (picked.submit) {
        submitIndex = picked.submit.index;
        submitLocator = page.locator(BUTTON_SELECTOR).nth(picked.submit.index);
      }

      if (unmapped.length > 0) {
        return await finish({
          status: 'needs_manual',
          reason: `Required fields could not be filled: ${unmapped.join(', ')}`,
          unmappedRequiredFields: unmapped,
        });
      }
      if (submitLocator) break;
      if (!picked.next) {
        throw new SubmissionError('permanent', 'form_not_found', `No submit button found on ${page.url()}`);
      }
      if (step === maxSteps)
        throw new SubmissionError(
          'permanent',
          'form_not_found',
          `Still no submit button after ${maxSteps} steps`,
        );
      const advanced = await clickAndWaitForChange(
        page,
        page.locator(BUTTON_SELECTOR).nth(picked.next.index),
        { signature: visibleSignature(controls), url: page.url() },
        timeouts,
      );
      if (!advanced) {
        throw new SubmissionError(
          'permanent',
          'validation_rejected',
          `"${picked.next.text}" did not lead to a next step (the form refused the values)`,
        );
      }
    }
    if (!submitLocator) throw new SubmissionError('permanent', 'form_not_found', 'No submit button found');
    if (ctx.filledFields.size === 0) {
      throw new SubmissionError(
        'permanent',
        'form_not_found',
        'No profile field could be matched to the form',
      );
    }

    // A CAPTCHA may only appear on the last step.
    const before = await pageState(page);
    if (before.captcha)
      return await finish({
        status: 'needs_manual',
        reason: `CAPTCHA or human check on the form (${before.captcha})`,
        unmappedRequiredFields: [],
      });

    // The browser's own validation would silently stop the submission: report it instead.
    if (submitIndex !== undefined) {
      const invalid = await page.evaluate<string[]>(formValidityJs(submitIndex));
      if (invalid.length > 0)
        throw new SubmissionError(
          'permanent',
          'validation_rejected',
          `The form rejects the values: ${invalid.join('; ')}`,
        );
    }

    if (options.dryRun) {
      return await finish({
        status: 'needs_manual',
        reason: 'dry run: form filled, not submitted',
        unmappedRequiredFields: [],
      });
    }

    // Everything the page sends from now on, to read the answer to the submission.
    const responses: Response[] = [];
    const onResponse = (response: Response): void => {
      const request = response.request();
      if (
        request.method() !== 'GET' ||
        (request.isNavigationRequest() && request.frame() === page.mainFrame())
      )
        responses.push(response);
    };
    page.on('response', onResponse);
    try {
      await options.beforeSubmit?.();
    } catch (error) {
      page.off('response', onResponse);
      throw markCallerError(error);
    }
    submitAttempted = true;
    try {
      await submitLocator.click({ timeout: timeouts.actionMs });
      return await awaitConfirmation(ctx, before, responses, finish);
    } finally {
      page.off('response', onResponse);
    }
  } catch (error) {
    if (isCallerError(error)) throw unmarkCallerError(error);
    const failure = error instanceof SubmissionError ? error : fromPlaywrightError(error, submitAttempted);
    if (!failure.screenshot && !isBrowserGone(error)) {
      failure.screenshot = await screenshotOf(page, timeouts).catch(() => undefined);
    }
    throw failure;
  }
}

async function awaitConfirmation(
  ctx: Context,
  before: PageState,
  responses: Response[],
  finish: (outcome: Omit<SubmissionOutcome, 'filledFields'>) => Promise<FillResult>,
): Promise<FillResult> {
  const { page, timeouts, options } = ctx;
  const rule = options.fieldMapping?.success; // ctx.options: a service's mapping counts too
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
          return finish({
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
          return finish({
            status: 'needs_manual',
            reason: `A human check appeared after submitting (${state.captcha})`,
            unmappedRequiredFields: [],
          });
        }
      }
    }
    await nextDocumentOrTimeout(page, 150);
  }
  return finish({
    status: 'needs_manual',
    reason: 'No confirmation seen after submitting: verify whether the listing arrived before resubmitting',
    unmappedRequiredFields: [],
  });
}

// ---------------------------------------------------------------------------------------------
// Error classification
// ---------------------------------------------------------------------------------------------

const CALLER_ERROR = Symbol('callerError');

/** Errors thrown by beforeSubmit pass through untouched (e.g. the caller's LeaseLost). */
function markCallerError(error: unknown): unknown {
  return { [CALLER_ERROR]: true, error };
}
function isCallerError(value: unknown): value is { error: unknown } {
  return typeof value === 'object' && value !== null && CALLER_ERROR in value;
}
function unmarkCallerError(value: { error: unknown }): unknown {
  return value.error;
}

function isBrowserGone(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return /Target (page, context or browser|closed)|has been closed|Browser closed|browser has disconnected|crash/i.test(
    message,
  );
}

function fromPlaywrightError(error: unknown, submitAttempted: boolean): SubmissionError {
  const message = error instanceof Error ? error.message : String(error);
  const first = message.split('\n')[0] ?? message;
  if (error instanceof SubmissionError) return error;
  if (/net::ERR_BLOCKED_BY_CLIENT/.test(message)) {
    return new SubmissionError('permanent', 'blocked', `The URL is not allowed: ${first}`, {
      submitAttempted,
      cause: error,
    });
  }
  if (error instanceof Error && error.name === 'TimeoutError') {
    const code = /goto|navigat/i.test(message) ? 'navigation_timeout' : 'timeout';
    return new SubmissionError('transient', code, first, { submitAttempted, cause: error });
  }
  if (/net::ERR_|NS_ERROR_|ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN/.test(message)) {
    return new SubmissionError('transient', 'network', first, { submitAttempted, cause: error });
  }
  if (isBrowserGone(error)) {
    return new SubmissionError('transient', 'browser_closed', first, { submitAttempted, cause: error });
  }
  return new SubmissionError('transient', 'unknown', first, { submitAttempted, cause: error });
}
