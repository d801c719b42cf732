/**
 * The form-filling engine's pure parts on hand-built scan descriptors (no browser): what a control
 * asks for (classify.ts), what its neighbours correct (neighbours.ts), which form is the listing's
 * (containers.ts), the values each field gets (values.ts) and which button sends (buttons.ts).
 * The browser-side scan that produces these descriptors is tested on real pages in fill-flow.test.ts
 * and fixture-pages.test.ts.
 */
import {
  autocompleteKind,
  classifyControl,
  CONFIDENT,
  type Classification,
} from '../../../lambdas/form-filling/classify';
import { classifyButton } from '../../../lambdas/form-filling/buttons';
import { candidatesOf, chooseCandidate } from '../../../lambdas/form-filling/containers';
import type { FieldKind } from '../../../lambdas/form-filling/field-kinds';
import { applyNeighbours } from '../../../lambdas/form-filling/neighbours';
import type {
  Rect,
  ScannedButton,
  ScannedContainer,
  ScannedControl,
  ScanResult,
} from '../../../lambdas/form-filling/page-scan';
import {
  chooseOption,
  countryCode,
  cutToLength,
  fitValue,
  formatOpeningHours,
  matchesPattern,
  phoneParts,
  valueCandidates,
  type FieldShape,
  type Option,
} from '../../../lambdas/form-filling/values';
import type { OpeningHours } from '../../../lambdas/customers/business-profile';
import { FULL_PROFILE, PROFILE } from '../../support/business-fixtures';

// ---------------------------------------------------------------------------------------------
// Descriptors
// ---------------------------------------------------------------------------------------------

let nextIndex = 0;

/** A visible, editable, unlabelled text box on a line of its own in form 0; `partial` says the rest. */
function control(partial: Partial<ScannedControl> = {}): ScannedControl {
  const index = partial.index ?? nextIndex++;
  return {
    index,
    selector: `#c${index}`,
    groupSelector: '',
    tag: 'input',
    type: 'text',
    name: '',
    id: '',
    autocomplete: '',
    placeholder: '',
    title: '',
    ariaLabel: '',
    labels: '',
    labelledBy: '',
    describedBy: '',
    layoutText: '',
    layoutGap: 0,
    contextText: '',
    columnHeader: '',
    followingText: '',
    heading: '',
    maxLength: null,
    size: null,
    pattern: '',
    inputMode: '',
    accept: '',
    required: false,
    visible: true,
    hiddenReason: '',
    trap: '',
    editable: true,
    value: '',
    initialValue: '',
    checked: false,
    multiple: false,
    options: [],
    group: '',
    container: 0,
    formIndex: 0,
    rect: { x: 100, y: 100 + index * 40, width: 240, height: 24 },
    ...partial,
  };
}

const select = (partial: Partial<ScannedControl>): ScannedControl =>
  control({ tag: 'select', type: 'select', ...partial });
const textarea = (partial: Partial<ScannedControl>): ScannedControl =>
  control({ tag: 'textarea', type: 'textarea', ...partial });
/** Boxes side by side on one line (phone parts, first and last name). */
const onRow = (y: number, x: number, width: number): Rect => ({ x, y, width, height: 24 });

const classify = (partial: Partial<ScannedControl>): Classification => classifyControl(control(partial));

/** First pass then second pass over one container, as analyzeScan does; the kinds in order. */
function withNeighbours(controls: ScannedControl[]): FieldKind[] {
  const classes = new Map(controls.map((c) => [c.index, classifyControl(c)]));
  applyNeighbours(controls, classes);
  return controls.map((c) => classes.get(c.index)!.kind);
}

const options = (...pairs: Array<[value: string, label: string]>): Option[] =>
  pairs.map(([value, label]) => ({ value, label }));

