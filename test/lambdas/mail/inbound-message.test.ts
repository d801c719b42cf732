/** parseInboundMessage on real MIME: what it reads, what it keeps, and what it refuses without throwing. */
import { randomBytes } from 'node:crypto';
import { parseInboundMessage } from '../../../lambdas/mail/inbound-message';
import { MAIL_LIMITS } from '../../../lambdas/mail/mail-limits';
import { CONFIRMATION, rawMail, readMail, SUBMISSION, VERIFY_URL } from './mail-fixtures';

const LONG_URL = `https://www.example-dir.com/confirm-registration?token=${'a1B2c3D4'.repeat(30)}&lang=de`;

test('a multipart/alternative confirmation is described: sender, recipients, subject, date, links', async () => {
  const mail = await readMail(CONFIRMATION);

  expect(mail).toMatchObject({
    rejected: null,
    messageId: '<welcome-4711@example-dir.com>',
    from: { address: 'noreply@example-dir.com', domain: 'example-dir.com' },
    recipients: [SUBMISSION],
    recipientsFrom: 'headers',
    subject: 'Please confirm your email address',
    date: '2026-03-01T10:00:00.000Z',
    textTruncated: false,
  });
  expect(mail.text).toContain('Please confirm your email address:');
  // HTML anchors first, with their text; the text part's URLs are the same ones, so they add nothing.
  expect(mail.links).toEqual([
    { url: VERIFY_URL, text: 'Confirm your email address' },
    { url: 'https://www.example-dir.com/help', text: 'Help' },
    { url: 'https://www.example-dir.com/unsubscribe?u=4711', text: 'Unsubscribe' },
  ]);
});

test('the envelope recipients are preferred: a Bcc to the submission address shows only there', async () => {
  const mail = await readMail(
    { ...CONFIRMATION, to: 'undisclosed-recipients:;', cc: 'Ops <ops@example-dir.com>' },
    { envelopeRecipients: [SUBMISSION.toUpperCase()] },
  );
  expect(mail.recipients).toEqual([SUBMISSION]);
  expect(mail.recipientsFrom).toBe('envelope');

  const fromHeaders = await readMail({ ...CONFIRMATION, cc: 'Ops <ops@example-dir.com>' });
  expect(fromHeaders.recipients).toEqual([SUBMISSION, 'ops@example-dir.com']);
});

test('a long URL in quoted-printable (soft line breaks) comes out whole', async () => {
  const options = { text: `Bitte bestätigen Sie:\n${LONG_URL}\n`, textEncoding: 'quoted-printable' as const };
  const raw = await rawMail(options);
  expect(raw.toString('latin1')).toContain('=\r\n'); // the URL really is broken across lines
  expect(raw.toString('latin1')).not.toContain(LONG_URL);

  const mail = await readMail(options);
  expect(mail.links).toEqual([{ url: LONG_URL, text: 'Bitte bestätigen Sie' }]);
});

test('a base64 HTML part is decoded before its anchors are read', async () => {
  const options = {
    html: { content: `<a href="${LONG_URL}">Confirm</a>`, contentTransferEncoding: 'base64' },
  };
  const raw = await rawMail(options);
  expect(raw.toString('latin1')).toMatch(/Content-Transfer-Encoding: base64/i);
  expect(raw.toString('latin1')).not.toContain('href');

  expect((await readMail(options)).links).toEqual([{ url: LONG_URL, text: 'Confirm' }]);
});

test('an HTML-only mail: anchors with their visible text, and a text excerpt without markup', async () => {
  const mail = await readMail({
    html:
      '<style>a{color:red}</style><h1>Welcome!</h1><p>One more step.</p>' +
      `<a href="${VERIFY_URL}"><img src="cid:button" alt="Activate account"></a>` +
      '<a href="https://www.example-dir.com/"><script>var hidden = 1;</script>Example <b>Directory</b></a>',
  });
  expect(mail.links).toEqual([
    { url: VERIFY_URL, text: 'Activate account' },
    { url: 'https://www.example-dir.com/', text: 'Example Directory' },
  ]);
  expect(mail.text).toBe('Welcome!\nOne more step.\nExample Directory');
});

