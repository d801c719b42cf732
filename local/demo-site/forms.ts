/**
 * HTML of the demo directory site: plain HTML and inline script only, no external resources (the
 * machine has no internet, and the submitter must never need any to work).
 *
 * Each form exists to exercise one thing the submitter meets on real directories; the comment above
 * each says which. Field names are deliberately the synonyms real sites use ("company", "zip",
 * "state"), not the profile's own names, so detection is tested rather than assumed.
 */

export const CATEGORIES = [
  'Bakery',
  'Plumbing',
  'Electricians',
  'Restaurants',
  'Dentists',
  'Legal Services',
] as const;
export const COUNTRIES: ReadonlyArray<{ value: string; label: string }> = [
  { value: 'US', label: 'United States' },
  { value: 'CA', label: 'Canada' },
  { value: 'GB', label: 'United Kingdom' },
  { value: 'DE', label: 'Germany' },
];

/** Escape text for HTML element content and attribute values. */
export function escapeHtml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(title)}</title>
<style>
  body { font-family: sans-serif; max-width: 40rem; margin: 2rem auto; }
  label { display: block; margin: .5rem 0; }
  .error { color: #b00; }
  .honeypot { position: absolute; left: -10000px; }
</style>
</head>
<body>
<header>
  <!-- A site-wide search form with its own submit button: the submitter must not click it. -->
  <form action="/search" method="get" role="search"><input type="search" name="q" placeholder="Search listings"><button type="submit">Search</button></form>
</header>
<main>
${body}
</main>
</body>
</html>`;
}

export const categoryOptions = (): string =>
  [
    '<option value="">Choose a category</option>',
    ...CATEGORIES.map((c) => `<option value="${c.toLowerCase().replace(/\s+/g, '-')}">${c}</option>`),
  ].join('');
export const countryOptions = (): string =>
  [
    '<option value="">Select country</option>',
    ...COUNTRIES.map((c) => `<option value="${c.value}">${c.label}</option>`),
  ].join('');

/**
 * /forms/plain — the common case: a server-rendered form with named inputs, <label for>, a
 * honeypot field hidden off-screen (must stay empty), and a POST that redirects to a thank-you page
 * showing the new listing's link. Names use real-world synonyms (company, zip, state).
 */
export function plainForm(action = '/forms/plain'): string {
  return page(
    'Add your business — Plain Directory',
    `<h1>Add your business</h1>
<form method="post" action="${escapeHtml(action)}" id="listing-form">
  <label for="company">Company name *</label><input id="company" name="company" required>
  <label for="contact_email">Email *</label><input id="contact_email" name="contact_email" type="email" required>
  <label for="phone">Phone *</label><input id="phone" name="phone" type="tel" required>
  <label for="site">Website</label><input id="site" name="site" type="url">
  <label for="street">Street address</label><input id="street" name="street" autocomplete="address-line1">
  <label for="town">City *</label><input id="town" name="town" required>
  <label for="state">State</label><input id="state" name="state">
  <label for="zip">ZIP</label><input id="zip" name="zip">
  <label for="country">Country</label><select id="country" name="country">${countryOptions()}</select>
  <label for="category">Category *</label><select id="category" name="category" required>${categoryOptions()}</select>
  <label for="about">About your business</label><textarea id="about" name="about" rows="4"></textarea>
  <div class="honeypot" aria-hidden="true"><label for="fax">Leave empty</label><input id="fax" name="fax" tabindex="-1" autocomplete="off"></div>
  <button type="submit">Submit listing</button>
</form>`,
  );
}

/**
 * /forms/labels-only — a script-driven form (as single-page apps render them): no name or id on
 * any input, so only the visible label text, aria-label / aria-labelledby and placeholders say what
 * a field is. The script posts JSON with fetch and shows the result in place: the URL never changes,
 * so success must be read from the page.
 */
export function labelsOnlyForm(): string {
  return page(
    'List your company — Labels Directory',
    `<h1>List your company</h1>
<form id="app-form" novalidate>
  <label>Business name <input data-k="business_name" required></label>
  <span id="lbl-mail">E-mail address</span><input data-k="email" type="email" aria-labelledby="lbl-mail" required>
  <input data-k="phone" aria-label="Telephone" required>
  <label>Web site URL <input data-k="website"></label>
  <label>Address <input data-k="address_line"></label>
  <label>Town / City <input data-k="city" required></label>
  <label>Province or region <input data-k="region"></label>
  <input data-k="postal_code" placeholder="Postcode">
  <label>Country <select data-k="country">${countryOptions()}</select></label>
  <label>Type of business <select data-k="category">${categoryOptions()}</select></label>
  <label>Tell us about your business <textarea data-k="description"></textarea></label>
  <button type="submit">Publish</button>
</form>
<div id="result" role="status"></div>
<script>
  document.getElementById('app-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const body = {};
    for (const el of document.querySelectorAll('[data-k]')) body[el.dataset.k] = el.value;
    const res = await fetch('/forms/labels-only', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const data = await res.json();
    const out = document.getElementById('result');
    if (res.ok) {
      document.getElementById('app-form').remove();
      out.innerHTML = '<p>Thanks! Your listing was received.</p><a data-listing-url href="' + data.listingUrl + '">View your listing</a>';
    } else {
      out.innerHTML = '<p class="error" role="alert">' + data.error + '</p>';
    }
  });
</script>`,
  );
}

/**
 * /forms/multi-step — a wizard: contact details first, then a "Next" button reveals the address and
 * listing details, and only then does the Submit button appear. The submit button is in the DOM
 * but hidden on step 1, so the submitter must act on what is visible. "Next" refuses to advance
 * while step 1 is incomplete, as real wizards do.
 */
export function multiStepForm(): string {
  return page(
    'Get listed — Wizard Directory',
    `<h1>Get listed in 2 steps</h1>
<form method="post" action="/forms/multi-step" id="wizard">
  <fieldset id="step-1"><legend>Step 1 of 2: Contact</legend>
    <label for="org">Organization</label><input id="org" name="organization" required>
    <label for="em">Email</label><input id="em" name="email" type="email" required>
    <label for="tel">Phone number</label><input id="tel" name="telephone" type="tel" required>
    <label for="url">Homepage</label><input id="url" name="url" type="url">
    <button type="button" id="next">Next</button>
  </fieldset>
  <fieldset id="step-2" hidden><legend>Step 2 of 2: Location and listing</legend>
    <label for="a1">Address line 1</label><input id="a1" name="address1">
    <label for="ct">City</label><input id="ct" name="city" required>
    <label for="rg">State / Province</label><input id="rg" name="region">
    <label for="pc">Postal code</label><input id="pc" name="postal_code">
    <label for="co">Country</label><select id="co" name="country">${countryOptions()}</select>
    <label for="cat">Primary category</label><select id="cat" name="category">${categoryOptions()}</select>
    <label for="desc">Description</label><textarea id="desc" name="description"></textarea>
    <button type="button" id="back">Back</button>
    <button type="submit">Submit</button>
  </fieldset>
</form>
<script>
  document.getElementById('next').addEventListener('click', () => {
    const step1 = document.getElementById('step-1');
    for (const el of step1.querySelectorAll('input')) { if (!el.reportValidity()) return; }
    step1.hidden = true;
    document.getElementById('step-2').hidden = false;
  });
  document.getElementById('back').addEventListener('click', () => {
    document.getElementById('step-2').hidden = true;
    document.getElementById('step-1').hidden = false;
  });
</script>`,
  );
}

/**
 * /forms/captcha — a directory that puts a human check in front of submission (a reCAPTCHA-style
 * widget, rendered locally). The submitter cannot and must not solve it: the outcome is
 * needs_manual and nothing is posted. The server also refuses any POST without a captcha token.
 */
export function captchaForm(): string {
  return page(
    'Submit a listing — Captcha Directory',
    `<h1>Submit a listing</h1>
<form method="post" action="/forms/captcha">
  <label for="bn">Business name</label><input id="bn" name="business_name" required>
  <label for="e">Email</label><input id="e" name="email" type="email" required>
  <label for="p">Phone</label><input id="p" name="phone" type="tel">
  <label for="w">Website</label><input id="w" name="website" type="url">
  <label for="c">City</label><input id="c" name="city">
  <div class="g-recaptcha" data-sitekey="demo-site-key" id="captcha">
    <label><input type="checkbox" name="captcha_ack"> I'm not a robot</label>
  </div>
  <input type="hidden" name="g-recaptcha-response" value="">
  <button type="submit">Submit</button>
</form>`,
  );
}

/**
 * /forms/mapped — a generated form (form-builder style): opaque names (f1, f2, ...) and no labels,
 * only numbered questions in plain text. Detection cannot place the fields; a directory's stored
 * mapping can. Success is shown in an element with id "done", which a mapping's success rule names.
 */
export function mappedForm(): string {
  const q = (n: number, type = 'text'): string =>
    `<p>Question ${n}</p><input name="f${n}" type="${type}"${n <= 3 ? ' required' : ''}>`;
  return page(
    'Form 7731',
    `<h1>Form 7731</h1>
<form method="post" action="/forms/mapped">
  ${q(1)} ${q(2, 'text')} ${q(3)} ${q(4)} ${q(5)}
  <button type="submit" class="go">Go</button>
</form>`,
  );
}

/** The success page after a server-rendered submission, with the new listing's link. */
export function successPage(id: string, businessName: string): string {
  return page(
    'Thank you',
    `<h1>Thank you!</h1>
<p>Your listing for <strong>${escapeHtml(businessName)}</strong> was received and is pending review.</p>
<p id="done"><a data-listing-url href="/listings/${escapeHtml(id)}">View your listing</a></p>`,
  );
}

/** A validation failure, as directories answer it: the form's problems in an alert. */
export function errorPage(errors: string[]): string {
  return page(
    'Please correct the errors',
    `<h1>Please correct the errors</h1>
<div class="error" role="alert"><ul>${errors.map((e) => `<li>${escapeHtml(e)}</li>`).join('')}</ul></div>`,
  );
}

export function listingPage(id: string, fields: Record<string, string>): string {
  const rows = Object.entries(fields)
    .map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`)
    .join('');
  return page(`Listing ${id}`, `<h1>Listing ${escapeHtml(id)}</h1><dl>${rows}</dl>`);
}

