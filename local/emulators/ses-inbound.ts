/**
 * The local stand-in for SES email receiving: an SMTP server on loopback that does what a receipt
 * rule with an S3 action then a Lambda action does in AWS, so the inbound-mail Lambda runs locally
 * on the same input it gets in AWS.
 *
 * Reproduced from SES:
 * - only recipients on the receiving domain are accepted (case-insensitively); any other RCPT TO
 *   gets 550, as SES answers for a domain that is not verified; at most `maxRecipients` per message;
 * - the size limit: SIZE is advertised, a declared or an actual size over it is refused with 552;
 * - each message gets a random SES-like message id (40 lowercase letters and digits), and the raw
 *   message, with the headers SES prepends (Return-Path, Received, X-SES-Spam-Verdict,
 *   X-SES-Virus-Verdict), is stored with the real AWS SDK under `prefix + messageId` (S3 action);
 * - then the `deliver` callback gets the event a Lambda action with the Event invocation type sends
 *   (typed `SESEvent`: headers, commonHeaders, verdicts, the action), without the body;
 * - the message is accepted (250 Ok <messageId>) once stored, whatever the Lambda does: `deliver`
 *   runs after the reply, as an Event invocation does, and a failing one leaves the object in S3
 *   and is reported to `onError` (Lambda would retry it). A message that could not be stored is
 *   answered 451, so the sender keeps it and tries again.
 *
 * Left out: no SPF, DKIM or DMARC checks and no spam or virus scan (every verdict is PASS), no
 * bounce, no retry of a failed delivery, no header truncation in the event (headersTruncated is
 * always false), no TLS and no authentication: it listens on 127.0.0.1 only, where nothing crosses
 * a network (SES itself takes mail from anyone, so there is no auth to reproduce).
 */
import { randomInt } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { SESEvent, SESMailHeader } from 'aws-lambda';
import { simpleParser, type AddressObject } from 'mailparser';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';

/** SES receives messages up to 40 MB, headers included (the SES v2 / SMTP message quota). */
export const SES_MAX_MESSAGE_BYTES = 40 * 1024 * 1024;
/** SES's 50 recipients per message (its documented sending limit; receiving is held to it here). */
export const SES_MAX_RECIPIENTS = 50;
/** The function the local receipt rule names in its Lambda action. */
const LOCAL_FUNCTION_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:directorybolt-inbound-mail-local';
/** How long close() lets a client finish its message before cutting it off with 421. */
const CLOSE_GRACE_MS = 5_000;
/** The name the server greets with and writes in its Received header. */
const SERVER_NAME = 'inbound-smtp.local';

export interface SesInboundSmtpOptions {
  /** The receiving domain, e.g. "submissions.example.com": mail to any other domain is refused. */
  domain: string;
  /** A real AWS SDK client (fauxqs locally). */
  s3: S3Client;
  bucket: string;
  /** The receipt rule's S3 object key prefix, e.g. "inbound/" (may be empty). */
  prefix: string;
  /** The Lambda action, for each accepted message once it is stored; drain() and close() await it. */
  deliver: (event: SESEvent) => Promise<void>;
  /** A failed delivery (the mail stays in S3). Defaults to a line on stderr. */
  onError?: (error: unknown, event: SESEvent) => void;
  /** 0 (default) picks a free port. */
  port?: number;
  maxMessageBytes?: number;
  maxRecipients?: number;
  /** The Lambda action's functionArn in the event. */
  functionArn?: string;
}

export interface SesInboundSmtp {
  host: string;
  port: number;
  /** A nodemailer transport URL, e.g. smtp://127.0.0.1:2525. */
  url: string;
  /** Resolves once every delivery started so far has settled (succeeded or reported). */
  drain(): Promise<void>;
  /** Stops accepting mail, lets open sessions finish, then waits for deliveries in flight. */
  close(): Promise<void>;
}

/** An SMTP error reply: smtp-server answers an error with its responseCode. */
const smtpError = (responseCode: number, message: string): Error =>
  Object.assign(new Error(message), { responseCode });

/** 40 characters from [0-9a-z], the shape of the message ids (and object keys) SES gives mail it receives. */
function sesMessageId(): string {
  const alphabet = '0123456789abcdefghijklmnopqrstuvwxyz';
  return Array.from({ length: 40 }, () => alphabet[randomInt(alphabet.length)]).join('');
}

