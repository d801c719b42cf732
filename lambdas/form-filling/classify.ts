/**
 * What each form control asks for, from everything the page says about it. Plain functions over
 * scanned descriptors (page-scan.ts): no browser.
 *
 * The order of evidence follows the browsers' autofill engines (Firefox's inferFieldInfo, Chromium's
 * form parsers): a recognized `autocomplete` token decides; otherwise every text source votes with
 * its weight (the text a person reads beats the attributes a developer wrote), the input type and
 * length limits are hints (a ZIP code in a type=tel box is still a ZIP code), and a <select>'s options
 * can say on their own that it is a country or a state list. A second pass over neighbouring fields
 * (neighbours.ts) then corrects what a field cannot tell alone: split phones, address line 2,
 * confirmations, first/last name pairs.
 */
import { FILLABLE_KINDS, type FieldKind } from './field-kinds';
import type { ScannedControl } from './page-scan';
import { compileRules, normalizeText, RULES, type CompiledRule } from './rules';
import {
  looksLikeCountryList,
  looksLikeDialCodeList,
  looksLikeRegionList,
  looksLikeYearList,
} from './values';

/** Where a classification came from (reported to admins; stored mappings say 'stored'). */
export type EvidenceSource =
  | 'autocomplete'
  | 'label'
  | 'aria-labelledby'
  | 'aria-label'
  | 'layout text'
  | 'column header'
  | 'placeholder'
  | 'title'
  | 'name'
  | 'id'
  | 'description'
  | 'following text'
  | 'type'
  | 'options'
  | 'neighbours';

export interface Classification {
  kind: FieldKind;
  /** 0..1: how sure; below CONFIDENT a value is still written, but the report says it was a guess. */
  confidence: number;
  /** The source that weighed most. */
  source: EvidenceSource | null;
  /** The best human-readable label (for reports and error messages). */
  label: string;
  /** Raw score of the winner and the runner-up (for the second pass and for tests). */
  score: number;
  runnerUp?: { kind: FieldKind; score: number };
}

/** The weight of a match in each source: what a person reads first. */
const SOURCE_WEIGHTS: ReadonlyArray<{
  source: EvidenceSource;
  weight: number;
  attribute: boolean;
  text: (c: ScannedControl) => string;
}> = [
  { source: 'label', weight: 1.0, attribute: false, text: (c) => c.labels },
  { source: 'aria-labelledby', weight: 1.0, attribute: false, text: (c) => c.labelledBy },
  { source: 'aria-label', weight: 0.95, attribute: false, text: (c) => c.ariaLabel },
  { source: 'layout text', weight: 0.85, attribute: false, text: (c) => (c.labels ? '' : c.layoutText) },
  { source: 'placeholder', weight: 0.75, attribute: false, text: (c) => c.placeholder },
  { source: 'name', weight: 0.8, attribute: true, text: (c) => c.name },
  { source: 'id', weight: 0.7, attribute: true, text: (c) => (c.id === c.name ? '' : c.id) },
  { source: 'column header', weight: 0.6, attribute: false, text: (c) => c.columnHeader },
  { source: 'title', weight: 0.5, attribute: false, text: (c) => (c.title === c.name ? '' : c.title) },
  { source: 'description', weight: 0.3, attribute: false, text: (c) => c.describedBy },
];

/** A weak (generic) match counts this much of its source's weight. */
const WEAK_FACTOR = 0.4;
/** Below this score a control is `unknown`. */
export const MIN_SCORE = 0.38;
/** At or above this confidence a classification is a finding, not a guess. */
export const CONFIDENT = 0.7;

const COMPILED = compileRules(RULES);

/** Kinds a <select> can be (anything else in a select is unknown). */
const SELECT_KINDS = new Set<FieldKind>([
  'country',
  'region',
  'city',
  'category',
  'year_established',
  'phone_country_code',
  'name_prefix',
  'birth_date',
  'credit_card',
  'quantity',
  'opening_hours',
]);
/** Kinds that never take a multi-line text box. */
const SINGLE_LINE_KINDS = new Set<FieldKind>([
  'email',
  'email_confirm',
  'phone',
  'phone_country_code',
  'phone_area_code',
  'phone_local',
  'phone_prefix',
  'phone_line',
  'postal_code',
  'year_established',
  'city',
  'region',
  'country',
  'contact_first_name',
  'contact_last_name',
  'website',
  'credit_card',
  'captcha',
]);
const TEXTAREA_KINDS = new Set<FieldKind>([
  'description',
  'short_description',
  'street_address',
  'opening_hours',
  'keywords',
]);
/** Input types that hold no typed text we could classify. */
const NO_TEXT_TYPES = new Set([
  'hidden',
  'submit',
  'button',
  'reset',
  'image',
  'checkbox',
  'radio',
  'range',
  'color',
]);