const COUNTRIES = options(
  ['', '-- Select a country --'],
  ['AR', 'Argentina'],
  ['AU', 'Australia'],
  ['AT', 'Austria'],
  ['BE', 'Belgium'],
  ['BR', 'Brazil'],
  ['CA', 'Canada'],
  ['FR', 'France'],
  ['DE', 'Germany'],
  ['MX', 'Mexico'],
  ['GB', 'United Kingdom'],
  ['US', 'United States'],
);
const US_STATES = options(
  ['', 'Choose…'],
  ['1', 'Alabama'],
  ['2', 'Alaska'],
  ['3', 'Arizona'],
  ['4', 'California'],
  ['5', 'Colorado'],
  ['6', 'Florida'],
  ['7', 'New York'],
  ['8', 'Texas'],
  ['9', 'Washington'],
);

// ---------------------------------------------------------------------------------------------
// classifyControl
// ---------------------------------------------------------------------------------------------

describe('classifyControl: autocomplete first', () => {
  test.each<[Partial<ScannedControl>, FieldKind]>([
    [{ autocomplete: 'organization', name: 'email', labels: 'Email' }, 'business_name'],
    [{ autocomplete: 'postal-code', labels: 'City' }, 'postal_code'],
    [{ autocomplete: 'section-billing shipping address-level2', name: 'zip' }, 'city'],
    [{ autocomplete: 'tel', labels: 'Company' }, 'phone'],
    [{ autocomplete: 'address-line1', labels: 'Street' }, 'address_line'],
    [{ autocomplete: 'given-name', labels: 'Name' }, 'contact_first_name'],
    [{ autocomplete: 'cc-name', labels: 'Your name' }, 'credit_card'],
  ])('%j is %s', (partial, kind) => {
    expect(classify(partial)).toMatchObject({ kind, source: 'autocomplete' });
  });

  test.each(['off', 'on', 'nope', 'false', 'chrome-off', 'new-field-7', 'email home'])(
    'junk autocomplete %j is ignored: the label decides',
    (autocomplete) => {
      expect(autocompleteKind(autocomplete)).toBeUndefined();
      expect(classify({ autocomplete, labels: 'City' })).toMatchObject({ kind: 'city', source: 'label' });
    },
  );

  test('tokens: sections and address types before the field name, fax and pager are not the phone', () => {
    expect(autocompleteKind('section-main shipping postal-code')).toBe('postal_code');
    expect(autocompleteKind('work tel')).toBe('phone');
    expect(autocompleteKind('fax tel')).toBe('fax');
    expect(autocompleteKind('cc-number')).toBe('credit_card');
    expect(autocompleteKind('username webauthn')).toBe('username');
  });
});

