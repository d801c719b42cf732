/**
 * An inbound mail's raw RFC 822 bytes made into a bounded, validated description: who sent it, to
 * whom, what it says (an excerpt) and the links in it. Used by the inbound-mail Lambda (SES stores
 * the message in S3) and locally by the SMTP server, before matching it to a waiting task.
 *
 * Never throws on what a stranger sent: too large, spam, virus or unreadable mail comes back as a
 * `rejected` description. The links are bearer credentials (a verification token): store them, do
 * not log them.
 */
import { domainToASCII } from 'node:url';
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import { sanitizeText } from '../platform/sanitize';
import * as z from '../platform/zod';
import { MAIL_LIMITS } from './mail-limits';
import { collectLinks, type MailLink } from './mail-links';
import { singleLine, textExcerpt } from './mail-text';

export type { MailLink } from './mail-links';

/** SES's receipt verdicts (spamVerdict, virusVerdict, ... `.status` in the event). */
/** The verdicts SES gives a received mail (its DISABLED, when scanning is off, says nothing). */
export const VERDICT_STATUSES = ['PASS', 'FAIL', 'GRAY', 'PROCESSING_FAILED'] as const;
const verdictStatus = z.enum(VERDICT_STATUSES);
const envelopeAddress = z
  .string()
  .check(z.maxLength(MAIL_LIMITS.maxAddressLength), z.regex(/^[^\s<>@]+@[^\s<>@]+$/, 'not an address'));

export const inboundOptionsSchema = z.object({
  /** RCPT TO of the delivery (SES's receipt.recipients): the only list that shows a Bcc. */
  envelopeRecipients: z.optional(z.array(envelopeAddress)),
  verdicts: z.optional(
    z.object({
      spam: z.optional(verdictStatus),
      virus: z.optional(verdictStatus),
      dkim: z.optional(verdictStatus),
      spf: z.optional(verdictStatus),
      dmarc: z.optional(verdictStatus),
    }),
  ),
});
export type InboundOptions = z.infer<typeof inboundOptionsSchema>;
export type MailVerdicts = NonNullable<InboundOptions['verdicts']>;

export type RejectionReason = 'too_large' | 'unparseable' | 'spam' | 'virus';

/** A mail we read. */
export interface InboundMail {
  rejected: null;
  sizeBytes: number;
  /** The Message-ID header, angle brackets included, or null when the mail has none. */
  messageId: string | null;
  /** The From address and its domain: lower case, the domain in ASCII (punycode). */
  from: { address: string; domain: string };
  replyTo: string[];
  /** The envelope recipients when the caller gave them, else the To and Cc headers. */
  recipients: string[];
  recipientsFrom: 'envelope' | 'headers';
  subject: string;
  /** The Date header as ISO 8601, or null. */
  date: string | null;
  text: string;
  textTruncated: boolean;
  links: MailLink[];
  verdicts: MailVerdicts;
}

/** A mail we did not read (or read and could not understand): no links, nothing to follow. */
export interface RejectedInbound {
  rejected: RejectionReason;
  sizeBytes: number;
  /** The envelope recipients, when given: the customer it was for, for the record. */
  recipients: string[];
  verdicts: MailVerdicts;
}

export type ParsedInbound = InboundMail | RejectedInbound;