test('a text-only mail: URLs labelled with the words before them, punctuation and brackets trimmed', async () => {
  const mail = await readMail({
    text: [
      'Thanks for signing up!',
      'To activate your listing, open',
      `<${VERIFY_URL}>.`,
      '',
      'Our terms (https://www.example-dir.com/terms). Not you? https://www.example-dir.com/report?u=1,',
    ].join('\n'),
  });
  expect(mail.links).toEqual([
    { url: VERIFY_URL, text: 'To activate your listing, open' },
    { url: 'https://www.example-dir.com/terms', text: 'Our terms' },
    { url: 'https://www.example-dir.com/report?u=1', text: 'Not you?' },
  ]);
});

test('entities in an href are decoded ("&amp;" is "&")', async () => {
  const mail = await readMail({
    html: '<a href="https://www.example-dir.com/verify?id=7&amp;token=x&#61;1">Verify</a>',
  });
  expect(mail.links.map((link) => link.url)).toEqual(['https://www.example-dir.com/verify?id=7&token=x=1']);
});

test('only absolute http(s) links are kept, each once', async () => {
  const mail = await readMail({
    html: [
      '<a href="javascript:alert(1)">Confirm</a>',
      '<a href="mailto:support@example-dir.com">Mail us</a>',
      '<a href="ftp://files.example-dir.com/x">Files</a>',
      '<a href="data:text/html,hi">Data</a>',
      '<a href="/relative/verify">Relative</a>',
      '<a href="HTTPS://WWW.Example-Dir.com/verify">Verify</a>',
      '<a href="https://www.example-dir.com/verify">Verify again</a>',
    ].join(''),
    text: 'Verify: https://www.example-dir.com/verify',
  });
  expect(mail.links).toEqual([{ url: 'https://www.example-dir.com/verify', text: 'Verify' }]);
});

test('links, URL length, subject and text are bounded; controls and bidi overrides removed', async () => {
  const anchors = Array.from(
    { length: 300 },
    (_, i) => `<a href="https://www.example-dir.com/p/${i}">${i}</a>`,
  );
  const tooLong = `https://www.example-dir.com/verify?t=${'x'.repeat(MAIL_LIMITS.maxUrlLength)}`;
  const mail = await readMail({
    subject: `Confirm\u0007 your \u202eemail\u202c ${'ä'.repeat(400)}`,
    html: `<a href="${tooLong}">Verify</a>${anchors.join('')}`,
    text: 'Grüße '.repeat(2000),
  });
  expect(mail.links).toHaveLength(MAIL_LIMITS.maxLinks);
  expect(mail.links[0]).toEqual({ url: 'https://www.example-dir.com/p/0', text: '0' });
  expect(mail.subject).toMatch(/^Confirm your email ä+$/);
  expect(mail.subject).toHaveLength(MAIL_LIMITS.maxSubjectChars);
  expect(Buffer.byteLength(mail.text)).toBeLessThanOrEqual(MAIL_LIMITS.maxTextBytes);
  expect(Buffer.byteLength(mail.text)).toBeGreaterThan(MAIL_LIMITS.maxTextBytes - 8);
  expect(mail.text).not.toContain('\ufffd'); // no character cut in half
  expect(mail.textTruncated).toBe(true);
});

test('hostile text (a long run of spaces and dots around a URL) is read in linear time', async () => {
  const hostile = `${' '.repeat(400_000)}x https://www.example-dir.com/v${'.'.repeat(3_000)}!\n${' '.repeat(200_000)}`;
  const raw = await rawMail({ text: hostile, textEncoding: 'base64' });
  const started = performance.now();
  const mail = await parseInboundMessage(raw);
  expect(performance.now() - started).toBeLessThan(2_000); // quadratic trimming takes hours here
  expect(mail.rejected === null && mail.links).toEqual([{ url: 'https://www.example-dir.com/v', text: 'x' }]);
});