export function indexPage(paths: string[]): string {
  return page(
    'Demo directory',
    `<h1>Demo directory</h1><ul>${paths.map((p) => `<li><a href="${escapeHtml(p)}">${escapeHtml(p)}</a></li>`).join('')}</ul>`,
  );
}

export const US_STATES: ReadonlyArray<{ value: string; label: string }> = [
  { value: 'CA', label: 'California' },
  { value: 'NY', label: 'New York' },
  { value: 'TX', label: 'Texas' },
  { value: 'WA', label: 'Washington' },
];

/**
 * /forms/choices — choices instead of text: a country and a state <select>, the category as a radio
 * group (a fieldset with a legend), a contact-method radio group that is already answered, an
 * optional newsletter checkbox (must stay unticked: nobody asked for it) and a required "accept the
 * terms" checkbox (a listing cannot be created without it; the submitter may tick it).
 */
export function choicesForm(): string {
  const radios = CATEGORIES.map((c) => {
    const value = c.toLowerCase().replace(/\s+/g, '-');
    return `<label><input type="radio" name="category" value="${value}" required> ${c}</label>`;
  }).join('\n    ');
  return page(
    'Create a listing — Choices Directory',
    `<h1>Create a listing</h1>
<form method="post" action="/forms/choices">
  <label for="bn">Business name</label><input id="bn" name="business_name" required>
  <label for="em">Email</label><input id="em" name="email" type="email" required>
  <label for="ph">Phone</label><input id="ph" name="phone" type="tel" required>
  <label for="ci">City</label><input id="ci" name="city">
  <label for="st">State</label><select id="st" name="state"><option value="">Choose a state</option>${US_STATES.map((s) => `<option value="${s.value}">${s.label}</option>`).join('')}</select>
  <label for="co">Country</label><select id="co" name="country">${countryOptions()}</select>
  <fieldset><legend>Business category</legend>
    ${radios}
  </fieldset>
  <fieldset><legend>Preferred contact method</legend>
    <label><input type="radio" name="contact_method" value="email" checked> Email</label>
    <label><input type="radio" name="contact_method" value="phone"> Phone</label>
  </fieldset>
  <label><input type="checkbox" name="newsletter" value="yes"> Send me the monthly newsletter</label>
  <label><input type="checkbox" name="terms" value="accepted" required> I accept the terms and conditions</label>
  <button type="submit">Add my business</button>
</form>`,
  );
}