// ---------------------------------------------------------------------------------------------
// autocomplete (WHATWG autofill detail tokens)
// ---------------------------------------------------------------------------------------------

const AUTOCOMPLETE_KINDS: Readonly<Record<string, FieldKind>> = {
  name: 'contact_name',
  'given-name': 'contact_first_name',
  'additional-name': 'name_middle',
  'family-name': 'contact_last_name',
  'honorific-prefix': 'name_prefix',
  'honorific-suffix': 'unknown',
  nickname: 'unknown',
  organization: 'business_name',
  'organization-title': 'unknown',
  username: 'username',
  'new-password': 'new_password',
  'current-password': 'current_password',
  'one-time-code': 'one_time_code',
  'street-address': 'street_address',
  'address-line1': 'address_line',
  'address-line2': 'address_line2',
  'address-line3': 'address_line3',
  'address-level1': 'region',
  'address-level2': 'city',
  'address-level3': 'unknown',
  'address-level4': 'unknown',
  country: 'country',
  'country-name': 'country',
  'postal-code': 'postal_code',
  tel: 'phone',
  'tel-national': 'phone',
  'tel-country-code': 'phone_country_code',
  'tel-area-code': 'phone_area_code',
  'tel-local': 'phone_local',
  'tel-local-prefix': 'phone_prefix',
  'tel-local-suffix': 'phone_line',
  'tel-extension': 'phone_extension',
  email: 'email',
  url: 'website',
  photo: 'logo',
  bday: 'birth_date',
  'bday-day': 'birth_date',
  'bday-month': 'birth_date',
  'bday-year': 'birth_date',
  sex: 'unknown',
  language: 'unknown',
  'transaction-currency': 'credit_card',
  'transaction-amount': 'credit_card',
};

/** The kind an autocomplete attribute names, or undefined when it names nothing we know ("off", "on", junk). */
export function autocompleteKind(value: string): FieldKind | undefined {
  const tokens = value.toLowerCase().split(/\s+/).filter(Boolean);
  if (tokens.length === 0 || tokens.length > 6) return undefined;
  const field =
    tokens[tokens.length - 1] === 'webauthn' ? tokens[tokens.length - 2] : tokens[tokens.length - 1];
  if (!field) return undefined;
  if (field.startsWith('cc-')) return 'credit_card';
  const kind = AUTOCOMPLETE_KINDS[field];
  if (!kind) return undefined;
  // "fax tel" is a fax number; "pager tel" is not ours either.
  if (kind === 'phone' && (tokens.includes('fax') || tokens.includes('pager'))) return 'fax';
  return kind;
}

// ---------------------------------------------------------------------------------------------
// Text evidence
// ---------------------------------------------------------------------------------------------

interface SourceMatch {
  kind: FieldKind;
  strong: boolean;
  /** Where the match ends in the text (later = closer to the head of an English noun phrase). */
  end: number;
}

/**
 * Matches by text: pages repeat the same words (a scan per step, the same labels on billing and
 * shipping forms), and matching one text against every rule is the classifier's main cost.
 */
const matchCache = new Map<string, SourceMatch[]>();
const MATCH_CACHE_SIZE = 5000;

/** The kinds one piece of text names (negatives of the same text applied). */
export function matchText(text: string, attribute: boolean): SourceMatch[] {
  const key = `${attribute ? 'a' : 't'}${text}`;
  const cached = matchCache.get(key);
  if (cached) return cached;
  const normalized = normalizeText(text, { attribute });
  const found: SourceMatch[] = [];
  if (normalized) {
    for (const [kind, rule] of COMPILED) {
      const match = firstMatch(normalized, rule, attribute);
      if (match) found.push({ kind, ...match });
    }
  }
  if (matchCache.size >= MATCH_CACHE_SIZE) matchCache.clear();
  matchCache.set(key, found);
  return found;
}

function firstMatch(
  text: string,
  rule: CompiledRule,
  attribute: boolean,
): { strong: boolean; end: number } | undefined {
  if (rule.not?.test(text)) return undefined;
  const strong = rule.text?.exec(text) ?? (attribute ? rule.attribute?.exec(text) : null);
  if (strong) return { strong: true, end: strong.index + strong[0].length };
  const weak = rule.weak?.exec(text);
  if (weak) return { strong: false, end: weak.index + weak[0].length };
  return undefined;
}

const INSTRUCTION =
  /[.!?;]\s|\s(?:please|enter|bitte|geben sie|veuillez|saisissez|por favor|introduzca|ingrese|per favore|inserisci|vul|voer|insira|digite)\s/i;

