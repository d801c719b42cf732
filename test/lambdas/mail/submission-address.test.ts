/** The customer's submission address: generated, built, and recognised again in what relays deliver. */
import {
  parseSubmissionRecipient,
  receivingDomain,
  SUBMISSION_LOCAL_PART,
  submissionAddress,
  submissionLocalPart,
} from '../../../lambdas/mail/submission-address';
import { LOCAL_PART, RECEIVING_DOMAIN } from './mail-fixtures';

test('local parts are "b-" and 16 base32 characters, random and spread over the whole alphabet', () => {
  const parts = Array.from({ length: 2000 }, () => submissionLocalPart());
  for (const part of parts) expect(part).toMatch(SUBMISSION_LOCAL_PART);
  expect(new Set(parts).size).toBe(parts.length);
  // 32 000 random characters: every one of the 32 appears (a stuck bit would leave some out).
  const characters = new Set(parts.flatMap((part) => [...part.slice(2)]));
  expect([...characters].sort().join('')).toBe('234567abcdefghijklmnopqrstuvwxyz');
});

test('a generated address round-trips through what a directory might send back', () => {
  const localPart = submissionLocalPart();
  const address = submissionAddress(localPart, 'Mail.Example.com');
  expect(address).toBe(`${localPart}@mail.example.com`);
  const [name, domain] = address.toUpperCase().split('@');
  for (const delivered of [
    address,
    address.toUpperCase(),
    `${name}+Yelp-Listing@${domain}`,
    `"Acme Plumbing" <${name}+tag@${domain}>`,
    `Acme <${name}@${domain}.>`, // a fully qualified domain's trailing dot
    ` <${address}> `,
  ]) {
    expect(parseSubmissionRecipient(delivered, RECEIVING_DOMAIN)).toBe(localPart);
  }
});

test.each([
  ['another domain', `${LOCAL_PART}@example.com`],
  ['a subdomain of ours', `${LOCAL_PART}@sub.mail.example.com`],
  ['a lookalike ending in ours', `${LOCAL_PART}@mail.example.com.evil.test`],
  ['a lookalike containing ours', `${LOCAL_PART}@evil-mail.example.com`],
  ['our address only in the display name', `"${LOCAL_PART}@mail.example.com" <attacker@evil.test>`],
  ['not our format (a customer UUID)', '0b7c6f2e-6f55-4a39-9b8e-1f1b8f0c2a11@mail.example.com'],
  ['too short', 'b-abc@mail.example.com'],
  ['characters outside base32', 'b-abcdefghijk23450@mail.example.com'],
  ['no domain', LOCAL_PART],
  ['empty', ''],
])('%s is not a submission address', (_case, address) => {
  expect(parseSubmissionRecipient(address, RECEIVING_DOMAIN)).toBeNull();
});

test('an internationalised receiving domain is compared in punycode', () => {
  expect(receivingDomain('Post.Bücher.example')).toBe('post.xn--bcher-kva.example');
  expect(parseSubmissionRecipient(`${LOCAL_PART}@post.xn--bcher-kva.example`, 'post.bücher.example')).toBe(
    LOCAL_PART,
  );
});

test.each(['', 'not a host', '-bad.example', 'a..b', 'exa_mple.com', `${'a'.repeat(64)}.example`])(
  'receiving domain %j is refused loudly',
  (domain) => {
    expect(() => parseSubmissionRecipient(`${LOCAL_PART}@mail.example.com`, domain)).toThrow(
      `receiving domain "${domain}" is not a hostname`,
    );
  },
);

test('submissionAddress refuses a local part it did not make', () => {
  expect(() => submissionAddress('customer-42', RECEIVING_DOMAIN)).toThrow('not a submission local part');
});