describe('classifyControl: every label source', () => {
  test.each<[string, Partial<ScannedControl>, FieldKind, string]>([
    ['<label>', { labels: 'Company name' }, 'business_name', 'label'],
    ['aria-labelledby', { labelledBy: 'E-mail address' }, 'email', 'aria-labelledby'],
    ['aria-label', { ariaLabel: 'Telephone' }, 'phone', 'aria-label'],
    ['text beside it', { layoutText: 'Town / City' }, 'city', 'layout text'],
    ['placeholder', { placeholder: 'Postcode' }, 'postal_code', 'placeholder'],
    ['title', { title: 'Website' }, 'website', 'title'],
    ['column header', { columnHeader: 'State / Province' }, 'region', 'column header'],
    ['name billZipCode', { name: 'billZipCode' }, 'postal_code', 'name'],
    ['id SCity', { id: 'SCity' }, 'city', 'id'],
    ['name txtEmail', { name: 'txtEmail' }, 'email', 'name'],
    ['name contact[phone]', { name: 'contact[phone]' }, 'phone', 'name'],
  ])('%s', (_, partial, kind, source) => {
    expect(classify(partial)).toMatchObject({ kind, source });
  });

  test('a negative word in the id does not veto the label: "addressFormInlineCompany" labelled "Company"', () => {
    expect(classify({ id: 'addressFormInlineCompany', labels: 'Company' })).toMatchObject({
      kind: 'business_name',
      source: 'label',
    });
  });

  test('the text a person reads beats the attributes a developer wrote', () => {
    expect(classify({ name: 'city', labels: 'Postal code' }).kind).toBe('postal_code');
    expect(classify({ id: 'phone', placeholder: 'Your website' }).kind).toBe('website');
  });

  test('a ZIP code in a type=tel box is still a ZIP code', () => {
    expect(classify({ type: 'tel', labels: 'ZIP code', name: 'zip' }).kind).toBe('postal_code');
    expect(classify({ type: 'tel', inputMode: 'numeric', labels: 'ZIP' }).kind).toBe('postal_code');
  });

  test('a password box is never a profile field, whatever it is called', () => {
    expect(classify({ type: 'password', labels: 'Business name' }).kind).toBe('current_password');
    expect(classify({ type: 'password', name: 'email' }).kind).toBe('current_password');
    for (const labels of ['Password', 'Choose a password', 'Confirm password', 'Company']) {
      expect(['current_password', 'new_password', 'new_password_confirm']).toContain(
        classify({ type: 'password', labels }).kind,
      );
    }
  });

  test('selects are recognized by their options: a country list, a US state list (names or codes)', () => {
    expect(classifyControl(select({ name: 'sel_1', options: COUNTRIES }))).toMatchObject({
      kind: 'country',
      source: 'options',
    });
    expect(classifyControl(select({ name: 'sel_2', options: US_STATES }))).toMatchObject({
      kind: 'region',
      source: 'options',
    });
    const codes = ['AL', 'AK', 'AZ', 'CA', 'CO', 'FL', 'NY', 'TX', 'WA'].map((c) => ({ value: c, label: c }));
    expect(classifyControl(select({ name: 'sel_3', options: codes })).kind).toBe('region');
    // A short list of other things is not a country list.
    expect(
      classifyControl(select({ name: 'sel_4', options: options(['1', 'Bakery'], ['2', 'Plumbing']) })).kind,
    ).toBe('unknown');
  });

  test('a select only takes kinds a select can hold', () => {
    expect(
      classifyControl(select({ labels: 'Type of business', options: options(['a', 'Bakery']) })).kind,
    ).toBe('category');
    expect(classifyControl(select({ labels: 'Business name', options: options(['a', 'x']) })).kind).toBe(
      'unknown',
    );
  });

  test('a textarea is the description', () => {
    expect(classifyControl(textarea({ labels: 'Tell us about your business' }))).toMatchObject({
      kind: 'description',
      source: 'label',
    });
    expect(classifyControl(textarea({ labels: 'Description' })).kind).toBe('description');
    expect(classifyControl(textarea({ name: 'body' })).kind).toBe('description');
    // ... unless its words say a multi-line kind of their own; never a one-line kind.
    expect(classifyControl(textarea({ labels: 'Opening hours' })).kind).toBe('opening_hours');
    expect(classifyControl(textarea({ labels: 'Email' })).kind).not.toBe('email');
  });

  test('a trap is a honeypot, and nothing is never a guess', () => {
    expect(classify({ labels: 'Email', trap: 'positioned off screen' }).kind).toBe('honeypot');
    expect(classify({ labels: 'Leave this field empty' }).kind).toBe('honeypot');
    expect(classify({ name: 'f7' })).toMatchObject({ kind: 'unknown', confidence: 0 });
    expect(classify({ type: 'search', name: 'q' }).kind).toBe('search');
  });

  test('an unambiguous <label> alone is a finding, not a guess (confidence at least CONFIDENT)', () => {
    expect(classify({ labels: 'Company name' }).confidence).toBeGreaterThanOrEqual(CONFIDENT);
  });
});

// ---------------------------------------------------------------------------------------------
// applyNeighbours: the second pass
// ---------------------------------------------------------------------------------------------

