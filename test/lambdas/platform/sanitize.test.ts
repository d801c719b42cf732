/** sanitizeText, the profile schema's rules and Retry-After parsing: pure functions, no browser. */
import { sanitizeText } from '../../../lambdas/platform/sanitize';
import { BusinessProfileSchema } from '../../../lambdas/customers/business-profile';
import { parseRetryAfter } from '../../../lambdas/browser/submission-error';
import { PROFILE } from '../../support/business-fixtures';

test.each([
  ['<p>Family-owned</p><p>since <b>1998</b>.</p>', 'Family-owned\nsince 1998.'],
  ['Hi<script>alert(document.cookie)</script> there', 'Hi there'],
  ['<img src=x onerror=alert(1)>Drains <a href="javascript:alert(1)">here</a>', 'Drains here'],
  ['<style>body{display:none}</style>Plumbing', 'Plumbing'],
  ['Tom &amp; Jerry&#39;s caf&eacute; &lt; 5 km', "Tom & Jerry's café < 5 km"],
  ['A & B < C > D', 'A & B < C > D'],
  ['&lt;script&gt;alert(1)&lt;/script&gt;Safe', 'Safe'],
  ['&amp;lt;img src=x onerror=alert(1)&amp;gt;ok', 'ok'],
  [
    '<noscript>Enable JS</noscript><textarea>draft</textarea><select><option>Pick</option></select>Open',
    'Open',
  ],
  ['Before<!-- a comment -->after <![CDATA[raw]]>', 'Beforeafter'],
  ['  lots   of\u00a0space\n\n\n\nand lines\u0007 ', 'lots of space\n\nand lines'],
])('sanitizeText(%j) is %j', (input, expected) => {
  expect(sanitizeText(input)).toBe(expected);
});

test('no markup survives, however it is escaped', () => {
  for (const hostile of [
    '<svg/onload=alert(1)>',
    '<<script>script>alert(1)<</script>/script>',
    '&#60;script&#62;alert(1)&#60;/script&#62;',
    '<iframe src="file:///proc/self/environ"></iframe>',
  ]) {
    expect(sanitizeText(hostile)).not.toMatch(/<\s*\/?\s*[a-z]/i);
  }
});

test('the profile schema sanitizes the description and refuses one with no text', () => {
  const parsed = BusinessProfileSchema.parse({ ...PROFILE, description: '<b>Drains</b> &amp; pipes' });
  expect(parsed.description).toBe('Drains & pipes');
  expect(BusinessProfileSchema.safeParse({ ...PROFILE, description: '<script>x</script>' }).success).toBe(
    false,
  );
});

test.each([
  ['javascript:alert(1)', false],
  ['data:text/html,<script>alert(1)</script>', false],
  ['file:///etc/passwd', false],
  ['ftp://acme.example/', false],
  ['mailto:owner@acme.example', false],
  ['https://', false],
  ['acme.example', false],
  ['http://acme-plumbing.example', true],
  ['https://www.acme-plumbing.example/about?x=1', true],
])('website %s accepted: %s', (website, ok) => {
  const result = BusinessProfileSchema.safeParse({ ...PROFILE, website });
  expect(result.success).toBe(ok);
  if (!result.success) expect(result.error.issues[0]?.path).toEqual(['website']);
});

test('Retry-After: delay-seconds, HTTP-date, garbage', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  expect(parseRetryAfter('120', now)).toBe(120);
  expect(parseRetryAfter(' 0 ', now)).toBe(0);
  expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30);
  expect(parseRetryAfter('Wed, 31 Dec 2025 23:00:00 GMT', now)).toBe(0); // in the past: now
  expect(parseRetryAfter('soon', now)).toBeUndefined();
  expect(parseRetryAfter('-5', now)).toBeUndefined();
  expect(parseRetryAfter(undefined, now)).toBeUndefined();
});
