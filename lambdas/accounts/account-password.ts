import { randomInt } from 'node:crypto';

/**
 * The password the submitter signs up to a directory with, on the customer's behalf.
 *
 * Nobody types or reads it (the submitter fills it in, the vault keeps it), so ambiguous characters
 * (l/1/I, O/0) need no excluding. What shapes the alphabet is the directories' sign-up forms:
 * - all four classes, at least one of each, because many forms demand "a lowercase letter, an
 *   uppercase letter, a number and a special character";
 * - symbols only from a conservative set that forms accept and that pass HTML, URL and JSON
 *   encoding unchanged: no quotes, backslash or `<>&` (escaped or stripped by some sites), no space,
 *   no `$` or backtick (template syntax), no `;` or `,` (separators some back ends split on);
 * - 20 characters: above the usual minimums (8 to 12) and within 20, a maximum some sites still
 *   enforce. With 71 characters that is about 123 bits.
 */
export const ACCOUNT_PASSWORD_LENGTH = 20;

export const PASSWORD_CLASSES = {
  lowercase: 'abcdefghijklmnopqrstuvwxyz',
  uppercase: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
  digit: '0123456789',
  symbol: '!#%+-=?@_',
} as const;

const CLASSES = Object.values(PASSWORD_CLASSES);
const ALPHABET = CLASSES.join('');

/**
 * A new password: ACCOUNT_PASSWORD_LENGTH characters, each drawn with crypto.randomInt (a CSPRNG,
 * rejection-sampled, so no modulo bias), the whole password drawn again until every class is present.
 *
 * Why draw again rather than "one of each class, then fill and shuffle": drawing again is uniform
 * over every password that meets the rule; placing one of each class first makes passwords with
 * one symbol and one digit likelier than passwords with several. About 11% of draws miss a class
 * (mostly the 9 symbols), so it costs 1.1 draws on average.
 */
export function generateAccountPassword(): string {
  for (;;) {
    let password = '';
    for (let i = 0; i < ACCOUNT_PASSWORD_LENGTH; i++) password += ALPHABET.charAt(randomInt(ALPHABET.length));
    if (CLASSES.every((set) => [...set].some((c) => password.includes(c)))) return password;
  }
}