describe('applyNeighbours', () => {
  test('a phone in three boxes on one line (3-3-4) is area code, prefix and line', () => {
    expect(
      withNeighbours([
        control({ labels: 'Phone', name: 'phone1', maxLength: 3, rect: onRow(200, 100, 40) }),
        control({ name: 'phone2', maxLength: 3, rect: onRow(200, 160, 40), layoutText: ')' }),
        control({ name: 'phone3', maxLength: 4, rect: onRow(200, 220, 50), layoutText: '-' }),
      ]),
    ).toEqual(['phone_area_code', 'phone_prefix', 'phone_line']);
    // The same without names: only the first box is labelled.
    expect(
      withNeighbours([
        control({ labels: 'Phone number', type: 'tel', maxLength: 3, rect: onRow(300, 100, 40) }),
        control({ type: 'tel', maxLength: 3, rect: onRow(300, 160, 40) }),
        control({ type: 'tel', maxLength: 4, rect: onRow(300, 220, 50) }),
      ]),
    ).toEqual(['phone_area_code', 'phone_prefix', 'phone_line']);
  });

  test('a whole-number phone box is not split by the small box after it (an extension)', () => {
    expect(
      withNeighbours([
        control({ labels: 'Phone', type: 'tel', maxLength: 20, rect: onRow(200, 100, 160) }),
        control({ maxLength: 5, rect: onRow(200, 270, 40) }),
      ]),
    ).toEqual(['phone', 'unknown']);
  });

  test('an unlabelled box right after the street address is its second line', () => {
    expect(
      withNeighbours([control({ labels: 'Address' }), control({}), control({ labels: 'City' })]),
    ).toEqual(['address_line', 'address_line2', 'city']);
  });

  test('a box the page declares as address line 1 (autocomplete) stays line 1 without a line 2 box', () => {
    expect(
      withNeighbours([
        control({ labels: 'Street address', autocomplete: 'address-line1' }),
        control({ labels: 'City' }),
      ])[0],
    ).toBe('address_line');
  });

  test('a second email box is the confirmation: said so, or right after the first', () => {
    expect(
      withNeighbours([
        control({ labels: 'Email', type: 'email' }),
        control({ labels: 'Confirm email', type: 'email' }),
      ]),
    ).toEqual(['email', 'email_confirm']);
    expect(
      withNeighbours([
        control({ labels: 'Email', type: 'email' }),
        control({ labels: 'Email', type: 'email' }),
      ]),
    ).toEqual(['email', 'email_confirm']);
  });

  test('one "Name" label over two boxes on a line: first and last name', () => {
    expect(
      withNeighbours([
        control({ labels: 'Name', rect: onRow(200, 100, 150) }),
        control({ rect: onRow(200, 260, 150) }),
        control({ labels: 'Email', type: 'email' }),
      ]),
    ).toEqual(['contact_first_name', 'contact_last_name', 'email']);
  });

  test('two password boxes are the new password and its confirmation', () => {
    expect(
      withNeighbours([
        control({ labels: 'Email', type: 'email' }),
        control({ labels: 'Password', type: 'password' }),
        control({ labels: 'Password', type: 'password' }),
      ]),
    ).toEqual(['email', 'new_password', 'new_password_confirm']);
    expect(
      withNeighbours([
        control({ labels: 'Choose a password', type: 'password' }),
        control({ labels: 'Repeat password', type: 'password' }),
      ]),
    ).toEqual(['new_password', 'new_password_confirm']);
  });

  test("a lone password box on a log-in form is the log-in's", () => {
    expect(
      withNeighbours([
        control({ labels: 'Email', type: 'email' }),
        control({ labels: 'Password', type: 'password' }),
      ]),
    ).toEqual(['email', 'current_password']);
  });

  test('a lone "Name" on a listing form is the business\'s name', () => {
    expect(
      withNeighbours([
        control({ labels: 'Name' }),
        control({ labels: 'Website', type: 'url' }),
        textarea({ labels: 'Description' }),
      ]),
    ).toEqual(['business_name', 'website', 'description']);
  });

  test('"Name" on a contact form (Name, Email, Message) stays the person\'s', () => {
    expect(
      withNeighbours([
        control({ labels: 'Name' }),
        control({ labels: 'Email', type: 'email' }),
        textarea({ labels: 'Message' }),
      ])[0],
    ).toBe('contact_name');
  });
});

