/** The field matcher, option chooser and button picker: pure functions, no browser. */
import {
  assignFields,
  chooseOption,
  pickButtons,
  scoreControl,
  type ButtonDescriptor,
  type ControlDescriptor,
} from '../../lambdas/submitter/form-filler';

let nextIndex = 0;
function control(partial: Partial<ControlDescriptor>): ControlDescriptor {
  return {
    index: nextIndex++,
    tag: 'input',
    type: 'text',
    name: '',
    id: '',
    autocomplete: '',
    placeholder: '',
    label: '',
    nearby: '',
    required: false,
    visible: true,
    editable: true,
    value: '',
    checked: false,
    formIndex: 0,
    options: [],
    group: '',
    ...partial,
  };
}

const assigned = (controls: ControlDescriptor[]): Record<string, string> =>
  Object.fromEntries(
    assignFields(controls).map((a) => [a.control.name || a.control.label || a.control.placeholder, a.field]),
  );

test.each([
  [{ name: 'company' }, 'business_name'],
  [{ label: 'Business Name' }, 'business_name'],
  [{ name: 'companyName' }, 'business_name'],
  [{ label: 'Organisation' }, 'business_name'],
  [{ name: 'zip' }, 'postal_code'],
  [{ label: 'Postal code' }, 'postal_code'],
  [{ placeholder: 'Postcode' }, 'postal_code'],
  [{ name: 'state' }, 'region'],
  [{ label: 'Province' }, 'region'],
  [{ name: 'url' }, 'website'],
  [{ label: 'Homepage' }, 'website'],
  [{ type: 'url', name: 'x1' }, 'website'],
  [{ type: 'email', name: 'x2' }, 'email'],
  [{ type: 'tel', name: 'x3' }, 'phone'],
  [{ autocomplete: 'organization', name: 'x4' }, 'business_name'],
  [{ autocomplete: 'address-level2', name: 'x5' }, 'city'],
  [{ autocomplete: 'postal-code', name: 'x6' }, 'postal_code'],
  [{ name: 'town' }, 'city'],
  [{ name: 'street' }, 'address_line'],
  [{ tag: 'textarea' as const, type: 'textarea', label: 'Tell us about your business' }, 'description'],
  [{ tag: 'select' as const, type: 'select', label: 'Type of business' }, 'category'],
])('%j is %s', (partial, field) => {
  expect(assignFields([control(partial)]).map((a) => a.field)).toEqual([field]);
});

test('near misses are not taken', () => {
  expect(assignFields([control({ label: 'Contact name' })])).toEqual([]);
  expect(assignFields([control({ label: 'First name', name: 'first_name' })])).toEqual([]);
  expect(assignFields([control({ label: 'Address line 2', name: 'address2' })])).toEqual([]);
  expect(assignFields([control({ label: 'Fax' })])).toEqual([]);
  expect(assignFields([control({ label: 'Facebook page URL' })])).toEqual([]);
  expect(assignFields([control({ label: 'Question 1', name: 'f1' })])).toEqual([]);
  expect(scoreControl(control({ label: 'Email address' }), 'address_line')).toBeLessThan(0);
});

test('the best pairs win when several fields compete for controls', () => {
  const result = assigned([
    control({ name: 'name', label: 'Your name' }),
    control({ name: 'business', label: 'Business name' }),
    control({ name: 'email', type: 'email', label: 'Email address' }),
    control({ name: 'email_confirm', type: 'email', label: 'Confirm email' }),
    control({ name: 'web', label: 'Web address' }),
    control({ name: 'addr', label: 'Address' }),
    control({ name: 'country_region', tag: 'select', type: 'select', label: 'Country/Region' }),
  ]);
  expect(result).toEqual({
    business: 'business_name',
    email: 'email',
    email_confirm: 'email',
    web: 'website',
    addr: 'address_line',
    country_region: 'country',
  });
});

test('select options: exact, alias, partial, else none', () => {
  const countries = [
    { value: '', label: 'Select country' },
    { value: 'US', label: 'United States' },
    { value: 'GB', label: 'United Kingdom' },
  ];
  expect(chooseOption(countries, 'United States', 'country')).toBe('US');
  expect(chooseOption(countries, 'USA', 'country')).toBe('US');
  expect(chooseOption(countries, 'uk', 'country')).toBe('GB');
  expect(chooseOption(countries, 'France', 'country')).toBeUndefined();
  const categories = [
    { value: 'plumbing', label: 'Plumbing' },
    { value: 'hvac', label: 'Heating & Cooling' },
    { value: 'legal', label: 'Legal Services' },
  ];
  expect(chooseOption(categories, 'plumbing')).toBe('plumbing');
  expect(chooseOption(categories, 'Legal')).toBe('legal');
  expect(chooseOption(categories, 'Restaurants')).toBeUndefined();
});

function button(partial: Partial<ButtonDescriptor>): ButtonDescriptor {
  return {
    index: 0,
    text: '',
    type: 'submit',
    visible: true,
    enabled: true,
    formIndex: 1,
    inSearchForm: false,
    ...partial,
  };
}

test("buttons: the form's submit, never the site search; Next is a step, not a submit", () => {
  const search = button({ index: 0, text: 'Search', formIndex: 0, inSearchForm: true });
  const submit = button({ index: 1, text: 'Submit listing' });
  const next = button({ index: 2, text: 'Next', type: 'button' });
  const back = button({ index: 3, text: 'Back', type: 'button' });
  expect(pickButtons([search, submit], 1)).toEqual({ submit, next: undefined });
  expect(pickButtons([search, next], 1)).toEqual({ submit: undefined, next });
  expect(pickButtons([search, back, { ...submit, visible: false }, next], 1)).toEqual({
    submit: undefined,
    next,
  });
  expect(pickButtons([button({ index: 4, text: 'Go', formIndex: 2 })], 1).submit).toBeUndefined();
});

test('select options: the same word in another form ("Plumber" is "Plumbing"), never an ambiguous one', () => {
  const categories = [
    { value: '', label: 'Choose a category' },
    { value: 'plumbing', label: 'Plumbing' },
    { value: 'electricians', label: 'Electricians' },
    { value: 'dentists', label: 'Dentists' },
    { value: 'legal', label: 'Legal Services' },
  ];
  expect(chooseOption(categories, 'Plumber')).toBe('plumbing');
  expect(chooseOption(categories, 'Electrician')).toBe('electricians');
  expect(chooseOption(categories, 'Dentist')).toBe('dentists');
  expect(chooseOption(categories, 'Lawyer')).toBeUndefined();
  expect(chooseOption([...categories, { value: 'plumbers', label: 'Plumbers' }], 'Plumb')).toBeUndefined();
});
