/** findVerificationLink: only the directory's own site, and the link that asks to verify, in seven languages. */
import type { MailLink } from '../../../lambdas/mail/inbound-message';
import { findVerificationLink, VERIFICATION_WORDS } from '../../../lambdas/mail/verification-link';
import { CONFIRMATION, DIRECTORY_HOSTS, readMail, VERIFY_URL } from './mail-fixtures';

const rules = { directoryHosts: DIRECTORY_HOSTS };
const link = (url: string, text = 'Confirm your email'): MailLink => ({ url, text });

test('a real confirmation mail: the confirm link, not help or unsubscribe', async () => {
  const mail = await readMail(CONFIRMATION);
  expect(findVerificationLink(mail.links, rules)).toEqual({
    url: VERIFY_URL,
    reason: 'link text says "confirm" (en)',
  });
});

test('an unsubscribe link is not chosen over the verify link, even when it comes first and says "confirm"', () => {
  const links = [
    link('https://www.example-dir.com/unsubscribe?confirm=1', 'Unsubscribe'),
    link('https://www.example-dir.com/list/confirm-unsubscribe', 'Confirm you want to unsubscribe'),
    link('https://www.example-dir.com/u/8f3k2', 'Verify my account'),
  ];
  expect(findVerificationLink(links, rules)).toEqual({
    url: 'https://www.example-dir.com/u/8f3k2',
    reason: 'link text says "verify" (en)',
  });
  expect(findVerificationLink(links.slice(0, 2), rules)).toEqual({ url: null, reason: 'no_link' });
});

test('a German mail: "Bitte bestätigen Sie Ihre E-Mail-Adresse"', async () => {
  const verify = 'https://www.branchenbuch.example/registrierung/bestaetigen?token=Q2xpY2s';
  const mail = await readMail({
    from: 'Branchenbuch <service@branchenbuch.example>',
    subject: 'Bitte bestätigen Sie Ihre E-Mail-Adresse',
    text:
      'Guten Tag,\n\nBitte bestätigen Sie Ihre E-Mail-Adresse:\n' +
      `${verify}\n\nHilfe: https://www.branchenbuch.example/hilfe\n` +
      'Newsletter abmelden: https://www.branchenbuch.example/abmelden?id=9',
  });
  expect(mail.subject).toBe('Bitte bestätigen Sie Ihre E-Mail-Adresse');
  expect(findVerificationLink(mail.links, { directoryHosts: ['www.branchenbuch.example'] })).toEqual({
    url: verify,
    reason: 'link text says "bestätigen" (de)',
  });
});

test.each([
  ['fr', 'Confirmer mon adresse e-mail', 'Aide'],
  ['es', 'Confirmar correo electrónico', 'Darse de baja'],
  ['it', 'Conferma il tuo indirizzo', 'Disiscriviti'],
  ['pt', 'Ativar a minha conta', 'Privacidade'],
  ['nl', 'Account bevestigen', 'Uitschrijven'],
  ['de', 'Konto aktivieren', 'Datenschutz'],
  ['fr', 'Activer mon compte', 'Se désinscrire'],
  ['es', 'Verificar cuenta', 'Ayuda'],
  ['en', 'Complete your registration', 'Privacy policy'],
])('%s: "%s" is chosen over "%s"', (_language, verifyText, otherText) => {
  const links = [
    link('https://www.example-dir.com/a?x=1', otherText),
    link('https://www.example-dir.com/b?x=2', verifyText),
  ];
  expect(findVerificationLink(links, rules).url).toBe('https://www.example-dir.com/b?x=2');
});

test('the word lists are data covering the seven languages', () => {
  expect(Object.keys(VERIFICATION_WORDS).sort()).toEqual(['de', 'en', 'es', 'fr', 'it', 'nl', 'pt']);
  expect(VERIFICATION_WORDS.de).toContain('bestätigen');
});

test('a "Confirm" link on a foreign host is forged: refused, and said so', () => {
  const forged = [link('https://example-dir.evil.test/verify?token=1', 'Confirm your email')];
  expect(findVerificationLink(forged, rules)).toEqual({ url: null, reason: 'no_link_on_directory_host' });
});