/** Every US state and DC: the state <select> of /forms/full (labels are names, values codes). */
export const ALL_US_STATES: ReadonlyArray<{ value: string; label: string }> = [
  ['AL', 'Alabama'],
  ['AK', 'Alaska'],
  ['AZ', 'Arizona'],
  ['AR', 'Arkansas'],
  ['CA', 'California'],
  ['CO', 'Colorado'],
  ['CT', 'Connecticut'],
  ['DE', 'Delaware'],
  ['DC', 'District of Columbia'],
  ['FL', 'Florida'],
  ['GA', 'Georgia'],
  ['HI', 'Hawaii'],
  ['ID', 'Idaho'],
  ['IL', 'Illinois'],
  ['IN', 'Indiana'],
  ['IA', 'Iowa'],
  ['KS', 'Kansas'],
  ['KY', 'Kentucky'],
  ['LA', 'Louisiana'],
  ['ME', 'Maine'],
  ['MD', 'Maryland'],
  ['MA', 'Massachusetts'],
  ['MI', 'Michigan'],
  ['MN', 'Minnesota'],
  ['MS', 'Mississippi'],
  ['MO', 'Missouri'],
  ['MT', 'Montana'],
  ['NE', 'Nebraska'],
  ['NV', 'Nevada'],
  ['NH', 'New Hampshire'],
  ['NJ', 'New Jersey'],
  ['NM', 'New Mexico'],
  ['NY', 'New York'],
  ['NC', 'North Carolina'],
  ['ND', 'North Dakota'],
  ['OH', 'Ohio'],
  ['OK', 'Oklahoma'],
  ['OR', 'Oregon'],
  ['PA', 'Pennsylvania'],
  ['RI', 'Rhode Island'],
  ['SC', 'South Carolina'],
  ['SD', 'South Dakota'],
  ['TN', 'Tennessee'],
  ['TX', 'Texas'],
  ['UT', 'Utah'],
  ['VT', 'Vermont'],
  ['VA', 'Virginia'],
  ['WA', 'Washington'],
  ['WV', 'West Virginia'],
  ['WI', 'Wisconsin'],
  ['WY', 'Wyoming'],
].map(([value, label]) => ({ value: value!, label: label! }));

