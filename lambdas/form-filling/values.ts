/**
 * The value each kind of field gets, fitted to the field: its length limit, its pattern, its
 * options. Plain functions, no browser.
 *
 * - Phone numbers are parsed once (libphonenumber-js, Google's metadata) and written the way the
 *   field asks: whole, national, E.164, or split into country code / area code / prefix / line.
 * - Countries are matched by ISO code (alpha-2, alpha-3, numeric) and by name in the languages the
 *   engine reads (i18n-iso-countries' names); regions by name or code within the country
 *   (country-region-data). So "Vereinigte Staaten", "USA" and "840" all mean the profile's US.
 * - Text that is too long is cut at a sentence or word boundary, never mid-word; a business name or
 *   an address that does not fit is left out rather than cut (a wrong listing is worse than none).
 */
import { allCountries } from 'country-region-data';
// The library without its Node entry point, which registers all ~80 languages (about 700 KiB of the
// submitter's bundle); the languages the engine reads are registered below.
import countries from 'i18n-iso-countries/index.js';
import de from 'i18n-iso-countries/langs/de.json' with { type: 'json' };
import en from 'i18n-iso-countries/langs/en.json' with { type: 'json' };
import es from 'i18n-iso-countries/langs/es.json' with { type: 'json' };
import fr from 'i18n-iso-countries/langs/fr.json' with { type: 'json' };
import it from 'i18n-iso-countries/langs/it.json' with { type: 'json' };
import nl from 'i18n-iso-countries/langs/nl.json' with { type: 'json' };
import pt from 'i18n-iso-countries/langs/pt.json' with { type: 'json' };
import { parsePhoneNumberFromString, type PhoneNumber } from 'libphonenumber-js/min';
import type { BusinessProfile, OpeningHours, Weekday } from '../customers/business-profile';
import type { FillableKind } from './field-kinds';
import { normalizeText } from './rules';

const LANGUAGES = { en, de, fr, es, it, nl, pt } as const;
for (const locale of Object.values(LANGUAGES)) countries.registerLocale(locale);
type Language = keyof typeof LANGUAGES;

export interface Option {
  value: string;
  label: string;
}

// ---------------------------------------------------------------------------------------------
// Countries and regions
// ---------------------------------------------------------------------------------------------

/** Names people and forms use that are not in the ISO name lists. */
const COUNTRY_ALIASES: Readonly<Record<string, string>> = {
  usa: 'US',
  'u s a': 'US',
  'u s': 'US',
  america: 'US',
  'united states of america': 'US',
  'etats unis': 'US',
  'estados unidos': 'US',
  'stati uniti': 'US',
  'verenigde staten': 'US',
  uk: 'GB',
  'u k': 'GB',
  britain: 'GB',
  'great britain': 'GB',
  england: 'GB',
  scotland: 'GB',
  wales: 'GB',
  'northern ireland': 'GB',
  deutschland: 'DE',
  holland: 'NL',
  'the netherlands': 'NL',
  'south korea': 'KR',
  korea: 'KR',
  russia: 'RU',
  'czech republic': 'CZ',
  vietnam: 'VN',
};

let countryIndex: Map<string, string> | undefined;
/** Normalized name or code -> alpha-2, built on first use. */
function countryLookup(): Map<string, string> {
  if (countryIndex) return countryIndex;
  const index = new Map<string, string>();
  const put = (key: string, code: string): void => {
    const k = normalizeText(key);
    if (k && !index.has(k)) index.set(k, code);
  };
  for (const [alpha2, alpha3] of Object.entries(countries.getAlpha2Codes()).map(
    ([a2]) => [a2, countries.alpha2ToAlpha3(a2)] as const,
  )) {
    put(alpha2, alpha2);
    if (alpha3) put(alpha3, alpha2);
    const numeric = countries.alpha2ToNumeric(alpha2);
    if (numeric) {
      put(numeric, alpha2);
      put(String(Number(numeric)), alpha2);
    }
    for (const lang of Object.keys(LANGUAGES) as Language[]) {
      const names = countries.getName(alpha2, lang, { select: 'all' }) as unknown as string[] | undefined;
      for (const name of names ?? []) put(name, alpha2);
    }
  }
  for (const [name, code] of allCountries) put(name, code);
  for (const [alias, code] of Object.entries(COUNTRY_ALIASES)) index.set(alias, code);
  countryIndex = index;
  return index;
}

/** The ISO alpha-2 code a country name or code means, if it means one. */
export function countryCode(value: string): string | undefined {
  const key = normalizeText(value);
  if (!key) return undefined;
  return countryLookup().get(key);
}

