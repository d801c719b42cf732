/**
 * The local SES receiving endpoint over real SMTP on loopback: mail sent with nodemailer (real MIME)
 * is stored in the local S3 (fauxqs, real AWS SDK) and handed on as the event SES's Lambda action sends.
 */
import { connect } from 'node:net';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { SESEvent } from 'aws-lambda';
import { simpleParser } from 'mailparser';
import nodemailer from 'nodemailer';
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import { startLocalAws, type LocalAws } from '../../../local/emulators/sqs-s3';
import { startSesInboundSmtp, type SesInboundSmtp } from '../../../local/emulators/ses-inbound';

const DOMAIN = 'submissions.directorybolt.test';
const BUCKET = 'directorybolt-inbound-mail-test';
const PREFIX = 'inbound/';

let aws: LocalAws;
let smtp: SesInboundSmtp;
const events: SESEvent[] = [];

beforeAll(async () => {
  aws = await startLocalAws();
  await aws.s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  smtp = await startSesInboundSmtp({
    domain: DOMAIN,
    s3: aws.s3,
    bucket: BUCKET,
    prefix: PREFIX,
    maxMessageBytes: 64 * 1024,
    maxRecipients: 3,
    deliver: async (event) => {
      events.push(event);
    },
  });
});
afterAll(async () => {
  await smtp?.close();
  await aws?.stop();
});
beforeEach(() => {
  events.length = 0;
});

const transport = () => nodemailer.createTransport(smtp.url);

/**
 * A plain SMTP client: sends each command after the previous reply and returns every reply, the
 * greeting first (for what nodemailer will not send, such as a SIZE over the advertised limit).
 */
function smtpDialog(port: number, commands: string[]): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const replies: string[] = [];
    let buffer = '';
    socket.setEncoding('utf8');
    socket.on('error', reject);
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      // A reply is complete at its last line, the one with a space after the code.
      while (/^\d{3} .*\r\n/m.test(buffer)) {
        const end = buffer.search(/^\d{3} .*\r\n/m);
        const lineEnd = buffer.indexOf('\r\n', end) + 2;
        replies.push(buffer.slice(0, lineEnd).trimEnd());
        buffer = buffer.slice(lineEnd);
        const next = commands[replies.length - 1];
        if (next === undefined) {
          socket.end();
          return resolve(replies);
        }
        socket.write(`${next}\r\n`);
      }
    });
  });
}

async function storedKeys(): Promise<string[]> {
  const { Contents = [] } = await aws.s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: PREFIX }));
  return Contents.map((c) => c.Key!);
}
async function stored(key: string): Promise<Buffer> {
  const object = await aws.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return Buffer.from(await object.Body!.transformToByteArray());
}

test('a message to the domain is stored under the prefix and delivered as an SES Lambda event', async () => {
  const info = await transport().sendMail({
    from: '"Verify Directory, Inc." <no-reply@directory.example>',
    to: `Acme-42@${DOMAIN}`,
    subject: 'Confirm your email address',
    text: 'Confirm: http://directory.example/confirm?token=abc',
    html: '<p><a href="http://directory.example/confirm?token=abc">Confirm</a></p>',
  });
  expect(info.accepted).toEqual([`Acme-42@${DOMAIN}`]);
  await smtp.drain();

  expect(events).toHaveLength(1);
  const [record] = events[0]!.Records;
  const { mail, receipt } = record!.ses;
  expect(record).toMatchObject({ eventSource: 'aws:ses', eventVersion: '1.0' });
  expect(mail.messageId).toMatch(/^[0-9a-z]{40}$/);
  expect(info.response).toBe(`250 Ok ${mail.messageId}`);
  expect(mail).toMatchObject({
    source: 'no-reply@directory.example',
    destination: [`Acme-42@${DOMAIN}`],
    headersTruncated: false,
    commonHeaders: {
      returnPath: 'no-reply@directory.example',
      from: ['"Verify Directory, Inc." <no-reply@directory.example>'],
      to: [`Acme-42@${DOMAIN}`],
      subject: 'Confirm your email address',
      messageId: info.messageId,
    },
  });
  expect(new Date(mail.commonHeaders.date).getTime()).not.toBeNaN();
  expect(mail.headers.slice(0, 4).map((h) => h.name)).toEqual([
    'Return-Path',
    'Received',
    'X-SES-Spam-Verdict',
    'X-SES-Virus-Verdict',
  ]);
  expect(mail.headers.find((h) => h.name === 'Subject')?.value).toBe('Confirm your email address');
  expect(receipt).toMatchObject({
    recipients: [`Acme-42@${DOMAIN}`],
    spamVerdict: { status: 'PASS' },
    virusVerdict: { status: 'PASS' },
    spfVerdict: { status: 'PASS' },
    dkimVerdict: { status: 'PASS' },
    dmarcVerdict: { status: 'PASS' },
    action: { type: 'Lambda', invocationType: 'Event' },
  });
  expect(receipt.action).toHaveProperty('functionArn', expect.stringMatching(/^arn:aws:lambda:/));
  expect(receipt.timestamp).toBe(mail.timestamp);
  expect(receipt.processingTimeMillis).toBeGreaterThanOrEqual(0);

  // The S3 action's object: the raw message as sent, after the headers SES adds.
  const raw = await stored(`${PREFIX}${mail.messageId}`);
  expect(raw.toString('utf8')).toMatch(/^Return-Path: <no-reply@directory\.example>\r\nReceived: from /);
  const parsed = await simpleParser(raw);
  expect(parsed.messageId).toBe(info.messageId);
  expect(parsed.text).toContain('http://directory.example/confirm?token=abc');
  expect(parsed.html).toContain('href="http://directory.example/confirm?token=abc"');
});

