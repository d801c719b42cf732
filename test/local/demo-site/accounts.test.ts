/**
 * The demo site's account directories over plain HTTP, wired as `npm start` wires them: their mail
 * goes over real SMTP to the SES inbound stand-in, which stores it in the local S3 (fauxqs, real
 * AWS SDK) and hands on the SES event; the mail read back from S3 is parsed with mailparser.
 */
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { SESEvent, SESMail } from 'aws-lambda';
import { simpleParser, type ParsedMail } from 'mailparser';
import { startLocalAws, type LocalAws } from '../../../local/emulators/sqs-s3';
import { startDemoSite, type DemoSite } from '../../../local/demo-site/server';
import type { DemoAccount } from '../../../local/demo-site/accounts';
import { startSesInboundSmtp, type SesInboundSmtp } from '../../../local/emulators/ses-inbound';
import { registered } from '../../support/log-scan';

const DOMAIN = 'submissions.directorybolt.test';
const BUCKET = 'directorybolt-inbound-mail-test';
const PREFIX = 'inbound/';
const LINK_TTL_MS = 2_000;
const PASSWORD = registered('Demo-Passw0rd-not-logged');

let aws: LocalAws;
let smtp: SesInboundSmtp;
let site: DemoSite;
const events: SESEvent[] = [];

beforeAll(async () => {
  aws = await startLocalAws();
  await aws.s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  smtp = await startSesInboundSmtp({
    domain: DOMAIN,
    s3: aws.s3,
    bucket: BUCKET,
    prefix: PREFIX,
    deliver: async (event) => {
      events.push(event);
    },
  });
  site = await startDemoSite({ smtpUrl: smtp.url, expiringLinkTtlMs: LINK_TTL_MS });
});
afterAll(async () => {
  await site?.stop();
  await smtp?.close();
  await aws?.stop();
});
beforeEach(() => {
  site.reset();
  events.length = 0;
});

let counter = 0;
/** A fresh submission address on our receiving domain, as each customer has one. */
const address = (name: string) => `${name}-${++counter}@${DOMAIN}`;