/** The oldest year the "Year established" <select> of /forms/full offers. */
export const OLDEST_YEAR = 1900;

/**
 * /forms/full — a listing form that asks for the whole extended profile the way large directories
 * do: the contact person's first and last name, an email and a "confirm email" box, the phone split
 * in three boxes (area code / prefix / line, maxlength 3-3-4) under one "Phone" label, a second
 * address line, a US state <select> (names shown, codes posted), a short description limited to
 * 160 characters beside the long one, comma-separated keywords, opening hours as free text, the year
 * established as a <select> of years, Facebook / Instagram / LinkedIn page boxes, a logo upload
 * (image/*), a honeypot, and a required "I accept the terms" checkbox. Posted as
 * multipart/form-data; a valid POST redirects to a thank-you page with the listing link.
 */
export function fullForm(): string {
  const thisYear = new Date().getUTCFullYear();
  const years = Array.from({ length: thisYear - OLDEST_YEAR + 1 }, (_, i) => thisYear - i);
  return page(
    'Add your business — Full Directory',
    `<h1>Add your business</h1>
<p>Fields marked * are required.</p>
<form method="post" action="/forms/full" enctype="multipart/form-data" id="business-form">
  <fieldset><legend>Contact person</legend>
    <label for="fname">First name *</label><input id="fname" name="fname" required>
    <label for="lname">Last name *</label><input id="lname" name="lname" required>
  </fieldset>
  <fieldset><legend>Business</legend>
    <label for="biz">Business name *</label><input id="biz" name="biz" required>
    <label for="mail">Email address *</label><input id="mail" name="mail" type="email" required>
    <label for="mail2">Confirm email address *</label><input id="mail2" name="mail2" type="email" required>
    <label for="ph_area">Phone *</label>
    <div class="phone">(<input id="ph_area" name="ph_area" type="tel" maxlength="3" size="3" inputmode="numeric" required>)
      <input id="ph_prefix" name="ph_prefix" type="tel" maxlength="3" size="3" inputmode="numeric" required> -
      <input id="ph_line" name="ph_line" type="tel" maxlength="4" size="4" inputmode="numeric" required></div>
    <label for="web">Website</label><input id="web" name="web" type="url" placeholder="https://">
  </fieldset>
  <fieldset><legend>Location</legend>
    <label for="addr1">Street address *</label><input id="addr1" name="addr1" required>
    <label for="addr2">Address line 2</label><input id="addr2" name="addr2" placeholder="Suite, unit, floor (optional)">
    <label for="city">City *</label><input id="city" name="city" required>
    <label for="state">State *</label><select id="state" name="state" required><option value="">Select a state</option>${ALL_US_STATES.map((s) => `<option value="${s.value}">${s.label}</option>`).join('')}</select>
    <label for="zip">ZIP code *</label><input id="zip" name="zip" maxlength="10" required>
    <label for="country">Country *</label><select id="country" name="country" required>${countryOptions()}</select>
  </fieldset>
  <fieldset><legend>Listing</legend>
    <label for="category">Category *</label><select id="category" name="category" required>${categoryOptions()}</select>
    <label for="tagline">Short description *</label><input id="tagline" name="tagline" maxlength="160" required>
    <small>Up to 160 characters, shown in search results.</small>
    <label for="details">Full description *</label><textarea id="details" name="details" rows="6" required></textarea>
    <label for="tags">Keywords</label><input id="tags" name="tags"> <small>separate with commas</small>
    <label for="hours">Opening hours</label><textarea id="hours" name="hours" rows="3" placeholder="e.g. Mon-Fri 09:00-17:00"></textarea>
    <label for="founded">Year established</label><select id="founded" name="founded"><option value="">Select year</option>${years.map((y) => `<option value="${y}">${y}</option>`).join('')}</select>
  </fieldset>
  <fieldset><legend>Social profiles</legend>
    <label for="fb">Facebook page URL</label><input id="fb" name="fb" type="url">
    <label for="ig">Instagram profile URL</label><input id="ig" name="ig" type="url">
    <label for="li">LinkedIn company page URL</label><input id="li" name="li" type="url">
  </fieldset>
  <label for="logo">Logo (PNG, JPEG, GIF or WebP)</label><input id="logo" name="logo" type="file" accept="image/*">
  <div class="honeypot" aria-hidden="true"><label for="fax">Leave empty</label><input id="fax" name="fax" tabindex="-1" autocomplete="off"></div>
  <label><input type="checkbox" name="terms" value="accepted" required> I accept the terms of service</label>
  <button type="submit">Submit listing</button>
</form>`,
  );
}