// ---------------------------------------------------------------------------------------------
// Containers: which form is the listing's
// ---------------------------------------------------------------------------------------------

describe('candidatesOf / chooseCandidate', () => {
  function form(index: number, partial: Partial<ScannedContainer> = {}): ScannedContainer {
    return {
      index,
      kind: 'form',
      selector: `#form${index}`,
      formIndex: index,
      parent: -1,
      signature: `form${index} form`,
      heading: '',
      text: '',
      method: 'post',
      action: '',
      visible: true,
      rect: { x: 0, y: index * 500, width: 600, height: 400 },
      ...partial,
    };
  }
  const inForm = (container: number, partial: Partial<ScannedControl>): ScannedControl =>
    control({ container, formIndex: container, ...partial });

  /** Classifies and corrects per container, as analyzeScan does, then builds the candidates. */
  function candidates(containers: ScannedContainer[], controls: ScannedControl[]) {
    const scan: ScanResult = {
      url: 'https://directory.example/add',
      lang: 'en',
      controls,
      buttons: [],
      containers,
      humanChecks: [],
      changes: 0,
    };
    const classes = new Map(controls.map((c) => [c.index, classifyControl(c)]));
    for (const container of containers) {
      applyNeighbours(
        controls.filter((c) => c.container === container.index),
        classes,
      );
    }
    const all = candidatesOf(scan, classes);
    const of = (index: number) => all.find((c) => c.container.index === index && c.shape === 'container');
    return { all, of, chosen: chooseCandidate(all) };
  }

  const LOGIN = form(0, { signature: 'login-form form', heading: 'Log in', action: '/login' });
  const NEWSLETTER = form(1, {
    signature: 'newsletter form',
    heading: 'Newsletter',
    text: 'Subscribe to our newsletter',
    action: '/subscribe',
  });
  const LISTING = form(2, { signature: 'listing-form form', heading: 'Add your business', action: '/add' });
  const SEARCH = form(3, { signature: 'search form', action: '/search', method: 'get' });
  const controls = (): ScannedControl[] => [
    inForm(0, { labels: 'Email', type: 'email' }),
    inForm(0, { labels: 'Password', type: 'password' }),
    inForm(1, { placeholder: 'Your email', type: 'email' }),
    inForm(2, { labels: 'Business name' }),
    inForm(2, { labels: 'Email', type: 'email' }),
    inForm(2, { labels: 'Phone', type: 'tel' }),
    inForm(2, { labels: 'Website', type: 'url' }),
    inForm(2, { labels: 'City' }),
    inForm(3, { type: 'search', name: 'q', placeholder: 'Search listings' }),
  ];

  test('the listing form is chosen over a log-in form, a newsletter box and a search form', () => {
    const { chosen } = candidates([LOGIN, NEWSLETTER, LISTING, SEARCH], controls());
    expect(chosen?.container.selector).toBe('#form2');
    expect(chosen?.purpose).toBe('listing');
  });

  test('without a listing form nothing is chosen: neither the log-in nor the newsletter box', () => {
    const { chosen } = candidates(
      [LOGIN, NEWSLETTER, SEARCH],
      controls().filter((c) => c.container !== 2),
    );
    expect(chosen).toBeUndefined();
  });

  test('each is recognized for what it is', () => {
    const { of } = candidates([LOGIN, NEWSLETTER, LISTING, SEARCH], controls());
    expect(of(1)?.purpose).toBe('newsletter');
    expect(of(3)).toMatchObject({ purpose: 'search', score: 0 });
    expect(of(0)?.purpose).toBe('login');
  });

  test('a search form gets score 0, even with text boxes that look like profile fields', () => {
    const finder = form(0, { signature: 'search', action: '/search', method: 'get' });
    const { of, chosen } = candidates(
      [finder],
      [
        inForm(0, { name: 'q', placeholder: 'What are you looking for?' }),
        inForm(0, { name: 'where', placeholder: 'City or ZIP' }),
      ],
    );
    expect(of(0)).toMatchObject({ purpose: 'search', score: 0 });
    expect(chosen).toBeUndefined();
  });
});