function post(path: string, fields: Record<string, string>, cookie?: string): Promise<Response> {
  return fetch(`${site.url}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(cookie ? { cookie } : {}),
    },
    body: new URLSearchParams(fields).toString(),
    redirect: 'manual',
  });
}
const get = (path: string, cookie?: string) =>
  fetch(`${site.url}${path}`, { headers: cookie ? { cookie } : {}, redirect: 'manual' });
/** The session cookie a response sets, as a Cookie header. */
const sessionCookie = (res: Response) => res.headers.get('set-cookie')?.split(';')[0];
const accounts = async () => (await (await get('/_accounts')).json()) as DemoAccount[];

const signupVerify = (email: string, path = '/accounts/verify') =>
  post(`${path}/signup`, {
    email,
    password: PASSWORD,
    password_confirmation: PASSWORD,
    company_name: 'Acme Plumbing LLC',
    terms: '1',
  });
const signupExpiring = (email: string) =>
  post('/accounts/expiring/signup', {
    mail: email,
    pass: PASSWORD,
    pass2: PASSWORD,
    organisation: 'Acme Plumbing LLC',
    tos: '1',
  });

/** The mail delivered for `to`: its SES event and the raw message read back from S3, parsed. */
async function mailTo(to: string): Promise<{ mail: SESMail; key: string; parsed: ParsedMail }> {
  await smtp.drain();
  const found = events.filter((e) => e.Records[0]!.ses.mail.destination.includes(to));
  expect(found).toHaveLength(1);
  const mail = found[0]!.Records[0]!.ses.mail;
  const key = `${PREFIX}${mail.messageId}`;
  const object = await aws.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  const parsed = await simpleParser(Buffer.from(await object.Body!.transformToByteArray()));
  return { mail, key, parsed };
}
const confirmUrl = (parsed: ParsedMail) => /http:\/\/\S+\/confirm\?token=[\w-]+/.exec(parsed.text ?? '')?.[0];

const LISTING = {
  company: 'Acme Plumbing LLC',
  contact_email: 'hello@acme.example',
  phone: '512 555 0142',
  town: 'Austin',
  category: 'plumbing',
  fax: '',
};

test('verify: sign-up mails a link through SES into S3; the link verifies and signs in; the listing is recorded', async () => {
  const page = await (await get('/accounts/verify/signup')).text();
  expect(page).toContain('<label for="su-email">Business email *</label>');
  expect(page).toContain('name="password_confirmation"');
  expect(page).toMatch(/<input type="checkbox" name="terms" value="1" required>/);

  const email = address('acme');
  const signup = await signupVerify(email);
  expect(signup.status).toBe(200);
  expect(await signup.text()).toContain('Check your inbox');

  // The raw mail is in S3 under the prefix, and the event names it.
  const { mail, key, parsed } = await mailTo(email);
  const { Contents = [] } = await aws.s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: PREFIX }));
  expect(Contents.map((c) => c.Key)).toContain(key);
  expect(mail.source).toBe('no-reply@127.0.0.1');
  expect(mail.destination).toEqual([email]);
  expect(mail.commonHeaders).toMatchObject({
    from: ['Verify Directory <no-reply@127.0.0.1>'],
    to: [email],
    subject: 'Confirm your email address for Verify Directory',
    messageId: parsed.messageId,
  });

  // A text and an HTML part, the link in both, and the footer's other links beside it.
  const link = confirmUrl(parsed);
  expect(link).toMatch(new RegExp(`^${site.url}/accounts/verify/confirm\\?token=[\\w-]{32}$`));
  expect(parsed.html).toContain(`href="${link}"`);
  for (const other of [`${site.url}/accounts/verify/unsubscribe`, `${site.url}/privacy`]) {
    expect(parsed.text).toContain(other);
    expect(parsed.html).toContain(`href="${other}"`);
  }
  expect(parsed.headers.get('list')).toMatchObject({
    unsubscribe: { url: `${site.url}/accounts/verify/unsubscribe` },
  });

  expect(await accounts()).toEqual([
    expect.objectContaining({
      email,
      directory: '/accounts/verify/',
      verified: false,
      signup_count: 1,
      login_count: 0,
      confirm_clicks: 0,
    }),
  ]);

  // Not yet: the listing asks for a log-in, and log-in asks for the email to be confirmed first.
  const anonymous = await get('/accounts/verify/listing');
  expect(anonymous.status).toBe(302);
  expect(anonymous.headers.get('location')).toBe(
    '/accounts/verify/login?next=%2Faccounts%2Fverify%2Flisting',
  );
  const early = await post('/accounts/verify/login', { email, password: PASSWORD });
  expect(early.status).toBe(403);
  expect(await early.text()).toContain('Please confirm your email address first');

  const confirmed = await get(new URL(link!).pathname + new URL(link!).search);
  expect(confirmed.status).toBe(200);
  expect(await confirmed.text()).toContain(
    '<a href="/accounts/verify/listing">Add your business listing</a>',
  );
  const cookie = sessionCookie(confirmed);
  expect(confirmed.headers.get('set-cookie')).toMatch(/; Path=\/accounts\/verify\/; HttpOnly; SameSite=Lax$/);
  expect(await accounts()).toEqual([expect.objectContaining({ verified: true, confirm_clicks: 1 })]);

  const form = await get('/accounts/verify/listing', cookie);
  expect(form.status).toBe(200);
  const html = await form.text();
  expect(html).toContain(`Signed in as <strong>${email}</strong>`);
  expect(html).toContain('<label for="company">Business name *</label>');

  const listed = await post('/accounts/verify/listing', LISTING, cookie);
  expect(listed.status).toBe(303);
  const [submission] = site.submissions();
  expect(site.submissions()).toHaveLength(1);
  expect(submission).toMatchObject({
    form: 'accounts/verify',
    account: email,
    accepted: true,
    fields: { business_name: 'Acme Plumbing LLC', email: 'hello@acme.example', city: 'Austin' },
  });
  expect(listed.headers.get('location')).toBe(`/thanks/${submission!.id}`);

  // The same email again (in other case): refused, counted, no second account and no second mail.
  const again = await signupVerify(email.toUpperCase().replace(DOMAIN.toUpperCase(), DOMAIN));
  expect(again.status).toBe(422);
  expect(await again.text()).toContain('An account with this email already exists');
  await smtp.drain();
  expect(events).toHaveLength(1);
  expect(await accounts()).toEqual([expect.objectContaining({ email, signup_count: 2 })]);
});

test('verify: a wrong password is 401; the right one after confirming goes to `next` with a session', async () => {
  const email = address('login');
  await signupVerify(email);
  const link = confirmUrl((await mailTo(email)).parsed)!;
  await get(new URL(link).pathname + new URL(link).search);

  const wrong = await post('/accounts/verify/login', { email, password: 'not-the-password' });
  expect(wrong.status).toBe(401);
  expect(await wrong.text()).toContain('Invalid email or password');
  const loggedIn = await post('/accounts/verify/login', {
    email,
    password: PASSWORD,
    next: '/accounts/verify/listing',
  });
  expect(loggedIn.status).toBe(303);
  expect(loggedIn.headers.get('location')).toBe('/accounts/verify/listing');
  expect((await get('/accounts/verify/listing', sessionCookie(loggedIn))).status).toBe(200);
  // `next` stays on the directory: no open redirect through the log-in form.
  const elsewhere = await post('/accounts/verify/login', {
    email,
    password: PASSWORD,
    next: '//evil.test/x',
  });
  expect(elsewhere.headers.get('location')).toBe('/accounts/verify/listing');
  expect(await accounts()).toEqual([expect.objectContaining({ login_count: 2, confirm_clicks: 1 })]);
  // A session of one directory opens nothing on another.
  const other = await get('/accounts/login-first/listing', sessionCookie(loggedIn));
  expect(other.status).toBe(302);
});

test('expiring: a link followed in time verifies; an expired one is 410 and verifies nothing', async () => {
  const inTime = address('quick');
  await signupExpiring(inTime);
  const first = (await mailTo(inTime)).parsed;
  expect(first.text).toContain('This link expires in 2 seconds.');
  const link = confirmUrl(first)!;
  expect(link).toContain('/accounts/expiring/confirm?token=');
  expect((await get(new URL(link).pathname + new URL(link).search)).status).toBe(200);

  const late = address('late');
  await signupExpiring(late);
  const lateLink = confirmUrl((await mailTo(late)).parsed)!;
  await new Promise((resolve) => setTimeout(resolve, LINK_TTL_MS + 200));
  const expired = await get(new URL(lateLink).pathname + new URL(lateLink).search);
  expect(expired.status).toBe(410);
  expect(await expired.text()).toContain('This link has expired');
  expect(expired.headers.get('set-cookie')).toBeNull();

  const byEmail = Object.fromEntries((await accounts()).map((a) => [a.email, a]));
  expect(byEmail[inTime]).toMatchObject({ verified: true, confirm_clicks: 1 });
  expect(byEmail[late]).toMatchObject({ verified: false, confirm_clicks: 1 });
});

test('login-first: nothing to confirm, but the listing opens only after log-in (401 on a wrong password)', async () => {
  const email = address('member');
  const signup = await post('/accounts/login-first/signup', {
    'user[email]': email,
    'user[password]': PASSWORD,
    'user[password_confirmation]': PASSWORD,
    'user[company]': 'Acme Plumbing LLC',
    'user[accept_terms]': '1',
  });
  expect(signup.status).toBe(200);
  expect(await signup.text()).toContain('Your account is ready');
  expect(signup.headers.get('set-cookie')).toBeNull();

  // A welcome mail with no link to confirm: the inbound side must tell it from a verification mail.
  const { parsed } = await mailTo(email);
  expect(parsed.subject).toBe('Welcome to Members Directory');
  expect(parsed.text).toContain(`${site.url}/accounts/login-first/login`);
  expect(confirmUrl(parsed)).toBeUndefined();

  const anonymous = await get('/accounts/login-first/listing');
  expect(anonymous.status).toBe(302);
  expect(anonymous.headers.get('location')).toBe(
    '/accounts/login-first/login?next=%2Faccounts%2Flogin-first%2Flisting',
  );
  const loginPage = await (await get(anonymous.headers.get('location')!)).text();
  expect(loginPage).toContain('name="user[email]"');
  expect(loginPage).toContain('<input type="hidden" name="next" value="/accounts/login-first/listing">');

  const wrong = await post('/accounts/login-first/login', {
    'user[email]': email,
    'user[password]': 'wrong-password',
  });
  expect(wrong.status).toBe(401);
  expect(await wrong.text()).toContain('Invalid email or password');
  expect(await accounts()).toEqual([expect.objectContaining({ login_count: 0, verified: false })]);

  const right = await post('/accounts/login-first/login', {
    'user[email]': email,
    'user[password]': PASSWORD,
    next: '/accounts/login-first/listing',
  });
  expect(right.status).toBe(303);
  const cookie = sessionCookie(right);
  const form = await get(right.headers.get('location')!, cookie);
  expect(form.status).toBe(200);
  expect(await form.text()).toContain('id="listing-form"');
  expect(await accounts()).toEqual([expect.objectContaining({ login_count: 1 })]);

  expect((await post('/accounts/login-first/listing', LISTING, cookie)).status).toBe(303);
  expect(site.submissions()).toEqual([
    expect.objectContaining({ form: 'accounts/login-first', account: email }),
  ]);

  // Logging out ends the session.
  const out = await get('/accounts/login-first/logout', cookie);
  expect(out.status).toBe(303);
  expect((await get('/accounts/login-first/listing', cookie)).status).toBe(302);
});

test('sign-up is validated server-side: 422 with the reasons, no account, no mail', async () => {
  const res = await post('/accounts/verify/signup', {
    email: 'not-an-email',
    password: 'short',
    password_confirmation: 'other',
    company_name: '',
  });
  expect(res.status).toBe(422);
  const html = await res.text();
  for (const reason of [
    'Enter a valid email address',
    'The password must have at least 8 characters',
    'The passwords do not match',
    'Company name is required',
    'You must accept the Terms of Service',
  ]) {
    expect(html).toContain(reason);
  }
  expect(html).toContain('value="not-an-email"'); // filled in again
  await smtp.drain();
  expect(events).toEqual([]);
  expect(await accounts()).toEqual([]);
});

test('a sign-up whose mail SMTP refuses (outside the receiving domain) answers 503 and keeps nothing', async () => {
  const res = await signupVerify('owner@elsewhere.test');
  expect(res.status).toBe(503);
  expect(await res.text()).toContain('mail unavailable');
  expect(await accounts()).toEqual([]);
  // The refusal does not break the site's mailer: the next sign-up goes through.
  expect((await signupVerify(address('retry'))).status).toBe(200);
});

test('without an SMTP URL a sign-up that must mail a link answers 503 "mail unavailable"', async () => {
  const noMail = await startDemoSite();
  try {
    const res = await fetch(`${noMail.url}/accounts/verify/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        email: address('nomail'),
        password: PASSWORD,
        password_confirmation: PASSWORD,
        company_name: 'Acme',
        terms: '1',
      }).toString(),
    });
    expect(res.status).toBe(503);
    expect(await res.text()).toContain('mail unavailable');
    expect(noMail.accounts()).toEqual([]);
  } finally {
    await noMail.stop();
  }
});