/**
 * /forms/validation — the browser accepts everything, the server does not: it only lists Canadian
 * businesses and answers 422 with its reason (a permanent failure: retrying cannot help).
 */
export function validationForm(): string {
  return page(
    'Add a Canadian business — Maple Directory',
    `<h1>Add a Canadian business</h1>
<form method="post" action="/forms/validation">
  <label for="bn">Business name</label><input id="bn" name="business_name" required>
  <label for="em">Email</label><input id="em" name="email" type="email" required>
  <label for="ph">Phone</label><input id="ph" name="phone" type="tel" required>
  <label for="ci">City</label><input id="ci" name="city" required>
  <label for="pc">Postal code</label><input id="pc" name="postal_code">
  <button type="submit">Submit listing</button>
</form>`,
  );
}

/**
 * The page a /forms/redirect submission lands on (303 to /thanks?ref=...): a reference number and
 * nothing that reads as a confirmation, so success can only be judged by the redirect itself.
 */
export function referencePage(ref: string, listingId: string | undefined): string {
  return page(
    'Redirect Directory',
    `<h1>Redirect Directory</h1>
<p>Reference: <code>${escapeHtml(ref)}</code></p>${
      listingId ? `\n<p><a href="/listings/${escapeHtml(listingId)}">View your listing</a></p>` : ''
    }`,
  );
}