// ---------------------------------------------------------------------------------------------
// Values
// ---------------------------------------------------------------------------------------------

describe('chooseOption', () => {
  test.each<[string, Option[], string, string]>([
    ['ISO alpha-2 values', COUNTRIES, 'United States', 'US'],
    ['ISO alpha-2 labels', options(['1', 'CA'], ['2', 'US'], ['3', 'DE']), 'United States', '2'],
    ['ISO alpha-3', options(['CAN', 'CAN'], ['USA', 'USA'], ['DEU', 'DEU']), 'United States', 'USA'],
    ['ISO numeric', options(['124', '124'], ['840', '840'], ['276', '276']), 'United States', '840'],
    [
      'German names',
      options(['a', 'Kanada'], ['b', 'Vereinigte Staaten'], ['c', 'Deutschland']),
      'United States',
      'b',
    ],
    ['French names', options(['a', 'Canada'], ['b', 'États-Unis'], ['c', 'Allemagne']), 'United States', 'b'],
    [
      'Spanish names, profile says USA',
      options(['a', 'Canadá'], ['b', 'Estados Unidos'], ['c', 'Alemania']),
      'USA',
      'b',
    ],
    ['an alias (uk)', COUNTRIES, 'uk', 'GB'],
  ])('country by %s', (_, list, value, expected) => {
    expect(chooseOption(list, value, 'country')).toBe(expected);
  });

  test('a country the list does not have: none, never a wrong one', () => {
    expect(chooseOption(COUNTRIES, 'Japan', 'country')).toBeUndefined();
    expect(countryCode('Vereinigte Staaten')).toBe('US');
    expect(countryCode('États-Unis')).toBe('US');
    expect(countryCode('nowhere land')).toBeUndefined();
  });

  test('regions by name or by code, within the profile country', () => {
    const named = options(['', 'Choose a state'], ['CA', 'California'], ['NY', 'New York'], ['TX', 'Texas']);
    expect(chooseOption(named, 'TX', 'region', PROFILE)).toBe('TX');
    expect(chooseOption(options(['43', 'California'], ['44', 'Texas']), 'TX', 'region', PROFILE)).toBe('44');
    const coded = options(['1', 'CA'], ['2', 'NY'], ['3', 'TX']);
    expect(chooseOption(coded, 'Texas', 'region', { ...PROFILE, region: 'Texas' })).toBe('3');
  });

  test('categories by the same word in another form; an ambiguous or unknown one is left alone', () => {
    const categories = options(
      ['', 'Choose a category'],
      ['plumbing', 'Plumbing'],
      ['electricians', 'Electricians'],
      ['dentists', 'Dentists'],
      ['legal', 'Legal Services'],
    );
    expect(chooseOption(categories, 'Plumbing', 'category')).toBe('plumbing');
    expect(chooseOption(categories, 'Plumber', 'category')).toBe('plumbing');
    expect(chooseOption(categories, 'Electrician', 'category')).toBe('electricians');
    expect(chooseOption(categories, 'Dentist', 'category')).toBe('dentists');
    expect(chooseOption(categories, 'Legal', 'category')).toBe('legal');
    expect(chooseOption(categories, 'Lawyer', 'category')).toBeUndefined();
    expect(
      chooseOption([...categories, { value: 'plumbers', label: 'Plumbers' }], 'Plumb', 'category'),
    ).toBeUndefined();
  });
});