/** A label's name and what follows it as instructions (only for labels of more than 30 characters). */
function splitLabel(text: string): [string, string] {
  if (text.length <= 30) return [text, ''];
  if (INSTRUCTION.test(` ${text.trimStart()}`) && ` ${text.trimStart()}`.search(INSTRUCTION) === 0)
    return ['', text];
  const at = text.search(INSTRUCTION);
  if (at <= 0) return [text, ''];
  return [text.slice(0, at + 1), text.slice(at + 1)];
}

/** The text a person would read as the control's label, for reports. */
export function displayLabel(control: ScannedControl): string {
  const label =
    control.labels ||
    control.labelledBy ||
    control.ariaLabel ||
    control.layoutText ||
    control.placeholder ||
    control.columnHeader ||
    control.title ||
    control.name ||
    control.id;
  return label.replace(/\s+/g, ' ').trim().slice(0, 120);
}

// ---------------------------------------------------------------------------------------------
// Classification of one control
// ---------------------------------------------------------------------------------------------

export function classifyControl(control: ScannedControl): Classification {
  const label = displayLabel(control);
  const result = (
    kind: FieldKind,
    confidence: number,
    source: EvidenceSource | null,
    score = confidence,
  ): Classification => ({ kind, confidence, source, label, score });

  if (control.tag === 'input' && NO_TEXT_TYPES.has(control.type)) return result('unknown', 0, null);
  if (control.type === 'search') return result('search', 0.95, 'type');
  if (control.visible && control.trap) return result('honeypot', 0.9, 'layout text');

  const byAutocomplete = autocompleteKind(control.autocomplete);
  if (byAutocomplete && byAutocomplete !== 'unknown' && fitsControl(byAutocomplete, control)) {
    return result(passwordKind(byAutocomplete, control), 0.98, 'autocomplete', 3);
  }

  const scores = new Map<FieldKind, { score: number; best: number; source: EvidenceSource }>();
  const add = (kind: FieldKind, amount: number, source: EvidenceSource): void => {
    const entry = scores.get(kind);
    if (!entry) scores.set(kind, { score: amount, best: amount, source });
    else {
      entry.score += amount;
      if (amount > entry.best) [entry.best, entry.source] = [amount, source];
    }
  };

  const seenTexts = new Set<string>();
  for (const { source, weight: baseWeight, attribute, text } of SOURCE_WEIGHTS) {
    const raw = text(control);
    // Text far from the control (a section heading) is context more than a label.
    const weight = source === 'layout text' && control.layoutGap > 60 ? 0.4 : baseWeight;
    if (!raw) continue;
    const key = `${attribute}:${raw.toLowerCase()}`;
    if (seenTexts.has(key)) continue; // the same words in two places are one piece of evidence
    seenTexts.add(key);
    // A long label is a name and then instructions ("City  Please enter a city. ZIP codes ..."):
    // the name counts fully, the rest as a hint.
    const [head, tail] = attribute ? [raw, ''] : splitLabel(raw);
    for (const [part, partWeight] of [
      [head, weight],
      [tail, Math.min(weight, 0.3)],
    ] as const) {
      if (!part) continue;
      const matches = matchText(part, attribute);
      if (matches.length === 0) continue;
      const lastEnd = Math.max(...matches.filter((m) => m.strong).map((m) => m.end), -1);
      for (const match of matches) {
        let amount = match.strong ? partWeight : partWeight * WEAK_FACTOR;
        // Several kinds in one text ("Business phone"): the one that ends it is the head of the phrase.
        if (match.strong && matches.length > 1 && match.end < lastEnd) amount *= 0.85;
        add(match.kind, amount, source);
      }
    }
  }

  applyTypeHints(control, add);
  if (control.tag === 'select') {
    if (looksLikeDialCodeList(control.options)) add('phone_country_code', 1.2, 'options');
    else if (looksLikeCountryList(control.options)) add('country', 1.2, 'options');
    else if (looksLikeRegionList(control.options)) add('region', 1.0, 'options');
    const years = looksLikeYearList(control.options);
    if (years === 'past') add('year_established', 0.3, 'options');
    if (years === 'future') add('credit_card', 0.8, 'options');
  }

  const ranked = [...scores.entries()]
    .filter(([kind]) => fitsControl(kind, control))
    .map(([kind, entry]) => ({ kind, ...entry, score: adjustForControl(kind, entry.score, control) }))
    .sort((a, b) => b.score - a.score || kindOrder(a.kind) - kindOrder(b.kind));
  const best = ranked[0];
  if (!best || best.score < MIN_SCORE) {
    if (control.type === 'password') return result(passwordKind('current_password', control), 0.6, 'type');
    if (control.tag === 'textarea' && !best) return result('unknown', 0, null);
    return result('unknown', 0, null, best?.score ?? 0);
  }
  const second = ranked[1];
  const margin = second ? (best.score - second.score) / best.score : 1;
  // One clear label (1.0) is about 0.77; a label and a matching name attribute about 0.86; a weak
  // word alone about 0.57; a close runner-up takes up to a quarter off.
  const confidence = Math.min(
    0.97,
    (best.score / (best.score + 0.3)) * (0.75 + 0.25 * Math.min(1, margin * 2)),
  );
  const kind = control.type === 'password' ? passwordKind(best.kind, control) : best.kind;
  return {
    kind,
    confidence: Math.round(confidence * 100) / 100,
    source: best.source,
    label,
    score: best.score,
    ...(second ? { runnerUp: { kind: second.kind, score: second.score } } : {}),
  };
}