/**
 * /probes/ssrf?canary=<origin> — a hostile directory page: it tries to reach another origin on
 * loopback (fetch, img, iframe, WebSocket, a redirect through this site), the cloud metadata address
 * and a local file, and reports what it saw in window.__probes (a promise). The SSRF guard must
 * stop all of them; the same-origin fetch must still work.
 */
export function ssrfProbePage(canary: string): string {
  const ws = canary.replace(/^http/, 'ws');
  return page(
    'Probe',
    `<h1>Probe</h1>
<img id="img" alt="">
<iframe id="frame-canary" title="canary"></iframe>
<iframe id="frame-file" title="file"></iframe>
<script>
  const canary = ${JSON.stringify(canary)};
  const attempt = (p) => p.then((r) => (typeof r === 'string' ? r : 'ok:' + r.status), (e) => 'error:' + String(e && e.message || e));
  const text = (url) => fetch(url).then(async (r) => r.ok ? 'ok:' + (await r.text()).slice(0, 40) : 'status:' + r.status);
  window.__probes = (async () => {
    const out = {};
    document.getElementById('img').src = canary + '/img';
    document.getElementById('frame-canary').src = canary + '/iframe';
    document.getElementById('frame-file').src = 'file:///proc/self/environ';
    out.sameOrigin = await attempt(text('/forms/plain'));
    out.fetchCanary = await attempt(text(canary + '/fetch'));
    out.fetchMetadata = await attempt(text('http://169.254.169.254/latest/meta-data/'));
    out.fetchFile = await attempt(text('file:///proc/self/environ'));
    out.redirectToCanary = await attempt(text('/redirect?to=' + encodeURIComponent(canary + '/redirected')));
    out.webSocket = await new Promise((resolve) => {
      try {
        const socket = new WebSocket(${JSON.stringify(ws)} + '/ws');
        socket.onopen = () => resolve('open');
        socket.onerror = () => resolve('error');
        setTimeout(() => resolve('timeout'), 3000);
      } catch (e) { resolve('error:' + e.message); }
    });
    await new Promise((r) => setTimeout(r, 300));
    try { out.fileFrame = document.getElementById('frame-file').contentDocument?.body?.innerText || ''; } catch (e) { out.fileFrame = 'cross-origin'; }
    return out;
  })();
</script>`,
  );
}
