/** matchInboundMail on parsed real mail: which waiting task a confirmation answers, or why none. */
import { parseInboundMessage } from '../../../lambdas/mail/inbound-message';
import {
  matchInboundMail,
  submissionLocalParts,
  type VerificationWait,
} from '../../../lambdas/mail/match-mail';
import { MAIL_LIMITS } from '../../../lambdas/mail/mail-limits';
import {
  CONFIRMATION,
  LOCAL_PART,
  RECEIVING_DOMAIN,
  rawMail,
  readMail,
  SUBMISSION,
  VERIFY_URL,
} from './mail-fixtures';

const BRANCHEN_VERIFY = 'https://www.branchenbuch.example/registrierung/bestaetigen?token=Q2xpY2s';

/** Two directories the customer signed up to and is waiting on. */
const EXAMPLE_DIR: VerificationWait = {
  taskId: 'task-example',
  directoryId: 'dir-example',
  directoryHosts: ['www.example-dir.com'],
  signedUpAt: '2026-03-01T09:58:00Z',
};
const BRANCHENBUCH: VerificationWait = {
  taskId: 'task-branchenbuch',
  directoryId: 'dir-branchenbuch',
  directoryHosts: ['www.branchenbuch.example'],
  signedUpAt: '2026-03-01T09:59:00Z',
};
const WAITS = [EXAMPLE_DIR, BRANCHENBUCH];

test('the sender picks the directory among two waiting ones, and its link is the one to follow', async () => {
  const mail = await readMail(CONFIRMATION);
  expect(matchInboundMail(mail, WAITS)).toEqual({
    matched: {
      taskId: 'task-example',
      directoryId: 'dir-example',
      link: VERIFY_URL,
      linkReason: 'link text says "confirm" (en)',
    },
  });
});

test('sent through a mail provider: the only waiting directory its links lead to', async () => {
  const mail = await readMail({
    from: 'Branchenbuch <bounce-4711@sendgrid.example>',
    html: `<a href="${BRANCHEN_VERIFY}">E-Mail-Adresse bestätigen</a> <a href="https://sendgrid.example/u">Abmelden</a>`,
  });
  expect(matchInboundMail(mail, WAITS)).toMatchObject({
    matched: { taskId: 'task-branchenbuch', directoryId: 'dir-branchenbuch', link: BRANCHEN_VERIFY },
  });
});

test('two waits for the same directory: the most recent sign-up gets the mail', async () => {
  const mail = await readMail(CONFIRMATION);
  const retry = { ...EXAMPLE_DIR, taskId: 'task-example-retry', signedUpAt: '2026-03-02T08:00:00Z' };
  const unreadable = { ...EXAMPLE_DIR, taskId: 'task-example-bad-date', signedUpAt: 'yesterday' };
  expect(matchInboundMail(mail, [EXAMPLE_DIR, retry, unreadable, BRANCHENBUCH])).toMatchObject({
    matched: { taskId: 'task-example-retry' },
  });
});

test('links to two waiting directories from a neutral sender: ambiguous, no match', async () => {
  const mail = await readMail({
    from: 'Directory network <hello@network.example>',
    html: `<a href="${VERIFY_URL}">Confirm</a> <a href="${BRANCHEN_VERIFY}">Bestätigen</a>`,
  });
  expect(matchInboundMail(mail, WAITS)).toEqual({ unmatched: 'no_matching_directory' });
  expect(matchInboundMail(mail, [BRANCHENBUCH])).toMatchObject({ matched: { link: BRANCHEN_VERIFY } });
});

test('a forged From of a waiting directory with a link elsewhere: nothing to follow', async () => {
  const mail = await readMail({
    html: '<a href="https://www.example-dir.com@evil.test/verify">Confirm your email</a>',
    text: 'Confirm your email: https://example-dir.evil.test/verify',
  });
  expect(mail.from.domain).toBe('example-dir.com');
  expect(matchInboundMail(mail, WAITS)).toEqual({ unmatched: 'no_verification_link' });
});

test('a mail from no waiting directory and with no link to one', async () => {
  const mail = await readMail({ from: 'news@shop.example', text: 'Confirm: https://shop.example/confirm' });
  expect(matchInboundMail(mail, WAITS)).toEqual({ unmatched: 'no_matching_directory' });
});

test('an unknown recipient and a customer with no open wait are told apart', async () => {
  const mail = await readMail(CONFIRMATION);
  expect(matchInboundMail(mail, null)).toEqual({ unmatched: 'unknown_recipient' });
  expect(matchInboundMail(mail, [])).toEqual({ unmatched: 'no_waiting_task' });
});

test('a rejected mail matches nothing, whatever waits', async () => {
  const raw = await rawMail(CONFIRMATION);
  const spam = await parseInboundMessage(raw, { verdicts: { spam: 'FAIL' } });
  expect(matchInboundMail(spam, WAITS)).toEqual({ unmatched: 'rejected_spam' });
  const huge = await parseInboundMessage(Buffer.alloc(MAIL_LIMITS.maxRawBytes + 1, 'a'));
  expect(matchInboundMail(huge, WAITS)).toEqual({ unmatched: 'rejected_too_large' });
  expect(matchInboundMail(await parseInboundMessage(Buffer.from('garbage')), WAITS)).toEqual({
    unmatched: 'rejected_unparseable',
  });
});

test('the customer comes from the recipients: envelope with a +tag and capitals, other addresses ignored', async () => {
  const mail = await readMail(CONFIRMATION, {
    envelopeRecipients: [
      `${LOCAL_PART.toUpperCase()}+listing@MAIL.example.com`,
      'postmaster@mail.example.com',
    ],
  });
  expect(submissionLocalParts(mail.recipients, RECEIVING_DOMAIN)).toEqual([LOCAL_PART]);
  const cc = await readMail({ ...CONFIRMATION, cc: SUBMISSION.toUpperCase(), to: 'someone@example.org' });
  expect(submissionLocalParts(cc.recipients, RECEIVING_DOMAIN)).toEqual([LOCAL_PART]);
  expect(submissionLocalParts(['someone@example.org'], RECEIVING_DOMAIN)).toEqual([]);
});
