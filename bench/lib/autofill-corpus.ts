/**
 * A corpus of saved form pages with the expected type of each field, in the format of Chromium's
 * autofill heuristics tests: `input/<page>.html` and `output/<page>.out`, where each line of the
 * .out file is `TYPE | name | label | value | section` for one field, forms separated by blank
 * lines (`components/test/data/autofill/heuristics/` in the chromium repository).
 *
 * The pages are third-party: they live in a cache outside the repository (see bench/RESULTS.md for
 * how to fetch them), never in it.
 *
 * Chromium's types are mapped to ours: the kinds that the business profile fills are judged
 * (recall, precision); the types we recognize in order never to fill them (payment cards,
 * passwords, search) count a fill as a false fill; structured-address parts our profile does not
 * hold (street name, house number, dependent locality) are left out of both.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { FieldKind, FillableKind } from '../../lambdas/form-filling/field-kinds';

export interface ExpectedField {
  /** Chromium's type, e.g. ADDRESS_HOME_ZIP. */
  type: string;
  /** The field's name attribute (or id when it has no name), as Chromium reports it. */
  name: string;
  label: string;
  /** Kinds that count as right for this field; empty when the profile cannot fill it. */
  accepted: FillableKind[];
  /** What filling it would be, when wrong: a payment card, a password, or another field. */
  forbidden: 'credit_card' | 'password' | 'other';
  /** Left out of the figures (a structured-address part the profile does not hold). */
  neutral: boolean;
  /** Chromium's section (forms and sections within them). */
  section: string;
}

export interface CorpusPage {
  name: string;
  html: string;
  expected: ExpectedField[];
}

/** Chromium type -> the kinds that are right for it. */
const ACCEPTED: Readonly<Record<string, FillableKind[]>> = {
  NAME_FIRST: ['contact_first_name'],
  NAME_LAST: ['contact_last_name'],
  NAME_LAST_FIRST: ['contact_last_name'],
  NAME_LAST_CORE: ['contact_last_name'],
  NAME_FULL: ['contact_name'],
  NAME_FULL_WITH_HONORIFIC_PREFIX: ['contact_name'],
  EMAIL_ADDRESS: ['email', 'email_confirm'],
  PHONE_HOME_WHOLE_NUMBER: ['phone'],
  PHONE_HOME_CITY_AND_NUMBER: ['phone', 'phone_national'],
  PHONE_HOME_CITY_AND_NUMBER_WITHOUT_TRUNK_PREFIX: ['phone', 'phone_national'],
  PHONE_HOME_NUMBER: ['phone_local'],
  PHONE_HOME_CITY_CODE: ['phone_area_code'],
  PHONE_HOME_CITY_CODE_WITH_TRUNK_PREFIX: ['phone_area_code'],
  PHONE_HOME_NUMBER_PREFIX: ['phone_prefix'],
  PHONE_HOME_NUMBER_SUFFIX: ['phone_line'],
  PHONE_HOME_COUNTRY_CODE: ['phone_country_code'],
  COMPANY_NAME: ['business_name'],
  ADDRESS_HOME_LINE1: ['address_line', 'street_address'],
  ADDRESS_HOME_STREET_ADDRESS: ['street_address', 'address_line'],
  ADDRESS_HOME_LINE2: ['address_line2'],
  ADDRESS_HOME_APT_NUM: ['address_line2'],
  ADDRESS_HOME_CITY: ['city'],
  ADDRESS_HOME_STATE: ['region'],
  ADDRESS_HOME_ZIP: ['postal_code'],
  ADDRESS_HOME_COUNTRY: ['country'],
};