/**
 * The order ties are broken in: the profile's fields first, in FILLABLE_KINDS order, except that a
 * bare "Name" is a person's before it is a business's (the second pass turns it into the business
 * name on a listing form that has no other name field).
 */
function kindOrder(kind: FieldKind): number {
  if (kind === 'contact_name') return -1;
  const at = (FILLABLE_KINDS as readonly string[]).indexOf(kind);
  return at < 0 ? 100 : at;
}

/** Hints from the input type, the length limits and the input mode: never a veto on their own. */
function applyTypeHints(
  control: ScannedControl,
  add: (kind: FieldKind, amount: number, source: EvidenceSource) => void,
): void {
  const type = control.type;
  if (type === 'email') add('email', 0.7, 'type');
  if (type === 'url') add('website', 0.6, 'type');
  if (type === 'tel' || control.inputMode === 'tel') add('phone', 0.35, 'type');
  if (type === 'file' && /image|png|jpe?g|svg|webp|gif/i.test(control.accept)) add('logo', 0.5, 'type');
  if (control.tag === 'textarea') add('description', 0.25, 'type');
}

/** Can this control hold this kind at all? */
function fitsControl(kind: FieldKind, control: ScannedControl): boolean {
  const type = control.type;
  if (type === 'password') {
    return ['new_password', 'new_password_confirm', 'current_password', 'one_time_code', 'captcha'].includes(
      kind,
    );
  }
  if (['current_password', 'new_password', 'new_password_confirm'].includes(kind)) return false;
  if (type === 'file') return kind === 'logo';
  if (kind === 'logo') return false;
  if (control.tag === 'select') return SELECT_KINDS.has(kind);
  if (control.tag === 'textarea') return !SINGLE_LINE_KINDS.has(kind);
  if (['date', 'month', 'week', 'time', 'datetime-local'].includes(type)) {
    return kind === 'birth_date' || kind === 'credit_card' || kind === 'opening_hours';
  }
  if (type === 'number') {
    return [
      'year_established',
      'postal_code',
      'phone',
      'phone_area_code',
      'phone_local',
      'phone_prefix',
      'phone_line',
      'phone_country_code',
      'phone_extension',
      'quantity',
      'credit_card',
      'one_time_code',
      'captcha',
      'birth_date',
    ].includes(kind);
  }
  return true;
}

/** Score changes that depend on the control's shape (textarea, email type, length limits). */
function adjustForControl(kind: FieldKind, score: number, control: ScannedControl): number {
  let s = score;
  if (control.tag === 'textarea' && TEXTAREA_KINDS.has(kind)) s += 0.2;
  if (control.type === 'email' && kind !== 'email' && kind !== 'email_confirm' && kind !== 'username')
    s *= 0.5;
  // A part of a split phone is a small box; a full-width box named "phone2" is a second phone.
  if (['phone_area_code', 'phone_prefix', 'phone_line', 'phone_country_code'].includes(kind)) {
    const capacity = control.maxLength ?? control.size ?? Math.round(control.rect.width / 8);
    if (capacity >= 7 && control.tag !== 'select') s *= 0.3;
  }
  const max = control.maxLength;
  if (max !== null) {
    if (
      max <= 2 &&
      ![
        'region',
        'country',
        'phone_country_code',
        'phone_area_code',
        'birth_date',
        'credit_card',
        'quantity',
      ].includes(kind)
    )
      s *= 0.5;
    if (
      max <= 5 &&
      ['description', 'business_name', 'email', 'website', 'address_line', 'street_address'].includes(kind)
    )
      s *= 0.4;
  }
  return s;
}

/** A password box's kind: a sign-up's new password (and its confirmation) or a log-in's current one. */
function passwordKind(kind: FieldKind, control: ScannedControl): FieldKind {
  if (control.type !== 'password') return kind;
  if (kind === 'new_password' || kind === 'new_password_confirm' || kind === 'current_password') return kind;
  return kind === 'one_time_code' || kind === 'captcha' ? kind : 'current_password';
}