/** "Local@Domain" in comparable form (lower case, domain in ASCII), or null when it is not an address. */
export function normalizeAddress(address: string): string | null {
  const at = address.lastIndexOf('@');
  if (at < 1 || address.length > MAIL_LIMITS.maxAddressLength) return null;
  const local = address.slice(0, at);
  const domain = domainToASCII(address.slice(at + 1).replace(/\.$/, ''));
  if (!domain || local.length > 64 || /[\s<>"]/.test(local)) return null;
  return `${local.toLowerCase()}@${domain}`;
}

/** The addresses of address headers, groups flattened, each once, at most maxRecipients. */
function addresses(headers: (AddressObject | AddressObject[] | undefined)[]): string[] {
  const found = new Set<string>();
  const visit = (entries: { address?: string; group?: unknown[] }[]) => {
    for (const entry of entries) {
      if (entry.group) visit(entry.group as typeof entries);
      const address = entry.address ? normalizeAddress(entry.address) : null;
      if (address && found.size < MAIL_LIMITS.maxRecipients) found.add(address);
    }
  };
  for (const header of headers.flat()) if (header) visit(header.value);
  return [...found];
}

function envelope(options: InboundOptions): string[] {
  const list = (options.envelopeRecipients ?? []).map(normalizeAddress).filter((a) => a !== null);
  return [...new Set(list)].slice(0, MAIL_LIMITS.maxRecipients);
}

/** SES scanned it and says so: a virus is not opened at all, spam is not a directory's confirmation. */
function verdictRejection(verdicts: MailVerdicts): RejectionReason | null {
  if (verdicts.virus === 'FAIL') return 'virus';
  if (verdicts.spam === 'FAIL') return 'spam';
  return null;
}

function describe(mail: ParsedMail, sizeBytes: number, options: InboundOptions): ParsedInbound {
  const verdicts = options.verdicts ?? {};
  const envelopeRecipients = envelope(options);
  // No From address: not an RFC 5322 message (mailparser reads anything, even random bytes, as one).
  const [from] = addresses([mail.from]);
  if (!from) return { rejected: 'unparseable', sizeBytes, recipients: envelopeRecipients, verdicts };
  const html = typeof mail.html === 'string' ? mail.html : undefined;
  // An HTML-only mail's excerpt is its HTML's text (mailparser's own conversion is off: see below).
  const excerpt = textExcerpt(mail.text || sanitizeText(html ?? ''), MAIL_LIMITS.maxTextBytes);
  const messageId = singleLine(mail.messageId ?? '', MAIL_LIMITS.maxMessageIdChars);
  return {
    rejected: null,
    sizeBytes,
    messageId: messageId || null,
    from: { address: from, domain: from.slice(from.lastIndexOf('@') + 1) },
    replyTo: addresses([mail.replyTo]),
    recipients: envelopeRecipients.length > 0 ? envelopeRecipients : addresses([mail.to, mail.cc]),
    recipientsFrom: envelopeRecipients.length > 0 ? 'envelope' : 'headers',
    subject: singleLine(mail.subject ?? '', MAIL_LIMITS.maxSubjectChars),
    date: mail.date && !Number.isNaN(mail.date.getTime()) ? mail.date.toISOString() : null,
    text: excerpt.text,
    textTruncated: excerpt.truncated,
    links: collectLinks(html, mail.text),
    verdicts,
  };
}

/**
 * Reads a raw mail. `options` come from the delivery (the SES event or the local SMTP session) and
 * are validated here; invalid options are the caller's bug and throw.
 */
export async function parseInboundMessage(
  raw: Buffer | Uint8Array,
  options: InboundOptions = {},
): Promise<ParsedInbound> {
  const checked = inboundOptionsSchema.parse(options);
  const verdicts = checked.verdicts ?? {};
  const sizeBytes = raw.byteLength;
  const rejected = sizeBytes > MAIL_LIMITS.maxRawBytes ? 'too_large' : verdictRejection(verdicts);
  if (rejected) return { rejected, sizeBytes, recipients: envelope(checked), verdicts };
  try {
    const mail = await simpleParser(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength), {
      skipTextToHtml: true, // plain text stays text: we find its URLs ourselves
      // No text made from HTML: its "label [url]" output would be read as text links of its own.
      skipHtmlToText: true,
      skipImageLinks: true,
      keepCidLinks: true, // no data: URLs of inline images built into the HTML
    });
    return describe(mail, sizeBytes, checked);
  } catch {
    // mailparser gave up on the structure, or made of it what cannot be described. The error is not
    // kept: its message may quote the mail.
    return { rejected: 'unparseable', sizeBytes, recipients: envelope(checked), verdicts };
  }
}
