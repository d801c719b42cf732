import {
  ACCOUNT_PASSWORD_LENGTH,
  generateAccountPassword,
  PASSWORD_CLASSES,
} from '../../../lambdas/accounts/account-password';
import { registered } from '../../support/log-scan';

/** Directory account passwords: the rule every sign-up form we fill asks for, and no visible bias. */
const SAMPLES = 5000;
const passwords = Array.from({ length: SAMPLES }, () => generateAccountPassword());
const alphabet = Object.values(PASSWORD_CLASSES).join('');

it('has 20 characters from the alphabet, with every class present, in every sample', () => {
  const broken = passwords.filter(
    (password) =>
      password.length !== ACCOUNT_PASSWORD_LENGTH ||
      [...password].some((c) => !alphabet.includes(c)) ||
      Object.values(PASSWORD_CLASSES).some((set) => ![...password].some((c) => set.includes(c))),
  );

  expect(ACCOUNT_PASSWORD_LENGTH).toBe(20);
  expect(broken).toEqual([]);
});

it('uses only the conservative symbols, and all of them', () => {
  const symbols = new Set([...passwords.join('')].filter((c) => !/[A-Za-z0-9]/.test(c)));

  expect([...symbols].sort().join('')).toBe([...'!#%+-=?@_'].sort().join(''));
});

it('never repeats a password', () => {
  registered(passwords[0] as string); // the end-of-run scan fails the run if a test logs it

  expect(new Set(passwords).size).toBe(SAMPLES);
});

it('puts no class in a fixed place: each appears at the first and the last position', () => {
  for (const set of Object.values(PASSWORD_CLASSES)) {
    expect(passwords.some((p) => set.includes(p.charAt(0)))).toBe(true);
    expect(passwords.some((p) => set.includes(p.charAt(ACCOUNT_PASSWORD_LENGTH - 1)))).toBe(true);
  }
});

it('draws the characters of each class uniformly (chi-square far below a p = 1e-6 bound)', () => {
  const counts = new Map<string, number>();
  for (const c of passwords.join('')) counts.set(c, (counts.get(c) ?? 0) + 1);

  for (const [name, set] of Object.entries(PASSWORD_CLASSES)) {
    const observed = [...set].map((c) => counts.get(c) ?? 0);
    const total = observed.reduce((a, b) => a + b, 0);
    const expected = total / set.length;
    const chiSquare = observed.reduce((sum, o) => sum + (o - expected) ** 2 / expected, 0);
    // Critical values at p = 1e-6: 25 degrees of freedom about 75, 9 about 46, 8 about 43.
    const bound = { lowercase: 75, uppercase: 75, digit: 46, symbol: 43 }[name] as number;
    expect({ name, uniform: chiSquare < bound }).toEqual({ name, uniform: true });
  }
});

it('gives the classes the shares of a uniform draw, not those of "one of each class, then shuffle"', () => {
  const all = passwords.join('');
  const share = (set: string) => [...all].filter((c) => set.includes(c)).length / all.length;

  // Uniform over valid passwords: symbols about 13.5%, lowercase about 36.0% (conditioning on every
  // class being present lifts the rare classes a little above 9/71 and 26/71). Placing one of each
  // class first would give symbols 1/20 + 19/20 * 9/71 = 17.0% and lowercase 39.8%.
  expect(share(PASSWORD_CLASSES.symbol)).toBeGreaterThan(0.125);
  expect(share(PASSWORD_CLASSES.symbol)).toBeLessThan(0.145);
  expect(share(PASSWORD_CLASSES.lowercase)).toBeGreaterThan(0.345);
  expect(share(PASSWORD_CLASSES.lowercase)).toBeLessThan(0.375);
});