test('links: an unknown token is 404, and a link only works on its own directory', async () => {
  expect((await get('/accounts/verify/confirm?token=nope')).status).toBe(404);
  const email = address('cross');
  await signupVerify(email);
  const link = new URL(confirmUrl((await mailTo(email)).parsed)!);
  expect((await get(`/accounts/expiring/confirm${link.search}`)).status).toBe(404);
  expect((await get(`/accounts/login-first/confirm${link.search}`)).status).toBe(404);
  expect(await accounts()).toEqual([expect.objectContaining({ verified: false })]);
});

test('/_accounts never shows a password or its hash; DELETE clears accounts and their sessions', async () => {
  const email = address('secret');
  await signupVerify(email);
  const link = new URL(confirmUrl((await mailTo(email)).parsed)!);
  const cookie = sessionCookie(await get(link.pathname + link.search));
  const listed = await (await get('/_accounts')).text();
  expect(listed).not.toContain(PASSWORD);
  expect(listed).not.toContain('scrypt');
  expect(Object.keys(JSON.parse(listed)[0] as object).sort()).toEqual(
    [
      'company_name',
      'confirm_clicks',
      'created_at',
      'directory',
      'email',
      'login_count',
      'signup_count',
      'verified',
    ].sort(),
  );

  const cleared = await fetch(`${site.url}/_accounts`, { method: 'DELETE' });
  expect(cleared.status).toBe(204);
  expect(await accounts()).toEqual([]);
  expect((await get('/accounts/verify/listing', cookie)).status).toBe(302);
});
