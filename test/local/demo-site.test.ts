/** The demo directory site over plain HTTP: forms, server-side validation, the submission record. */
import { startDemoSite, type DemoSite } from '../../local/demo-site/server';

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