test.each([
  ['userinfo that looks like the directory', 'https://www.example-dir.com@evil.test/verify'],
  ['userinfo in front of the directory', 'https://user:pass@www.example-dir.com/verify'],
  ['a lookalike with a dash', 'https://evil-example-dir.com/verify'],
  ['a lookalike with the name as a subdomain', 'https://www.example-dir.com.evil.net/verify'],
  ['another top-level domain', 'https://www.example-dir.co/verify'],
  ['a homograph (Cyrillic "е")', 'https://www.\u0435xample-dir.com/verify'],
  ['an IP address', 'https://93.184.216.34/verify'],
  ['an IP address in hex', 'https://0x5db8d822/verify'],
  ['an IPv6 address', 'https://[2606:2800:220:1:248:1893:25c8:1946]/verify'],
  ['another port', 'https://www.example-dir.com:8443/verify'],
  ['another scheme', 'ftp://www.example-dir.com/verify'],
])('%s is refused', (_case, url) => {
  expect(findVerificationLink([link(url)], rules)).toEqual({
    url: null,
    reason: 'no_link_on_directory_host',
  });
});

test.each([
  ['the registered domain', 'https://example-dir.com/verify'],
  ['a subdomain', 'https://accounts.example-dir.com/verify'],
  ['a deeper subdomain in capitals', 'https://A.B.Example-Dir.COM/verify'],
  ['the default port written out', 'https://www.example-dir.com:443/verify'],
  ['plain http', 'http://www.example-dir.com/verify'],
])('%s of the directory is accepted', (_case, url) => {
  expect(findVerificationLink([link(url)], rules).url).toBe(new URL(url).href);
});

test('sites under a public suffix are compared as sites: one github.io site is not another', () => {
  const github = { directoryHosts: ['acme.github.io'] };
  expect(findVerificationLink([link('https://evil.github.io/verify')], github).url).toBeNull();
  expect(findVerificationLink([link('https://acme.github.io/verify')], github).url).toBe(
    'https://acme.github.io/verify',
  );
  const uk = { directoryHosts: ['www.directory.co.uk'] };
  expect(findVerificationLink([link('https://other.co.uk/verify')], uk).url).toBeNull();
  expect(findVerificationLink([link('https://mail.directory.co.uk/verify')], uk).url).toBe(
    'https://mail.directory.co.uk/verify',
  );
});

test('an internationalised directory host matches its links in punycode', () => {
  const links = [link('https://www.bücher-verzeichnis.example/bestätigen', 'Bestätigen')];
  expect(findVerificationLink(links, { directoryHosts: ['Bücher-Verzeichnis.example'] }).url).toBe(
    'https://www.xn--bcher-verzeichnis-22b.example/best%C3%A4tigen',
  );
});

test('words in the URL count when the text says nothing ("Click here")', () => {
  const links = [
    link('https://www.example-dir.com/', 'Click here'),
    link('https://www.example-dir.com/user/emailConfirm?t=1', 'Click here'),
  ];
  expect(findVerificationLink(links, rules)).toEqual({
    url: 'https://www.example-dir.com/user/emailConfirm?t=1',
    reason: 'link URL says "confirm" (en)',
  });
});

test('login-only, deactivate, tracking-pixel and wordless links are never followed', () => {
  const links = [
    link('https://www.example-dir.com/login', 'Log in to your account'),
    link('https://www.example-dir.com/account/deactivate', 'Deactivate account'),
    link('https://www.example-dir.com/wf/open?upn=verify', ''),
    link('https://www.example-dir.com/img/confirm.png', 'Confirm'),
    link('https://www.example-dir.com/dashboard', 'Your dashboard'),
  ];
  expect(findVerificationLink(links, rules)).toEqual({ url: null, reason: 'no_link' });
  expect(findVerificationLink([], rules)).toEqual({ url: null, reason: 'no_link' });
});

test('an unwanted word in the URL only outweighs one place: "Confirm" to /verify?accept_terms=1 is followed', () => {
  const links = [link('https://www.example-dir.com/verify?accept_terms=1', 'Confirm your email')];
  expect(findVerificationLink(links, rules)).toEqual({
    url: 'https://www.example-dir.com/verify?accept_terms=1',
    reason: 'link text says "confirm" (en), but also "terms"',
  });
});

test('a login link that also verifies ("Sign in to confirm") is followed', () => {
  const links = [link('https://www.example-dir.com/login?next=/confirm', 'Sign in to confirm your email')];
  expect(findVerificationLink(links, rules).url).toBe('https://www.example-dir.com/login?next=/confirm');
});

test('local runtime: a loopback test site qualifies only when its origin is allow-listed', () => {
  const links = [link('http://127.0.0.1:43815/verify?token=1')];
  const local = { directoryHosts: ['127.0.0.1'], localOrigins: new Set(['127.0.0.1:43815']) };
  expect(findVerificationLink(links, local).url).toBe('http://127.0.0.1:43815/verify?token=1');
  expect(findVerificationLink(links, { directoryHosts: ['127.0.0.1'] }).url).toBeNull();
  expect(findVerificationLink([link('http://127.0.0.1:5000/verify')], local).url).toBeNull();
});