/** The option's country, from its label first (values are often internal ids), then its value. */
function optionCountry(option: Option): string | undefined {
  const byLabel = countryCode(option.label.replace(/\s*\(.*?\)\s*$/, ''));
  if (byLabel) return byLabel;
  // A bare two-digit value is more often an id than ISO numeric: only trust letters there.
  if (/^\d{1,2}$/.test(option.value.trim())) return undefined;
  return countryCode(option.value);
}

/** A list of dialling codes ("United States (+1)", "+49"): a phone's country code, not a country. */
export function looksLikeDialCodeList(options: readonly Option[]): boolean {
  const real = options.filter((o) => o.value !== '' || o.label !== '');
  if (real.length < 8) return false;
  return real.filter((o) => /(^|[\s(])\+\d{1,4}\b/.test(o.label)).length / real.length >= 0.5;
}

export function looksLikeCountryList(options: readonly Option[]): boolean {
  const real = options.filter((o) => o.value !== '' || o.label !== '');
  if (real.length < 8) return false;
  const known = real.filter((o) => {
    const byLabel = countryCode(o.label.replace(/\s*\(.*?\)\s*$/, ''));
    // Two-letter labels are also US states (CA, DE, IN ...): a country list names countries.
    return byLabel !== undefined && normalizeText(o.label).length > 3;
  }).length;
  return known / real.length >= 0.6;
}

const US_REGIONS = allCountries.find(([, code]) => code === 'US')?.[2] ?? [];
const ALL_REGIONS = new Map<string, Array<[string, string]>>(
  allCountries.map(([, code, regions]) => [code, regions as Array<[string, string]>]),
);

/** Normalized region name -> how many countries have a region of that name (built on first use). */
let regionNames: Set<string> | undefined;
const US_REGION_CODES = new Set(US_REGIONS.map(([, code]) => code.toLowerCase()));

export function looksLikeRegionList(options: readonly Option[]): boolean {
  const real = options.filter((o) => o.value !== '');
  if (real.length < 8) return false;
  regionNames ??= new Set(
    [...ALL_REGIONS.values()].flatMap((regions) => regions.map(([name]) => normalizeText(name))),
  );
  const names = regionNames;
  if (real.filter((o) => names.has(normalizeText(o.label))).length / real.length >= 0.6) return true;
  return real.filter((o) => US_REGION_CODES.has(o.label.trim().toLowerCase())).length / real.length >= 0.8;
}

/** 'past' for a list of recent years (founded, born), 'future' for card expiry years. */
export function looksLikeYearList(options: readonly Option[]): 'past' | 'future' | false {
  const years = options
    .map((o) => Number(o.label.trim()))
    .filter((n) => Number.isInteger(n) && n > 1800 && n < 2200);
  if (years.length < 5 || years.length < options.length * 0.7) return false;
  const now = new Date().getUTCFullYear();
  return years.filter((y) => y > now).length > years.length / 2 ? 'future' : 'past';
}

/** The profile's region as its name and code within its country (either may be unknown). */
function regionOf(profile: BusinessProfile): { name?: string; code?: string } {
  const country = countryCode(profile.country);
  const wanted = normalizeText(profile.region);
  const regions = (country && ALL_REGIONS.get(country)) || [];
  for (const [name, code] of regions) {
    if (normalizeText(name) === wanted || code.toLowerCase() === profile.region.trim().toLowerCase()) {
      return { name, code };
    }
  }
  return { name: profile.region };
}

// ---------------------------------------------------------------------------------------------
// Choosing an option
// ---------------------------------------------------------------------------------------------

/**
 * The option of a <select> (or radio group) that means `value` for this kind; undefined when none
 * fits, and the control is left alone rather than set to a wrong choice.
 */
export function chooseOption(
  options: readonly Option[],
  value: string,
  kind?: FillableKind,
  profile?: BusinessProfile,
): string | undefined {
  const real = options.filter((o) => o.value !== '' || o.label.trim() !== '');
  const wanted = normalizeText(value);
  if (!wanted) return undefined;
  if (kind === 'country') {
    const code = countryCode(value);
    const match = code && real.find((o) => optionCountry(o) === code);
    if (match) return match.value;
  }
  if (kind === 'region' && profile) {
    const { name, code } = regionOf(profile);
    const keys = new Set([name, code].filter((k): k is string => Boolean(k)).map((k) => normalizeText(k)));
    const match = real.find((o) => keys.has(normalizeText(o.label)) || keys.has(normalizeText(o.value)));
    if (match) return match.value;
  }
  if (kind === 'phone_country_code') {
    // "+1" is the US and Canada and more: the option that also names the profile's country wins.
    const digits = value.replace(/\D/g, '');
    const withCode = real.filter((o) =>
      new RegExp(`(^|\\D)\\+?${digits}(\\D|$)`).test(`${o.label} ${o.value}`),
    );
    const country = profile ? countryCode(profile.country) : undefined;
    const named = country
      ? withCode.find(
          (o) =>
            optionCountry({ value: o.value, label: o.label.replace(/[(+]?\+?\d[\d\s-]*\)?/g, '').trim() }) ===
              country || o.value.toUpperCase().includes(country),
        )
      : undefined;
    const match = named ?? withCode[0];
    if (match) return match.value;
  }
  const exact = real.find(
    (o) =>
      o.value.toLowerCase() === value.toLowerCase() ||
      normalizeText(o.label) === wanted ||
      normalizeText(o.value) === wanted,
  );
  if (exact) return exact.value;
  if (kind === 'year_established') return undefined; // a year is exact or nothing
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

function hasPhrase(text: string, phrase: string): boolean {
  return text.length > 0 && ` ${text} `.includes(` ${phrase} `);
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
// Phones
// ---------------------------------------------------------------------------------------------

export interface PhoneParts {
  /** As the customer wrote it. */
  original: string;
  e164: string;
  countryCallingCode: string;
  /** National significant number, digits only. */
  national: string;
  /** National format ("(512) 555-0142"). */
  nationalFormatted: string;
  /** International format ("+1 512 555 0142"). */
  internationalFormatted: string;
  /** NANP-style split when the number has 10 national digits. */
  areaCode?: string;
  prefix?: string;
  line?: string;
}

export function phoneParts(phone: string, defaultCountry?: string): PhoneParts {
  const region = defaultCountry ? countryCode(defaultCountry) : undefined;
  let parsed: PhoneNumber | undefined;
  try {
    parsed = parsePhoneNumberFromString(
      phone,
      (region as Parameters<typeof parsePhoneNumberFromString>[1]) ?? undefined,
    );
  } catch {
    parsed = undefined;
  }
  const digits = phone.replace(/\D/g, '');
  if (!parsed) {
    return {
      original: phone,
      e164: phone.trim().startsWith('+') ? `+${digits}` : digits,
      countryCallingCode: '',
      national: digits,
      nationalFormatted: phone,
      internationalFormatted: phone,
    };
  }
  const national = String(parsed.nationalNumber);
  const split =
    national.length === 10
      ? { areaCode: national.slice(0, 3), prefix: national.slice(3, 6), line: national.slice(6) }
      : {};
  return {
    original: phone,
    e164: String(parsed.number),
    countryCallingCode: String(parsed.countryCallingCode),
    national,
    nationalFormatted: parsed.formatNational(),
    internationalFormatted: parsed.formatInternational(),
    ...split,
  };
}

/** Ways to write a whole phone number, best first for a field that gives no hint. */
function phoneCandidates(parts: PhoneParts, hint: string): string[] {
  const national = parts.national;
  const dashed =
    parts.areaCode && parts.prefix && parts.line
      ? `${parts.areaCode}-${parts.prefix}-${parts.line}`
      : national;
  const formats = [
    parts.original,
    parts.internationalFormatted,
    parts.e164,
    parts.nationalFormatted,
    dashed,
    national,
  ];
  // A placeholder or hint showing a national format ("(555) 555-5555", "0301234567") asks for it.
  if (/^\s*\(?\d{3}\)?[\s.-]*\d{3}[\s.-]*\d{4}\s*$/.test(hint) || /^0\d/.test(hint.trim())) {
    return [parts.nationalFormatted, dashed, national, ...formats];
  }
  if (/^\s*\+/.test(hint)) return [parts.internationalFormatted, parts.e164, ...formats];
  return formats;
}

// ---------------------------------------------------------------------------------------------
// Opening hours
// ---------------------------------------------------------------------------------------------

const DAY_NAMES: Readonly<Record<Language, Readonly<Record<Weekday, string>>>> = {
  en: { mon: 'Mon', tue: 'Tue', wed: 'Wed', thu: 'Thu', fri: 'Fri', sat: 'Sat', sun: 'Sun' },
  de: { mon: 'Mo', tue: 'Di', wed: 'Mi', thu: 'Do', fri: 'Fr', sat: 'Sa', sun: 'So' },
  fr: { mon: 'lun', tue: 'mar', wed: 'mer', thu: 'jeu', fri: 'ven', sat: 'sam', sun: 'dim' },
  es: { mon: 'lun', tue: 'mar', wed: 'mié', thu: 'jue', fri: 'vie', sat: 'sáb', sun: 'dom' },
  it: { mon: 'lun', tue: 'mar', wed: 'mer', thu: 'gio', fri: 'ven', sat: 'sab', sun: 'dom' },
  nl: { mon: 'ma', tue: 'di', wed: 'wo', thu: 'do', fri: 'vr', sat: 'za', sun: 'zo' },
  pt: { mon: 'seg', tue: 'ter', wed: 'qua', thu: 'qui', fri: 'sex', sat: 'sáb', sun: 'dom' },
};
const WEEK: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/** "Mon-Fri 08:00-18:00, Sat 09:00-13:00", with day names in the page's language when we have them. */
export function formatOpeningHours(hours: OpeningHours, lang = 'en'): string {
  const names =
    DAY_NAMES[(lang.slice(0, 2) as Language) in DAY_NAMES ? (lang.slice(0, 2) as Language) : 'en'];
  return hours
    .map((span) => {
      const days = WEEK.filter((d) => span.days.includes(d));
      const runs: string[] = [];
      let start = 0;
      for (let i = 1; i <= days.length; i += 1) {
        const consecutive = i < days.length && WEEK.indexOf(days[i]!) === WEEK.indexOf(days[i - 1]!) + 1;
        if (consecutive) continue;
        const first = days[start]!;
        const last = days[i - 1]!;
        runs.push(first === last ? names[first] : `${names[first]}-${names[last]}`);
        start = i;
      }
      return `${runs.join(', ')} ${span.opens}-${span.closes}`;
    })
    .join(', ');
}

// ---------------------------------------------------------------------------------------------
// Fitting text
// ---------------------------------------------------------------------------------------------

/**
 * Text cut to `max` characters at a sentence end if one is close, else at a word boundary; never in
 * the middle of a word. Undefined when not even the first word fits.
 */
export function cutToLength(text: string, max: number): string | undefined {
  if (text.length <= max) return text;
  const room = text.slice(0, max + 1);
  const sentence = Math.max(room.lastIndexOf('. '), room.lastIndexOf('! '), room.lastIndexOf('? '));
  if (sentence >= max * 0.5) return room.slice(0, sentence + 1).trim();
  const space = room.lastIndexOf(' ');
  if (space <= 0) return undefined;
  return room.slice(0, space).replace(/[\s,;:–-]+$/, '');
}

/** Does the value satisfy the field's pattern attribute (as the browser checks it)? */
export function matchesPattern(value: string, pattern: string): boolean {
  if (!pattern) return true;
  for (const flags of ['v', 'u']) {
    try {
      return new RegExp(`^(?:${pattern})$`, flags).test(value);
    } catch {
      // an invalid pattern under 'v' may still compile under 'u'; if neither, browsers ignore it
    }
  }
  return true;
}

/** What we know about the field a value must fit. */
export interface FieldShape {
  tag: string;
  type: string;
  maxLength: number | null;
  pattern: string;
  placeholder: string;
}

/** Kinds whose text may be shortened to fit; the others are written whole or not at all. */
const CUTTABLE: ReadonlySet<FillableKind> = new Set(['description', 'short_description', 'opening_hours']);

/** The first candidate that fits the field's length and pattern (cutting prose when allowed). */
export function fitValue(
  candidates: readonly string[],
  kind: FillableKind,
  field: FieldShape,
): string | undefined {
  const max = field.maxLength;
  for (const candidate of candidates) {
    if (max !== null && candidate.length > max) continue;
    if (matchesPattern(candidate, field.pattern)) return candidate;
  }
  if (max !== null && CUTTABLE.has(kind) && candidates[0]) {
    const cut = cutToLength(candidates[0], max);
    if (cut && matchesPattern(cut, field.pattern)) return cut;
  }
  if (kind === 'keywords' && max !== null && candidates[0]) {
    // Drop whole keywords from the end until the list fits.
    const words = candidates[0].split(', ');
    while (words.length > 1 && words.join(', ').length > max) words.pop();
    const list = words.join(', ');
    if (list.length <= max) return list;
  }
  return undefined;
}

/** Short description: the profile's own, else the description's first sentence(s) cut to size. */
function shortDescription(profile: BusinessProfile, max = 300): string {
  return (
    profile.short_description ?? cutToLength(profile.description, Math.min(max, 300)) ?? profile.description
  );
}

/**
 * The candidates for a kind, best first (a phone has several formats; a URL may drop its scheme to
 * fit). Empty when the profile has nothing for it.
 */
export function valueCandidates(
  kind: FillableKind,
  profile: BusinessProfile,
  field: FieldShape,
  lang = 'en',
): string[] {
  const phone = (): PhoneParts => phoneParts(profile.phone, profile.country);
  const hint = field.placeholder;
  switch (kind) {
    case 'business_name':
      return [profile.business_name];
    case 'contact_name':
      return profile.contact_first_name && profile.contact_last_name
        ? [`${profile.contact_first_name} ${profile.contact_last_name}`]
        : [];
    case 'contact_first_name':
      return profile.contact_first_name ? [profile.contact_first_name] : [];
    case 'contact_last_name':
      return profile.contact_last_name ? [profile.contact_last_name] : [];
    case 'email':
    case 'email_confirm':
      return [profile.email];
    case 'phone':
      return phoneCandidates(phone(), hint);
    case 'phone_country_code': {
      const code = phone().countryCallingCode;
      return code ? [`+${code}`, code] : [];
    }
    case 'phone_national': {
      const p = phone();
      const dashed = p.areaCode && p.prefix && p.line ? `${p.areaCode}-${p.prefix}-${p.line}` : p.national;
      return [p.nationalFormatted, p.national, dashed];
    }
    case 'phone_area_code':
      return phone().areaCode ? [phone().areaCode!] : [];
    case 'phone_prefix':
      return phone().prefix ? [phone().prefix!] : [];
    case 'phone_line':
      return phone().line ? [phone().line!] : [];
    case 'phone_local': {
      const p = phone();
      return p.prefix && p.line ? [`${p.prefix}${p.line}`, `${p.prefix}-${p.line}`] : [];
    }
    case 'website': {
      const url = profile.website;
      const bare = url.replace(/^https?:\/\//, '');
      return [
        url,
        url.replace(/\/$/, ''),
        bare.replace(/\/$/, ''),
        bare.replace(/^www\./, '').replace(/\/$/, ''),
      ];
    }
    case 'address_line':
      return [profile.address_line];
    case 'address_line2':
      return profile.address_line2 ? [profile.address_line2] : [];
    case 'street_address': {
      const lines = [profile.address_line, profile.address_line2].filter(Boolean);
      return field.tag === 'textarea' ? [lines.join('\n')] : [lines.join(', ')];
    }
    case 'city':
      return [profile.city];
    case 'region': {
      const { name, code } = regionOf(profile);
      // A two-letter box wants the code; otherwise the name as the customer wrote it, then the other.
      return field.maxLength !== null && field.maxLength <= 3
        ? [code ?? profile.region]
        : [profile.region, ...(name && name !== profile.region ? [name] : []), ...(code ? [code] : [])];
    }
    case 'postal_code':
      return [
        profile.postal_code,
        profile.postal_code.replace(/\s+/g, ''),
        profile.postal_code.split('-')[0]!,
      ];
    case 'country': {
      const code = countryCode(profile.country);
      const localized = code
        ? countries.getName(code, (lang.slice(0, 2) as Language) in LANGUAGES ? lang.slice(0, 2) : 'en')
        : undefined;
      return [
        profile.country,
        ...(localized && localized !== profile.country ? [localized] : []),
        ...(code ? [code] : []),
      ];
    }
    case 'category':
      return [profile.category];
    case 'description':
      return [profile.description];
    case 'short_description':
      return [shortDescription(profile, field.maxLength ?? 300)];
    case 'keywords':
      return profile.keywords ? [profile.keywords.join(', ')] : [];
    case 'opening_hours':
      return profile.opening_hours ? [formatOpeningHours(profile.opening_hours, lang)] : [];
    case 'year_established':
      return profile.year_established ? [String(profile.year_established)] : [];
    case 'facebook_url':
      return profile.social_profiles?.facebook ? [profile.social_profiles.facebook] : [];
    case 'instagram_url':
      return profile.social_profiles?.instagram ? [profile.social_profiles.instagram] : [];
    case 'linkedin_url':
      return profile.social_profiles?.linkedin ? [profile.social_profiles.linkedin] : [];
    case 'x_url':
      return profile.social_profiles?.x ? [profile.social_profiles.x] : [];
    case 'youtube_url':
      return profile.social_profiles?.youtube ? [profile.social_profiles.youtube] : [];
    case 'tiktok_url':
      return profile.social_profiles?.tiktok ? [profile.social_profiles.tiktok] : [];
    case 'pinterest_url':
      return profile.social_profiles?.pinterest ? [profile.social_profiles.pinterest] : [];
    case 'logo':
    case 'new_password':
    case 'new_password_confirm':
      return []; // not text from the profile: a file, or credentials the caller hands in
  }
}