describe('phones, fitting and formatting', () => {
  const field = (partial: Partial<FieldShape> = {}): FieldShape => ({
    tag: 'input',
    type: 'text',
    maxLength: null,
    pattern: '',
    placeholder: '',
    ...partial,
  });

  test('phoneParts of "+1 512 555 0142"', () => {
    expect(phoneParts('+1 512 555 0142')).toEqual({
      original: '+1 512 555 0142',
      e164: '+15125550142',
      countryCallingCode: '1',
      national: '5125550142',
      nationalFormatted: '(512) 555-0142',
      internationalFormatted: '+1 512 555 0142',
      areaCode: '512',
      prefix: '555',
      line: '0142',
    });
    expect(phoneParts('(512) 555-0142', 'United States').e164).toBe('+15125550142');
  });

  test('fitValue: the first way of writing it that fits the maxlength and the pattern', () => {
    const website = (shape: FieldShape) =>
      fitValue(valueCandidates('website', PROFILE, shape), 'website', shape);
    expect(website(field())).toBe('https://acme-plumbing.example/');
    expect(website(field({ maxLength: 25 }))).toBe('acme-plumbing.example');
    const phone = (shape: FieldShape) => fitValue(valueCandidates('phone', PROFILE, shape), 'phone', shape);
    expect(phone(field({ pattern: '[0-9]{10}' }))).toBe('5125550142');
    expect(phone(field({ pattern: '\\d{3}-\\d{3}-\\d{4}' }))).toBe('512-555-0142');
    expect(phone(field({ placeholder: '(555) 555-5555' }))).toBe('(512) 555-0142');
    const zip = { ...PROFILE, postal_code: '78701-1234' };
    expect(
      fitValue(
        valueCandidates('postal_code', zip, field({ maxLength: 5 })),
        'postal_code',
        field({ maxLength: 5 }),
      ),
    ).toBe('78701');
    expect(valueCandidates('region', PROFILE, field({ maxLength: 2 }))).toEqual(['TX']);
  });

  test('fitValue: prose is cut to fit; a name or a ZIP that cannot fit is left out, never cut', () => {
    const description = 'Family-owned plumbing. Drain service in Austin since 1998.';
    expect(fitValue([description], 'description', field({ maxLength: 40 }))).toBe('Family-owned plumbing.');
    expect(fitValue(['Acme Plumbing LLC'], 'business_name', field({ maxLength: 10 }))).toBeUndefined();
    expect(
      fitValue(['78701'], 'postal_code', field({ pattern: '[A-Z]\\d[A-Z] ?\\d[A-Z]\\d' })),
    ).toBeUndefined();
    expect(fitValue(['plumbing, drains, water heaters'], 'keywords', field({ maxLength: 20 }))).toBe(
      'plumbing, drains',
    );
    expect(matchesPattern('abc', '[a-z]+')).toBe(true);
    expect(matchesPattern('abc1', '[a-z]+')).toBe(false);
    expect(matchesPattern('anything', '[unclosed')).toBe(true); // browsers ignore an invalid pattern
  });

  test('cutToLength: at a sentence end when one is close, else at a word boundary, never mid-word', () => {
    expect(cutToLength('Family-owned plumbing. Drain service in Austin since 1998.', 40)).toBe(
      'Family-owned plumbing.',
    );
    expect(cutToLength('We fix pipes and clear drains fast', 20)).toBe('We fix pipes and');
    expect(cutToLength('We fix pipes, and drains', 13)).toBe('We fix pipes');
    expect(cutToLength('Supercalifragilistic', 5)).toBeUndefined();
    expect(cutToLength('short', 10)).toBe('short');
  });

  test('formatOpeningHours in English and German: runs of days, single days', () => {
    const hours: OpeningHours = [
      { days: ['mon', 'tue', 'wed', 'thu', 'fri'], opens: '08:00', closes: '18:00' },
      { days: ['sat'], opens: '09:00', closes: '13:00' },
    ];
    expect(formatOpeningHours(hours, 'en')).toBe('Mon-Fri 08:00-18:00, Sat 09:00-13:00');
    expect(formatOpeningHours(hours, 'de')).toBe('Mo-Fr 08:00-18:00, Sa 09:00-13:00');
    expect(formatOpeningHours(hours, 'de-AT')).toBe('Mo-Fr 08:00-18:00, Sa 09:00-13:00');
    expect(formatOpeningHours([{ days: ['mon', 'wed', 'fri'], opens: '09:00', closes: '17:00' }])).toBe(
      'Mon, Wed, Fri 09:00-17:00',
    );
    expect(valueCandidates('opening_hours', FULL_PROFILE, field(), 'de')).toEqual([
      'Mo-Fr 08:00-18:00, Sa 09:00-13:00',
    ]);
  });
});