test('the domain is matched case-insensitively, and the recipient kept as the sender wrote it', async () => {
  // nodemailer's message API lowercases domains; its SMTP connection sends the envelope as given.
  const connection = new SMTPConnection({ host: smtp.host, port: smtp.port, ignoreTLS: true });
  await new Promise<void>((resolve, reject) => {
    connection.once('error', reject);
    connection.connect(() => resolve());
  });
  const info = await new Promise<{ accepted: string[] }>((resolve, reject) =>
    connection.send(
      { from: 'a@directory.example', to: ['Owner@Submissions.DirectoryBolt.TEST'] },
      'Subject: case\r\n\r\nx\r\n',
      (error, result) => (error ? reject(error) : resolve(result!)),
    ),
  );
  connection.quit();
  expect(info.accepted).toEqual(['Owner@Submissions.DirectoryBolt.TEST']);
  await smtp.drain();
  expect(events[0]!.Records[0]!.ses.mail.destination).toEqual(['Owner@Submissions.DirectoryBolt.TEST']);
});

test('recipients outside the domain are refused with 550 and nothing is stored or delivered', async () => {
  const before = await storedKeys();
  const refused = await transport()
    .sendMail({ from: 'a@directory.example', to: 'owner@elsewhere.test', subject: 'x', text: 'x' })
    .then(
      () => undefined,
      (error: unknown) => error as { responseCode?: number; rejected?: string[] },
    );
  expect(refused?.responseCode).toBe(550);
  expect(refused?.rejected).toEqual(['owner@elsewhere.test']);
  // A subdomain is another domain too, as for SES.
  const sub = await transport()
    .sendMail({ from: 'a@directory.example', to: `x@mail.${DOMAIN}`, subject: 'x', text: 'x' })
    .catch((error: unknown) => error as { responseCode?: number });
  expect((sub as { responseCode?: number }).responseCode).toBe(550);
  await smtp.drain();
  expect(events).toEqual([]);
  expect(await storedKeys()).toEqual(before);

  // Mixed recipients: the message goes to the accepted ones only.
  const info = await transport().sendMail({
    from: 'a@directory.example',
    to: [`one@${DOMAIN}`, 'two@elsewhere.test'],
    subject: 'mixed',
    text: 'x',
  });
  expect(info.accepted).toEqual([`one@${DOMAIN}`]);
  expect(info.rejected).toEqual(['two@elsewhere.test']);
  await smtp.drain();
  expect(events.map((e) => e.Records[0]!.ses.mail.destination)).toEqual([[`one@${DOMAIN}`]]);
});