test('more than the recipient bound in the headers: the first ones are kept', async () => {
  const to = Array.from({ length: 50 }, (_, i) => `person${i}@example.org`);
  const mail = await readMail({ to: [SUBMISSION, ...to] });
  expect(mail.recipients).toHaveLength(MAIL_LIMITS.maxRecipients);
  expect(mail.recipients[0]).toBe(SUBMISSION);
});

test('a mail over the size bound is refused without being parsed', async () => {
  const raw = await rawMail({ text: `Confirm: ${VERIFY_URL}\n${'x'.repeat(MAIL_LIMITS.maxRawBytes)}` });
  const parsed = await parseInboundMessage(raw, { envelopeRecipients: [SUBMISSION] });
  expect(parsed).toEqual({
    rejected: 'too_large',
    sizeBytes: raw.byteLength,
    recipients: [SUBMISSION],
    verdicts: {},
  });
});

test.each([
  ['random bytes', randomBytes(4096)],
  ['nothing', Buffer.alloc(0)],
  [
    'a body without headers',
    Buffer.from('\u0000\u0001 just some bytes\r\n\r\nConfirm https://www.example-dir.com/v'),
  ],
  [
    'a From without an address',
    Buffer.from('From: <>\r\nSubject: hi\r\n\r\nhttps://www.example-dir.com/verify'),
  ],
])('%s: unparseable, not thrown', async (_case, raw) => {
  await expect(parseInboundMessage(raw)).resolves.toMatchObject({ rejected: 'unparseable', recipients: [] });
});

test('spam or a virus (SES verdict FAIL) is rejected with no links; GRAY is read and carried', async () => {
  const raw = await rawMail(CONFIRMATION);
  await expect(parseInboundMessage(raw, { verdicts: { spam: 'FAIL', virus: 'PASS' } })).resolves.toEqual({
    rejected: 'spam',
    sizeBytes: raw.byteLength,
    recipients: [],
    verdicts: { spam: 'FAIL', virus: 'PASS' },
  });
  await expect(
    parseInboundMessage(raw, { verdicts: { spam: 'FAIL', virus: 'FAIL' } }),
  ).resolves.toMatchObject({
    rejected: 'virus',
  });
  const gray = await parseInboundMessage(raw, { verdicts: { spam: 'GRAY', dkim: 'PASS', spf: 'FAIL' } });
  expect(gray).toMatchObject({ rejected: null, verdicts: { spam: 'GRAY', dkim: 'PASS', spf: 'FAIL' } });
  expect(gray.rejected === null && gray.links.length).toBe(3);
});

test('options from the delivery are validated: a wrong verdict or envelope address is the caller’s bug', async () => {
  const raw = await rawMail(CONFIRMATION);
  await expect(parseInboundMessage(raw, { verdicts: { spam: 'MAYBE' as 'PASS' } })).rejects.toThrow(/spam/);
  await expect(parseInboundMessage(raw, { envelopeRecipients: ['not an address'] })).rejects.toThrow(
    /not an address/,
  );
});

test('a Uint8Array view into a larger buffer is read from its own bytes only', async () => {
  const raw = await rawMail(CONFIRMATION);
  const backing = Buffer.concat([Buffer.from('GARBAGE BEFORE\r\n'), raw, Buffer.from('\r\nGARBAGE AFTER')]);
  const view = new Uint8Array(backing.buffer, backing.byteOffset + 16, raw.byteLength);
  const mail = await parseInboundMessage(view);
  expect(mail).toMatchObject({ rejected: null, from: { domain: 'example-dir.com' } });
  expect(mail.rejected === null && mail.text).not.toContain('GARBAGE');
});
