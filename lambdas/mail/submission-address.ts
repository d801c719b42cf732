/**
 * A customer's submission address: the mailbox on our receiving domain that the submitter signs up
 * to directories with, and that their confirmation mails come back to.
 *
 * The local part is random, not the customer's UUID: the address is handed to third parties (every
 * directory, and whoever they share or leak their lists with), so it must neither reveal our ids nor
 * let anyone derive another customer's address. 80 random bits make it unguessable.
 *
 * Own code rather than a general RFC 5322 address parser: we only ever have to recognise addresses
 * of our own strict format; anything that does not fit it exactly is not ours.
 */
import { randomBytes } from 'node:crypto';
import { domainToASCII } from 'node:url';
import { MAIL_LIMITS } from './mail-limits';

/** "b-" and 16 base32 characters. Lower case letters and 2-7 only: survives any case folding. */
export const SUBMISSION_LOCAL_PART = /^b-[a-z2-7]{16}$/;

/** RFC 4648 base32 alphabet in lower case (no 0, 1, 8, 9: nothing to confuse with O, I, B, g). */
const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** One DNS label: letters, digits, inner dashes; 63 characters at most (RFC 1123). */
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

function base32(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(buffer << (5 - bits)) & 31];
  return out;
}

/** A new, random local part: "b-" and 16 characters from 10 random bytes (80 bits). */
export function submissionLocalPart(): string {
  return `b-${base32(randomBytes(10))}`;
}

/**
 * The receiving domain in its comparable form (lower case, ASCII), or an error: a wrong domain is a
 * configuration mistake that must fail loudly, not silently match nothing.
 */
export function receivingDomain(domain: string): string {
  const ascii = domainToASCII(domain.trim().replace(/\.$/, ''));
  if (!ascii || ascii.length > 253 || !ascii.split('.').every((label) => LABEL.test(label))) {
    throw new Error(`receiving domain "${domain}" is not a hostname`);
  }
  return ascii;
}

/** The full address for a local part made by submissionLocalPart(). */
export function submissionAddress(localPart: string, domain: string): string {
  const part = localPart.toLowerCase();
  if (!SUBMISSION_LOCAL_PART.test(part)) throw new Error('not a submission local part');
  return `${part}@${receivingDomain(domain)}`;
}

/**
 * The submission local part an address is for, or null when it is not one of ours. Tolerates what
 * senders and relays do to an address: a display name and angle brackets ("Shop <b-...@domain>"),
 * any letter case, and a "+tag" sub-address (b-...+listing@domain), which is dropped.
 */
export function parseSubmissionRecipient(address: string, domain: string): string | null {
  const ours = receivingDomain(domain);
  if (address.length > MAIL_LIMITS.maxAddressLength * 2) return null;
  // The mailbox is what is inside the last angle brackets; a display name is never the address.
  const bracketed = /<([^<>]*)>\s*$/.exec(address);
  const mailbox = (bracketed ? bracketed[1]! : address).trim();
  const at = mailbox.lastIndexOf('@');
  if (at < 1) return null;
  const mailboxDomain = domainToASCII(mailbox.slice(at + 1).replace(/\.$/, ''));
  if (mailboxDomain !== ours) return null;
  const localPart = mailbox.slice(0, at).toLowerCase().split('+')[0]!;
  return SUBMISSION_LOCAL_PART.test(localPart) ? localPart : null;
}