/** RFC 5322 date, as in SES's Received header: "Mon, 05 Aug 2019 21:30:02 +0000 (UTC)". */
const rfc5322Date = (date: Date): string => date.toUTCString().replace(/GMT$/, '+0000 (UTC)');

/** The header block of a raw message (up to the first empty line), or the whole message if none. */
function headerBlock(raw: Buffer): Buffer {
  const crlf = raw.indexOf('\r\n\r\n');
  const lf = raw.indexOf('\n\n');
  const ends = [crlf === -1 ? -1 : crlf + 4, lf === -1 ? -1 : lf + 2].filter((i) => i > 0);
  return ends.length ? raw.subarray(0, Math.min(...ends)) : raw;
}

/** Each mailbox of an address header as SES lists it in commonHeaders: `"Name" <address>` or the address. */
function mailboxes(header: AddressObject | AddressObject[] | undefined): string[] | undefined {
  if (!header) return undefined;
  return [header]
    .flat()
    .flatMap((h) => h.value)
    .flatMap((a) => a.group ?? [a])
    .filter((a) => a.address)
    .map((a) => (a.name ? `${quoteName(a.name)} <${a.address}>` : a.address!));
}
/** A display name is quoted when it has characters outside an RFC 5322 phrase (a comma, a dot...). */
const quoteName = (name: string): string =>
  /^[\w !#$%&'*+\-/=?^`{|}~]+$/.test(name) ? name : `"${name.replace(/(["\\])/g, '\\$1')}"`;

export async function startSesInboundSmtp(options: SesInboundSmtpOptions): Promise<SesInboundSmtp> {
  const domain = options.domain.trim().toLowerCase();
  if (!/^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(domain)) {
    throw new Error(
      `startSesInboundSmtp: domain must be a domain name like "mail.example.com", got "${options.domain}"`,
    );
  }
  const maxMessageBytes = options.maxMessageBytes ?? SES_MAX_MESSAGE_BYTES;
  const maxRecipients = options.maxRecipients ?? SES_MAX_RECIPIENTS;
  const functionArn = options.functionArn ?? LOCAL_FUNCTION_ARN;
  const onError =
    options.onError ??
    ((error: unknown, event: SESEvent) => {
      const messageId = event.Records[0]?.ses.mail.messageId;
      console.error(`ses-inbound-smtp: delivering ${messageId} failed (kept in S3): ${String(error)}`);
    });
  const deliveries = new Set<Promise<void>>();

  /** Stores the message as the S3 action does and builds the event the Lambda action sends. */
  async function receive(raw: Buffer, session: SMTPServerSession, receivedAt: Date): Promise<SESEvent> {
    const messageId = sesMessageId();
    const source = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
    const recipients = session.envelope.rcptTo.map((r) => r.address);
    const added = [
      `Return-Path: <${source}>`,
      `Received: from ${session.hostNameAppearsAs} (${session.clientHostname} [${session.remoteAddress}])\r\n` +
        ` by ${SERVER_NAME} with SMTP id ${messageId}\r\n` +
        ` for ${recipients.join(', ')};\r\n ${rfc5322Date(receivedAt)}`,
      'X-SES-Spam-Verdict: PASS',
      'X-SES-Virus-Verdict: PASS',
    ];
    const stored = Buffer.concat([Buffer.from(`${added.join('\r\n')}\r\n`), raw]);
    await options.s3.send(
      new PutObjectCommand({
        Bucket: options.bucket,
        Key: `${options.prefix}${messageId}`,
        Body: stored,
        ContentType: 'message/rfc822',
      }),
    );

    // Headers only: the event never carries the body, and a large attachment need not be parsed.
    const parsed = await simpleParser(headerBlock(stored), {
      skipHtmlToText: true,
      skipTextToHtml: true,
      skipImageLinks: true,
      skipTextLinks: true,
    });
    const headers: SESMailHeader[] = parsed.headerLines.map(({ line }) => {
      const colon = line.indexOf(':');
      // Unfolded (RFC 5322 2.2.3): the line breaks of a folded header go, the whitespace stays.
      return {
        name: line.slice(0, colon),
        value: line
          .slice(colon + 1)
          .replace(/\r?\n(?=[ \t])/g, '')
          .trim(),
      };
    });
    const headerValue = (name: string): string =>
      headers.find((h) => h.name.toLowerCase() === name.toLowerCase())?.value ?? '';
    const from = mailboxes(parsed.from);
    const to = mailboxes(parsed.to);
    const cc = mailboxes(parsed.cc);
    const timestamp = receivedAt.toISOString();
    const pass = { status: 'PASS' as const };
    return {
      Records: [
        {
          eventSource: 'aws:ses',
          eventVersion: '1.0',
          ses: {
            mail: {
              timestamp,
              source,
              messageId,
              destination: recipients,
              headersTruncated: false,
              headers,
              commonHeaders: {
                returnPath: source,
                ...(from ? { from } : {}),
                date: headerValue('Date'),
                ...(to ? { to } : {}),
                ...(cc ? { cc } : {}),
                messageId: headerValue('Message-ID'),
                ...(parsed.subject !== undefined ? { subject: parsed.subject } : {}),
              },
            },
            receipt: {
              timestamp,
              processingTimeMillis: Date.now() - receivedAt.getTime(),
              recipients,
              spamVerdict: pass,
              virusVerdict: pass,
              spfVerdict: pass,
              dkimVerdict: pass,
              dmarcVerdict: pass,
              action: { type: 'Lambda', functionArn, invocationType: 'Event' },
            },
          },
        },
      ],
    };
  }

  /** The Lambda action: runs after the SMTP reply, as an Event invocation does; close() waits for it. */
  function startDelivery(event: SESEvent): void {
    const delivery = (async () => {
      try {
        await options.deliver(event);
      } catch (error) {
        onError(error, event);
      }
    })().finally(() => deliveries.delete(delivery));
    deliveries.add(delivery);
  }

  const server = new SMTPServer({
    name: SERVER_NAME,
    banner: 'local SES inbound',
    logger: false,
    // No DNS: the Received header names the client by its address, as a lookup on loopback would.
    disableReverseLookup: true,
    // Loopback only: no TLS and no login, nothing travels over a network (see the header comment).
    secure: false,
    disabledCommands: ['AUTH', 'STARTTLS'],
    authOptional: true,
    size: maxMessageBytes,
    closeTimeout: CLOSE_GRACE_MS,
    onRcptTo(address, session, callback) {
      const at = address.address.lastIndexOf('@');
      const recipientDomain = at === -1 ? '' : address.address.slice(at + 1).toLowerCase();
      if (recipientDomain !== domain) {
        return callback(
          smtpError(550, `5.1.1 <${address.address}>: Recipient address rejected: Access denied`),
        );
      }
      if (session.envelope.rcptTo.length >= maxRecipients) {
        // RFC 5321 4.5.3.1.10: too many recipients is 452, the client sends the rest again later.
        return callback(smtpError(452, `4.5.3 Too many recipients (at most ${maxRecipients} per message)`));
      }
      callback();
    },
    onData(stream: SMTPServerDataStream, session, callback) {
      const receivedAt = new Date();
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => {
        // Past the limit the rest is read and dropped: the client is answered only at the end.
        if (!stream.sizeExceeded) chunks.push(chunk);
      });
      stream.once('error', (error) => callback(error));
      stream.once('end', () => {
        if (stream.sizeExceeded) {
          return callback(smtpError(552, `5.3.4 Message too big: the limit is ${maxMessageBytes} bytes`));
        }
        receive(Buffer.concat(chunks), session, receivedAt).then(
          (event) => {
            callback(null, `Ok ${event.Records[0]!.ses.mail.messageId}`);
            startDelivery(event);
          },
          // Not stored, so not accepted: a temporary failure makes the sender keep it and retry.
          (error: unknown) =>
            callback(smtpError(451, `4.3.0 The message could not be stored: ${String(error)}`)),
        );
      });
    },
  });

  const host = '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // An error on a client's connection (a reset) must not end the process; the session is lost alone.
  server.on('error', () => undefined);
  const port = (server.server.address() as AddressInfo).port;

  const drain = async (): Promise<void> => {
    while (deliveries.size) await Promise.all([...deliveries]);
  };
  return {
    host,
    port,
    url: `smtp://${host}:${port}`,
    drain,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await drain();
    },
  };
}