// ---------------------------------------------------------------------------------------------
// Buttons
// ---------------------------------------------------------------------------------------------

describe('classifyButton', () => {
  const button = (partial: Partial<ScannedButton>): ScannedButton => ({
    index: 0,
    selector: 'button',
    tag: 'button',
    type: 'button',
    text: '',
    visible: true,
    enabled: true,
    container: 0,
    formIndex: 0,
    rect: { x: 100, y: 600, width: 120, height: 32 },
    ...partial,
  });

  test.each([
    ['en', 'Submit listing'],
    ['en', 'Add your business'],
    ['de', 'Jetzt eintragen'],
    ['de', 'Absenden'],
    ['fr', 'Envoyer'],
    ['fr', 'Valider'],
    ['es', 'Enviar'],
    ['es', 'Publicar'],
    ['it', 'Invia'],
    ['nl', 'Verzenden'],
    ['pt', 'Cadastrar'],
  ])('%s: "%s" submits, even on a type=button', (_, text) => {
    expect(classifyButton(button({ text })).role).toBe('submit');
  });

  test.each([
    'Next',
    'Continue',
    'Weiter',
    'Suivant',
    'Siguiente',
    'Avanti',
    'Volgende',
    'Próximo',
    'Next ›',
  ])('"%s" is a next step, even on a type=submit', (text) => {
    expect(classifyButton(button({ text, type: 'submit' })).role).toBe('next');
  });

  test.each(['Search', 'Log in', 'Sign in', 'Cancel', 'Subscribe', 'Suchen', 'Annuler', 'Save draft'])(
    '"%s" is never clicked, even on a type=submit',
    (text) => {
      expect(classifyButton(button({ text, type: 'submit' }))).toMatchObject({ role: 'other', score: 0 });
    },
  );

  test('an unlabelled type=submit (or image) still submits; an unlabelled plain button does not', () => {
    expect(classifyButton(button({ tag: 'input', type: 'submit', text: '' })).role).toBe('submit');
    expect(classifyButton(button({ tag: 'input', type: 'image', text: '' })).role).toBe('submit');
    expect(classifyButton(button({ type: 'submit', text: 'Go' })).role).toBe('submit');
    expect(classifyButton(button({ text: 'Go' })).role).toBe('other');
  });

  test('a hidden, disabled or reset button never submits', () => {
    expect(classifyButton(button({ text: 'Submit', type: 'submit', visible: false })).role).toBe('other');
    expect(classifyButton(button({ text: 'Submit', type: 'submit', enabled: false })).role).toBe('other');
    expect(classifyButton(button({ tag: 'input', text: 'Submit', type: 'reset' })).role).toBe('other');
  });

  test('the submit words win over a next word in the same text ("Save and continue")', () => {
    expect(classifyButton(button({ text: 'Save and continue', type: 'submit' })).role).toBe('submit');
  });
});
