/**
 * Real MIME for the mail tests, built by nodemailer's MailComposer (the library that writes most of
 * the mail our directories send), so the parser meets the encodings real senders produce.
 */
import MailComposer, { type MailComposerOptions } from 'nodemailer/lib/mail-composer';
import {
  parseInboundMessage,
  type InboundMail,
  type InboundOptions,
} from '../../../lambdas/mail/inbound-message';

export type MailOptions = MailComposerOptions;

export const RECEIVING_DOMAIN = 'mail.example.com';
export const LOCAL_PART = 'b-abcdefghijk23456';
export const SUBMISSION = `${LOCAL_PART}@${RECEIVING_DOMAIN}`;

/** The directory of most tests: its site is example-dir.com, its form at www.example-dir.com. */
export const DIRECTORY_HOSTS = ['www.example-dir.com'];
export const VERIFY_URL = 'https://www.example-dir.com/account/verify?token=Zm9vYmFyYmF6cXV4&user=4711';

/** A typical sign-up confirmation: text and HTML alternatives, from the directory's domain. */
export const CONFIRMATION: MailOptions = {
  from: 'Example Directory <NoReply@Example-Dir.COM>',
  to: SUBMISSION,
  subject: 'Please confirm your email address',
  messageId: '<welcome-4711@example-dir.com>',
  date: new Date('2026-03-01T10:00:00Z'),
  text: `Hello,\n\nPlease confirm your email address:\n${VERIFY_URL}\n\nHelp: https://www.example-dir.com/help`,
  html:
    `<p>Hello,</p><p><a href="${VERIFY_URL.replace('&', '&amp;')}">Confirm your email address</a></p>` +
    '<p><a href="https://www.example-dir.com/help">Help</a> · ' +
    '<a href="https://www.example-dir.com/unsubscribe?u=4711">Unsubscribe</a></p>',
};

/** The raw bytes of a mail: CONFIRMATION's headers unless `options` says otherwise. */
export async function rawMail(options: MailOptions): Promise<Buffer> {
  const { from, to, subject, date, messageId } = CONFIRMATION;
  return new MailComposer({ from, to, subject, date, messageId, ...options }).compile().build();
}

/** Composes and parses a mail that must be read (not rejected). */
export async function readMail(options: MailOptions, inbound: InboundOptions = {}): Promise<InboundMail> {
  const parsed = await parseInboundMessage(await rawMail(options), inbound);
  if (parsed.rejected !== null) throw new Error(`expected a readable mail, got rejected: ${parsed.rejected}`);
  return parsed;
}