/** Types our profile holds nothing for but that are not wrong to leave alone: out of the figures. */
const NEUTRAL = new Set([
  // A second surname (Spanish names): the profile has one last name, and typing it twice is wrong.
  'NAME_LAST_SECOND',
  'ADDRESS_HOME_STREET_NAME',
  'ADDRESS_HOME_HOUSE_NUMBER',
  'ADDRESS_HOME_DEPENDENT_STREET_NAME',
  'ADDRESS_HOME_STREET_LOCATION',
  'ADDRESS_HOME_DEPENDENT_LOCALITY',
  'ADDRESS_HOME_SORTING_CODE',
  'ADDRESS_HOME_ADMIN_LEVEL2',
  'ADDRESS_HOME_LANDMARK',
  'ADDRESS_HOME_BETWEEN_STREETS',
  'ADDRESS_HOME_BETWEEN_STREETS_1',
  'ADDRESS_HOME_BETWEEN_STREETS_2',
  'ADDRESS_HOME_OVERFLOW',
  'ADDRESS_HOME_OVERFLOW_AND_LANDMARK',
  'ADDRESS_HOME_FLOOR',
  'ADDRESS_HOME_SUBPREMISE',
  'ADDRESS_HOME_HOUSE_NUMBER_AND_APT',
  'ADDRESS_HOME_APT',
  'ADDRESS_HOME_APT_TYPE',
  'ADDRESS_HOME_LINE3',
]);

/**
 * Kinds Chromium has no type for (it reports such a field as UNKNOWN_TYPE): a fill of one of these
 * into an UNKNOWN_TYPE field cannot be judged from the corpus, so it is counted apart.
 */
export const KINDS_CHROMIUM_CANNOT_JUDGE: ReadonlySet<FieldKind> = new Set([
  'website',
  'category',
  'description',
  'short_description',
  'keywords',
  'opening_hours',
  'year_established',
  'facebook_url',
  'instagram_url',
  'linkedin_url',
  'x_url',
  'youtube_url',
  'tiktok_url',
  'pinterest_url',
  'logo',
]);

function forbiddenOf(type: string): ExpectedField['forbidden'] {
  if (type.startsWith('CREDIT_CARD')) return 'credit_card';
  if (/PASSWORD/.test(type)) return 'password';
  return 'other';
}

export function parseExpected(text: string): ExpectedField[] {
  const fields: ExpectedField[] = [];
  for (const line of text.split('\n')) {
    if (!line.includes(' | ')) continue;
    const [type = '', name = '', label = '', , section = ''] = line.split(' | ').map((part) => part.trim());
    fields.push({
      type,
      name,
      label,
      accepted: ACCEPTED[type] ?? [],
      forbidden: forbiddenOf(type),
      neutral: NEUTRAL.has(type),
      section,
    });
  }
  return fields;
}

/** Every page of the corpus folder that has both its HTML and its expected types. */
export async function loadCorpus(dir: string, only?: RegExp): Promise<CorpusPage[]> {
  const inputs = (await readdir(path.join(dir, 'input'))).filter((f) => f.endsWith('.html')).sort();
  const pages: CorpusPage[] = [];
  for (const file of inputs) {
    const name = file.replace(/\.html$/, '');
    if (only && !only.test(name)) continue;
    const expectedText = await readFile(path.join(dir, 'output', `${name}.out`), 'utf8').catch(
      () => undefined,
    );
    if (expectedText === undefined) continue;
    pages.push({
      name,
      html: await readFile(path.join(dir, 'input', file), 'utf8'),
      expected: parseExpected(expectedText),
    });
  }
  return pages;
}

/** A scanned control as the matcher needs it. */
export interface PageControl {
  index: number;
  name: string;
  id: string;
  tag: string;
  type: string;
}

/**
 * Pairs each expected field with a control of the page: by name (or id), the n-th field of a name
 * with the n-th control of that name, in document order. Chromium lists forms in its own order, so
 * order is only used among fields of the same name.
 */
export function matchExpected(
  expected: readonly ExpectedField[],
  controls: readonly PageControl[],
): Map<number, ExpectedField> {
  const byKey = new Map<string, PageControl[]>();
  for (const control of controls) {
    if (control.tag === 'input' && ['hidden', 'submit', 'button', 'image', 'reset'].includes(control.type))
      continue;
    const key = control.name || control.id;
    byKey.set(key, [...(byKey.get(key) ?? []), control]);
  }
  const used = new Map<string, number>();
  const matched = new Map<number, ExpectedField>();
  for (const field of expected) {
    const list = byKey.get(field.name);
    const n = used.get(field.name) ?? 0;
    const control = list?.[n];
    if (!control) continue;
    used.set(field.name, n + 1);
    matched.set(control.index, field);
  }
  return matched;
}
