/** The demo directory site over plain HTTP: forms, server-side validation, the submission record. */
import { createHash } from 'node:crypto';
import { crc32, deflateSync } from 'node:zlib';
import { FULL_FORM_MAX_BODY_BYTES, startDemoSite, type DemoSite } from '../../../local/demo-site/server';

let site: DemoSite;
beforeAll(async () => {
  site = await startDemoSite();
});
afterAll(async () => {
  await site?.stop();
});
beforeEach(() => site.reset());

const form = (fields: Record<string, string>) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields).toString(),
  redirect: 'manual' as const,
});

const PLAIN_OK = {
  company: 'Acme Plumbing LLC',
  contact_email: 'owner@acme.example',
  phone: '512 555 0142',
  town: 'Austin',
  category: 'plumbing',
  fax: '',
};

test('listens on 127.0.0.1 and serves every form as self-contained HTML', async () => {
  expect(site.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  for (const path of [
    '/forms/plain',
    '/forms/labels-only',
    '/forms/multi-step',
    '/forms/captcha',
    '/forms/mapped',
  ]) {
    const res = await fetch(`${site.url}${path}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('<form');
    expect(html).not.toMatch(/(src|href|action)="(https?:)?\/\//); // no external resources
  }
  // labels-only: no name or id on any control of the form (the site header's search box aside).
  const labelsOnly = await fetch(`${site.url}/forms/labels-only`).then((r) => r.text());
  const main = labelsOnly.slice(labelsOnly.indexOf('<main>'));
  expect(main.match(/<(input|select|textarea)[^>]*\s(name|id)=/g)).toBeNull();
});

test('a valid POST is recorded once, redirects to a thank-you page with the listing link', async () => {
  const res = await fetch(`${site.url}/forms/plain`, form(PLAIN_OK));
  expect(res.status).toBe(303);
  const location = res.headers.get('location')!;
  const [submission] = site.submissions();
  expect(site.submissions()).toHaveLength(1);
  expect(submission).toMatchObject({
    form: 'plain',
    accepted: true,
    fields: {
      business_name: 'Acme Plumbing LLC',
      email: 'owner@acme.example',
      city: 'Austin',
      category: 'plumbing',
    },
  });
  expect(location).toBe(`/thanks/${submission!.id}`);
  const thanks = await fetch(`${site.url}${location}`).then((r) => r.text());
  expect(thanks).toContain(`data-listing-url href="/listings/${submission!.id}"`);
  const listing = await fetch(`${site.url}/listings/${submission!.id}`);
  expect(listing.status).toBe(200);
  expect(await listing.text()).toContain('Acme Plumbing LLC');

  const overHttp = (await fetch(`${site.url}/_submissions`).then((r) => r.json())) as unknown[];
  expect(overHttp).toEqual(site.submissions());
});

test('server-side validation: 422 with the errors, recorded as rejected', async () => {
  const res = await fetch(`${site.url}/forms/plain`, form({ ...PLAIN_OK, contact_email: 'nope', town: '' }));
  expect(res.status).toBe(422);
  const html = await res.text();
  expect(html).toContain('role="alert"');
  expect(html).toContain('email is not a valid email address');
  expect(html).toContain('city is required');
  expect(site.submissions()).toMatchObject([{ accepted: false }]);
});

test('the honeypot and the CAPTCHA are enforced server-side', async () => {
  expect((await fetch(`${site.url}/forms/plain`, form({ ...PLAIN_OK, fax: 'spam' }))).status).toBe(422);
  const captcha = await fetch(
    `${site.url}/forms/captcha`,
    form({ business_name: 'Acme', email: 'a@b.example' }),
  );
  expect(captcha.status).toBe(422);
  expect(await captcha.text()).toContain('CAPTCHA');
  expect(site.submissions().every((s) => !s.accepted)).toBe(true);
});

test('labels-only answers JSON for its script', async () => {
  const ok = await fetch(`${site.url}/forms/labels-only`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      business_name: 'Acme',
      email: 'a@b.example',
      phone: '5125550142',
      city: 'Austin',
    }),
  });
  expect(ok.status).toBe(201);
  const body = (await ok.json()) as { listingUrl: string };
  expect(body.listingUrl).toMatch(/^\/listings\/\w+$/);
  const bad = await fetch(`${site.url}/forms/labels-only`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ business_name: 'Acme' }),
  });
  expect(bad.status).toBe(422);
  expect(((await bad.json()) as { error: string }).error).toMatch(/email is required/);
});

test('unknown pages 404, the unavailable form 503, DELETE /_submissions clears the record', async () => {
  expect((await fetch(`${site.url}/forms/nope`)).status).toBe(404);
  expect((await fetch(`${site.url}/forms/unavailable`)).status).toBe(503);
  await fetch(`${site.url}/forms/plain`, form(PLAIN_OK));
  expect(site.submissions()).toHaveLength(1);
  expect((await fetch(`${site.url}/_submissions`, { method: 'DELETE' })).status).toBe(204);
  expect(site.submissions()).toHaveLength(0);
});

test('oversized bodies are refused', async () => {
  const res = await fetch(`${site.url}/forms/plain`, form({ ...PLAIN_OK, about: 'x'.repeat(100_000) }));
  expect(res.status).toBe(413);
  expect(site.submissions()).toHaveLength(0);
});

test('every named form is served, with its query kept in the action', async () => {
  for (const path of [
    '/forms/choices',
    '/forms/validation',
    '/forms/redirect',
    '/forms/flaky?fail=2',
    '/forms/rate-limited?retry_after=5&times=1',
  ]) {
    const res = await fetch(`${site.url}${path}`);
    expect([path, res.status]).toEqual([path, 200]);
    const html = await res.text();
    expect(html).not.toMatch(/(src|href|action)="(https?:)?\/\//);
    if (path.includes('?')) expect(html).toContain(`action="${path.replace(/&/g, '&amp;')}"`);
  }
});

test('flaky: the first N POSTs per email answer 500, then it accepts', async () => {
  const post = (email: string) =>
    fetch(`${site.url}/forms/flaky?fail=2`, form({ ...PLAIN_OK, contact_email: email }));
  expect((await post('a@x.example')).status).toBe(500);
  expect((await post('b@x.example')).status).toBe(500); // counted per email
  expect((await post('a@x.example')).status).toBe(500);
  expect((await post('a@x.example')).status).toBe(303);
  expect(site.submissions().map((s) => [s.status, s.accepted])).toEqual([
    [500, false],
    [500, false],
    [500, false],
    [303, true],
  ]);
});

test('rate-limited: 429 with Retry-After (seconds or an HTTP date), on POST or GET, then it accepts', async () => {
  const url = `${site.url}/forms/rate-limited?retry_after=7&times=1`;
  const first = await fetch(url, form(PLAIN_OK));
  expect(first.status).toBe(429);
  expect(first.headers.get('retry-after')).toBe('7');
  expect((await fetch(url, form(PLAIN_OK))).status).toBe(303);

  const dated = await fetch(`${site.url}/forms/rate-limited?retry_after_date=60&times=1`, form(PLAIN_OK));
  expect(Date.parse(dated.headers.get('retry-after')!)).toBeGreaterThan(Date.now() + 50_000);

  const onGet = `${site.url}/forms/rate-limited?retry_after=3&times=2&on=get`;
  expect((await fetch(onGet)).status).toBe(429);
  expect((await fetch(onGet)).status).toBe(429);
  expect((await fetch(onGet)).status).toBe(200);
});

test('validation: a well-formed submission is refused with 422 and a reason', async () => {
  const body = {
    business_name: 'Acme',
    email: 'a@x.example',
    phone: '5125550142',
    city: 'Austin',
    postal_code: '78701',
  };
  const res = await fetch(`${site.url}/forms/validation`, form(body));
  expect(res.status).toBe(422);
  expect(await res.text()).toContain('Canadian');
  expect(
    (await fetch(`${site.url}/forms/validation`, form({ ...body, postal_code: 'K1A 0B1' }))).status,
  ).toBe(200);
});

test('choices: the terms must be accepted', async () => {
  const body = { business_name: 'Acme', email: 'a@x.example', phone: '5125550142', category: 'plumbing' };
  expect((await fetch(`${site.url}/forms/choices`, form(body))).status).toBe(422);
  expect((await fetch(`${site.url}/forms/choices`, form({ ...body, terms: 'accepted' }))).status).toBe(200);
});

test('redirect: 303 to /thanks?ref=... with no confirmation text; listings are found by email', async () => {
  const res = await fetch(`${site.url}/forms/redirect`, form(PLAIN_OK));
  expect(res.status).toBe(303);
  const [submission] = site.submissions();
  expect(res.headers.get('location')).toBe(`/thanks?ref=${submission!.id}`);
  const page = await fetch(`${site.url}/thanks?ref=${submission!.id}`).then((r) => r.text());
  expect(page).toContain(submission!.id);
  expect(page).not.toMatch(/thank|success|received|submitted/i);

  const found = await fetch(
    `${site.url}/listings?email=${encodeURIComponent(PLAIN_OK.contact_email.toUpperCase())}`,
  );
  expect(await found.json()).toEqual({
    listings: [
      { id: submission!.id, url: `${site.url}/listings/${submission!.id}`, business_name: PLAIN_OK.company },
    ],
  });
  const none = await fetch(`${site.url}/listings?email=nobody%40x.example`).then((r) => r.json());
  expect(none).toEqual({ listings: [] });
});

// ---------------------------------------------------------------------------------------------------
// /forms/full: the whole extended profile, multipart, with a logo upload
// ---------------------------------------------------------------------------------------------------

/** A real 8x8 PNG (one grey gradient), as small as a logo gets. */
function png(): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const typed = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const frame = Buffer.alloc(8);
    frame.writeUInt32BE(data.length);
    frame.writeUInt32BE(crc32(typed), 4);
    return Buffer.concat([frame.subarray(0, 4), typed, frame.subarray(4)]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(8, 0);
  header.writeUInt32BE(8, 4);
  header[8] = 8; // bit depth
  header[9] = 0; // greyscale
  const rows = Buffer.concat(Array.from({ length: 8 }, (_, y) => Buffer.from([0, ...Array(8).fill(y * 32)])));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** What a browser posts for a complete listing, by the form's own names. */
const FULL_OK: Record<string, string> = {
  fname: 'Rosa',
  lname: 'Delgado',
  biz: 'Lone Star Plumbing Co.',
  mail: 'office@lonestar.example',
  mail2: 'Office@LoneStar.example',
  ph_area: '512',
  ph_prefix: '555',
  ph_line: '0142',
  web: 'https://lonestar.example',
  addr1: '4100 Guadalupe Street',
  addr2: 'Suite 210',
  city: 'Austin',
  state: 'TX',
  zip: '78751',
  country: 'US',
  category: 'plumbing',
  tagline: 'Licensed plumbers in Austin.',
  details: 'Family-run plumbing company. Leak repair, water heaters and drains.',
  tags: 'plumber, water heater',
  hours: 'Mon-Fri 08:00-18:00, Sat 09:00-13:00',
  founded: '1987',
  fb: 'https://www.facebook.com/lonestar',
  ig: 'https://www.instagram.com/lonestar',
  li: 'https://www.linkedin.com/company/lonestar',
  fax: '',
  terms: 'accepted',
};

function multipart(fields: Record<string, string>, logo?: { bytes: Buffer; type: string; name: string }) {
  const body = new FormData();
  for (const [name, value] of Object.entries(fields)) body.set(name, value);
  if (logo) body.set('logo', new Blob([new Uint8Array(logo.bytes)], { type: logo.type }), logo.name);
  return { method: 'POST', body, redirect: 'manual' as const };
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('/forms/full', () => {
  it('asks for the whole profile in a multipart form: split phone, state names with codes, a logo upload', async () => {
    const res = await fetch(`${site.url}/forms/full`);
    expect(res.status).toBe(200);
    const html = await res.text();

    expect(html).toContain('enctype="multipart/form-data"');
    expect(html).not.toMatch(/(src|href|action)="(https?:)?\/\//);
    expect(html.match(/<input id="ph_(area|prefix|line)"[^>]*maxlength="(\d)"/g)?.join(' ')).toMatch(
      /ph_area.*maxlength="3".*ph_prefix.*maxlength="3".*ph_line.*maxlength="4"/,
    );
    expect(html.match(/<label for="ph_\w+"/g)).toEqual(['<label for="ph_area"']); // one "Phone" label
    expect(html).toContain('<option value="TX">Texas</option>');
    expect(html).toContain('<input id="tagline" name="tagline" maxlength="160"');
    expect(html).toContain('<input id="logo" name="logo" type="file" accept="image/*">');
    expect(html).toMatch(
      /<select id="founded"[^>]*><option value="">Select year<\/option><option value="\d{4}">/,
    );
    expect(html).toMatch(/<input type="checkbox" name="terms" value="accepted" required> I accept the terms/);
  });

  it('records a valid POST with its file (name, type, size, SHA-256) and redirects to the thank-you page', async () => {
    const logo = png();

    const res = await fetch(
      `${site.url}/forms/full`,
      multipart(FULL_OK, { bytes: logo, type: 'image/png', name: 'logo.png' }),
    );

    expect(res.status).toBe(303);
    const [submission] = site.submissions();
    expect(site.submissions()).toHaveLength(1);
    expect(res.headers.get('location')).toBe(`/thanks/${submission!.id}`);
    expect(submission).toMatchObject({ form: 'full', accepted: true, status: 303, errors: [] });
    expect(submission!.fields).toEqual({
      contact_first_name: 'Rosa',
      contact_last_name: 'Delgado',
      business_name: 'Lone Star Plumbing Co.',
      email: 'office@lonestar.example',
      phone: '5125550142',
      website: 'https://lonestar.example',
      address_line: '4100 Guadalupe Street',
      address_line2: 'Suite 210',
      city: 'Austin',
      region: 'TX',
      postal_code: '78751',
      country: 'US',
      category: 'plumbing',
      short_description: 'Licensed plumbers in Austin.',
      description: 'Family-run plumbing company. Leak repair, water heaters and drains.',
      keywords: 'plumber, water heater',
      opening_hours: 'Mon-Fri 08:00-18:00, Sat 09:00-13:00',
      year_established: '1987',
      facebook_url: 'https://www.facebook.com/lonestar',
      instagram_url: 'https://www.instagram.com/lonestar',
      linkedin_url: 'https://www.linkedin.com/company/lonestar',
    });
    expect(submission!.files).toEqual([
      {
        field: 'logo',
        filename: 'logo.png',
        contentType: 'image/png',
        size: logo.length,
        sha256: sha256(logo),
      },
    ]);
    expect(submission!.raw).not.toHaveProperty('logo');
    const thanks = await fetch(`${site.url}/thanks/${submission!.id}`).then((r) => r.text());
    expect(thanks).toContain(`data-listing-url href="/listings/${submission!.id}"`);
    const overHttp = (await fetch(`${site.url}/_submissions`).then((r) => r.json())) as unknown[];
    expect(overHttp).toEqual(site.submissions());
  });

  it('takes a listing without a logo: an empty file input is not a file', async () => {
    // As Chromium posts a file input nobody chose a file for: a part with an empty file name.
    const boundary = '----demo-boundary';
    const parts = Object.entries(FULL_OK).map(
      ([name, value]) =>
        `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
    );
    parts.push(
      `--${boundary}\r\nContent-Disposition: form-data; name="logo"; filename=""\r\n` +
        'Content-Type: application/octet-stream\r\n\r\n\r\n',
    );
    const res = await fetch(`${site.url}/forms/full`, {
      method: 'POST',
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      body: `${parts.join('')}--${boundary}--\r\n`,
      redirect: 'manual',
    });

    expect(res.status).toBe(303);
    expect(site.submissions()).toMatchObject([{ accepted: true, files: [] }]);
  });

  it.each([
    ['a missing required field', { ...FULL_OK, fname: '' }, 'contact_first_name is required'],
    [
      'a missing phone box',
      { ...FULL_OK, ph_line: '' },
      'phone must be an area code, a prefix and a line number (3, 3 and 4 digits)',
    ],
    [
      'an email confirmation that does not match',
      { ...FULL_OK, mail2: 'other@lonestar.example' },
      'the email addresses do not match',
    ],
    ['the terms not accepted', { ...FULL_OK, terms: '' }, 'You must accept the terms of service'],
    ['the honeypot filled', { ...FULL_OK, fax: '555 0100' }, 'Submission looks automated'],
  ])('refuses %s with 422, recorded as rejected', async (_case, fields, error) => {
    const res = await fetch(`${site.url}/forms/full`, multipart(fields));

    expect(res.status).toBe(422);
    expect(await res.text()).toContain(error);
    expect(site.submissions()).toMatchObject([{ form: 'full', accepted: false, status: 422 }]);
    expect(site.submissions()[0]!.errors).toContain(error);
  });

  it('refuses a logo that is not an image, whatever it is called', async () => {
    const fake = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
    const res = await fetch(
      `${site.url}/forms/full`,
      multipart(FULL_OK, { bytes: fake, type: 'image/png', name: 'logo.png' }),
    );

    expect(res.status).toBe(422);
    expect(await res.text()).toContain('the logo must be a PNG, JPEG, GIF or WebP image');
    expect(site.submissions()[0]).toMatchObject({
      accepted: false,
      files: [{ field: 'logo', contentType: 'image/png', size: fake.length, sha256: sha256(fake) }],
    });
  });

  it('takes a logo-sized body, refuses a larger one with 413; the other forms keep their small limit', async () => {
    const padded = (size: number) => Buffer.concat([png(), Buffer.alloc(size)]);
    const near = await fetch(
      `${site.url}/forms/full`,
      multipart(FULL_OK, {
        bytes: padded(FULL_FORM_MAX_BODY_BYTES - 8192),
        type: 'image/png',
        name: 'a.png',
      }),
    );
    expect(near.status).toBe(303);
    const over = await fetch(
      `${site.url}/forms/full`,
      multipart(FULL_OK, { bytes: padded(FULL_FORM_MAX_BODY_BYTES), type: 'image/png', name: 'a.png' }),
    );
    expect(over.status).toBe(413);
    const plain = await fetch(
      `${site.url}/forms/plain`,
      multipart(FULL_OK, { bytes: padded(100_000), type: 'image/png', name: 'a.png' }),
    );
    expect(plain.status).toBe(413);
    expect(site.submissions()).toHaveLength(1);
  });
});