test('at most maxRecipients recipients per message: the rest get 452', async () => {
  const info = await transport().sendMail({
    from: 'a@directory.example',
    to: ['r1', 'r2', 'r3', 'r4'].map((r) => `${r}@${DOMAIN}`),
    subject: 'many',
    text: 'x',
  });
  expect(info.accepted).toEqual(['r1', 'r2', 'r3'].map((r) => `${r}@${DOMAIN}`));
  expect(info.rejected).toEqual([`r4@${DOMAIN}`]);
  expect((info.rejectedErrors?.[0] as { responseCode?: number } | undefined)?.responseCode).toBe(452);
  await smtp.drain();
  expect(events[0]!.Records[0]!.ses.receipt.recipients).toHaveLength(3);
});

test('an oversized message is refused with 552, whether its size is declared or not', async () => {
  const before = await storedKeys();
  const big = 'x'.repeat(100 * 1024);
  // nodemailer's transport declares no SIZE: the server counts the bytes it receives.
  const undeclared = await transport()
    .sendMail({ from: 'a@directory.example', to: `big@${DOMAIN}`, subject: 'big', text: big })
    .catch((error: unknown) => error as { responseCode?: number; message: string });
  expect(undeclared).toMatchObject({ responseCode: 552 });

  // Declared in MAIL FROM (RFC 1870): refused before any data is sent. nodemailer would refuse it
  // itself after reading SIZE in the EHLO reply, so this client speaks SMTP line by line.
  const replies = await smtpDialog(smtp.port, [
    'EHLO client.test',
    `MAIL FROM:<a@directory.example> SIZE=${100 * 1024}`,
    'QUIT',
  ]);
  expect(replies[1]).toMatch(/^250[ -]SIZE 65536$/m);
  expect(replies[2]).toMatch(/^552 /);

  await smtp.drain();
  expect(events).toEqual([]);
  expect(await storedKeys()).toEqual(before);
});

test('a deliver that throws keeps the mail in S3, is reported, and the sender still gets 250', async () => {
  const failures: Array<{ error: unknown; event: SESEvent }> = [];
  const failing = await startSesInboundSmtp({
    domain: DOMAIN,
    s3: aws.s3,
    bucket: BUCKET,
    prefix: 'failing/',
    deliver: async () => {
      throw new Error('inbound-mail Lambda failed');
    },
    onError: (error, event) => failures.push({ error, event }),
  });
  try {
    const info = await nodemailer
      .createTransport(failing.url)
      .sendMail({ from: 'a@directory.example', to: `kept@${DOMAIN}`, subject: 'kept', text: 'still here' });
    expect(info.response).toMatch(/^250 Ok [0-9a-z]{40}$/);
    await failing.drain();
    expect(failures).toHaveLength(1);
    expect(String(failures[0]!.error)).toContain('inbound-mail Lambda failed');
    const messageId = failures[0]!.event.Records[0]!.ses.mail.messageId;
    expect(info.response).toBe(`250 Ok ${messageId}`);
    const parsed = await simpleParser(await stored(`failing/${messageId}`));
    expect(parsed.text?.trim()).toBe('still here');
  } finally {
    await failing.close();
  }
});

test('close() waits for a delivery in flight, then the port is closed', async () => {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let finished = false;
  const slow = await startSesInboundSmtp({
    domain: DOMAIN,
    s3: aws.s3,
    bucket: BUCKET,
    prefix: 'slow/',
    deliver: async () => {
      await gate;
      finished = true;
    },
  });
  await nodemailer
    .createTransport(slow.url)
    .sendMail({ from: 'a@directory.example', to: `slow@${DOMAIN}`, subject: 'slow', text: 'x' });
  let closed = false;
  const closing = slow.close().then(() => (closed = true));
  await new Promise((resolve) => setTimeout(resolve, 100));
  expect(closed).toBe(false);
  release();
  await closing;
  expect(finished).toBe(true);
  const refused = await new Promise<string>((resolve) => {
    const socket = connect(slow.port, slow.host);
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
  });
  expect(refused).toBe('ECONNREFUSED');
});

test('refuses to start without a valid receiving domain', async () => {
  await expect(
    startSesInboundSmtp({
      domain: 'not a domain',
      s3: aws.s3,
      bucket: BUCKET,
      prefix: '',
      deliver: async () => {},
    }),
  ).rejects.toThrow('domain must be a domain name');
});
