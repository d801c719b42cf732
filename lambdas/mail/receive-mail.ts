/**
 * One received mail, as SES delivers it (an S3 action stores the raw message, a Lambda action then
 * invokes the inbound-mail Lambda with its id): read it from the mail bucket, parse it, find the
 * business from the recipient and the directory from the sender and links, record it, and wake the
 * task that waits for its verification link.
 *
 * Every mail is recorded once (record_inbound_mail keys on SES's message id), matched or not, with the
 * reason when not: nothing is dropped silently, and the raw message stays in the bucket. The link is
 * written to the account only; logs and queue_history name its host.
 */
import type { SESEvent, SESReceipt } from 'aws-lambda';
import type { LogPort } from '../platform/ports';
import type { Rpc } from '../platform/rpc';
import { METRIC_NAMES } from '../platform/system-config';
import type { TaskMessage } from '../tasks/task-message';
import { MAIL_LIMITS } from './mail-limits';
import {
  parseInboundMessage,
  VERDICT_STATUSES,
  type MailVerdicts,
  type ParsedInbound,
} from './inbound-message';
import { matchInboundMail, submissionLocalParts, type VerificationWait } from './match-mail';

type SesRecord = SESEvent['Records'][number];

export interface ReceiveMailDeps {
  rpc: Rpc;
  /** The raw message by its object key, or null when it is larger than `maxBytes` (not read whole). */
  readRaw(key: string, maxBytes: number): Promise<Uint8Array | null>;
  /** Sends a woken task's message to its priority queue. */
  sendTask(message: TaskMessage): Promise<void>;
  mailDomain: string;
  /** Where the receipt rule's S3 action puts messages: `<prefix><message id>`. */
  objectPrefix: string;
  /** Loopback test sites (SUBMITTER_ALLOWED_HOSTS, local runtime only): their links qualify. */
  localOrigins?: ReadonlySet<string>;
  count(metric: string): void;
  log: LogPort;
}

export interface ReceivedMail {
  messageId: string;
  outcome: 'matched' | 'unmatched' | 'rejected' | 'duplicate';
  reason?: string;
  woken?: boolean;
}

interface Waits {
  customer_id: string;
  waits: {
    task_id: string | null;
    directory_id: string;
    directory_hosts: string[];
    directory_urls: string[];
    signed_up_at: string;
  }[];
}

interface Recorded {
  recorded: boolean;
  duplicate: boolean;
  outcome?: 'matched' | 'unmatched' | 'rejected';
  reason?: string;
  woken?: boolean;
  task?: { task_id: string; job_id: string; priority: TaskMessage['priority'] } | null;
}

export async function receiveMail(deps: ReceiveMailDeps, record: SesRecord): Promise<ReceivedMail> {
  const { mail, receipt } = record.ses;
  const messageId = mail.messageId;
  if (!/^[A-Za-z0-9._-]{1,200}$/.test(messageId ?? '')) {
    // Not SES's: nothing to read, nothing safe to record under that key.
    throw new Error('The SES record has no valid message id');
  }
  const key = `${deps.objectPrefix}${messageId}`;
  const recipients = receipt.recipients.slice(0, MAIL_LIMITS.maxRecipients);
  const raw = await deps.readRaw(key, MAIL_LIMITS.maxRawBytes);
  const parsed: ParsedInbound = raw
    ? await parseInboundMessage(raw, { envelopeRecipients: recipients, verdicts: verdictsOf(receipt) })
    : {
        rejected: 'too_large',
        sizeBytes: MAIL_LIMITS.maxRawBytes + 1,
        recipients,
        verdicts: verdictsOf(receipt),
      };

  const localParts = submissionLocalParts(recipients, deps.mailDomain);
  const base = {
    message_id: messageId,
    s3_key: key,
    recipient: recipients[0] ?? null,
    sender_domain: parsed.rejected === null ? parsed.from.domain : senderDomain(mail.source),
    subject: parsed.rejected === null ? parsed.subject : null,
  };

  let mailRow: Record<string, unknown>;
  if (parsed.rejected !== null) {
    mailRow = { ...base, outcome: 'rejected', reason: parsed.rejected };
  } else if (localParts.length === 0) {
    mailRow = { ...base, outcome: 'unmatched', reason: 'unknown_recipient' };
  } else {
    // A mail for several of our addresses is for the first business that expects it.
    mailRow = { ...base, outcome: 'unmatched', reason: 'unknown_recipient' };
    for (const localPart of localParts) {
      const found = await deps.rpc<Waits | null>('verification_waits', { p_local_part: localPart });
      const waits: VerificationWait[] | null = found
        ? found.waits.map((w) => ({
            taskId: w.task_id ?? '',
            directoryId: w.directory_id,
            directoryHosts: w.directory_hosts,
            directoryUrls: w.directory_urls,
            signedUpAt: w.signed_up_at,
          }))
        : null;
      const match = matchInboundMail(parsed, waits, { localOrigins: deps.localOrigins });
      if ('matched' in match) {
        mailRow = {
          ...base,
          outcome: 'matched',
          customer_id: found!.customer_id,
          directory_id: match.matched.directoryId,
          verification_link: match.matched.link,
        };
        break;
      }
      mailRow = {
        ...base,
        outcome: 'unmatched',
        reason: match.unmatched,
        customer_id: found?.customer_id ?? null,
      };
    }
  }

  const recorded = await deps.rpc<Recorded>('record_inbound_mail', { p_mail: mailRow });
  if (recorded.duplicate) {
    deps.log.info('Inbound mail already recorded (a repeated delivery)', { message_id: messageId });
    return { messageId, outcome: 'duplicate' };
  }
  const outcome = recorded.outcome ?? (mailRow.outcome as ReceivedMail['outcome']);
  deps.count(METRIC_NAMES.inboundMail);
  if (outcome !== 'matched') {
    deps.count(METRIC_NAMES.unmatchedMail);
    deps.log.warn('Inbound mail matched no waiting sign-up', {
      message_id: messageId,
      outcome,
      reason: recorded.reason ?? mailRow.reason,
      sender_domain: base.sender_domain,
    });
    return { messageId, outcome, reason: String(recorded.reason ?? mailRow.reason) };
  }
  deps.count(METRIC_NAMES.verificationLinkRecorded);
  const linkHost = new URL(String(mailRow.verification_link)).host;
  deps.log.info('Verification link recorded', {
    message_id: messageId,
    directory_id: mailRow.directory_id,
    link_host: linkHost,
    woken: recorded.woken ?? false,
  });
  if (recorded.woken && recorded.task) {
    // A failed send leaves the task queued without a message; the sweeper enqueues such tasks.
    await deps
      .sendTask({
        task_id: recorded.task.task_id,
        job_id: recorded.task.job_id,
        priority: recorded.task.priority,
      })
      .catch((error: unknown) => {
        deps.log.warn("Could not send the woken task's message; the sweeper will", {
          task_id: recorded.task?.task_id,
          error: error instanceof Error ? error.message : String(error),
        });
      });
  }
  return { messageId, outcome: 'matched', woken: recorded.woken ?? false };
}

const VERDICTS: ReadonlySet<string> = new Set(VERDICT_STATUSES);

/** SES's spam and virus verdicts; DISABLED (scanning off) and anything unknown say nothing. */
function verdictsOf(receipt: SESReceipt): MailVerdicts {
  const known = (status: string | undefined) =>
    status && VERDICTS.has(status) ? (status as MailVerdicts['spam']) : undefined;
  const verdicts: MailVerdicts = {};
  const spam = known(receipt.spamVerdict?.status);
  const virus = known(receipt.virusVerdict?.status);
  if (spam) verdicts.spam = spam;
  if (virus) verdicts.virus = virus;
  return verdicts;
}

function senderDomain(source: string | undefined): string | null {
  const at = source?.lastIndexOf('@') ?? -1;
  return at > 0
    ? source!
        .slice(at + 1)
        .toLowerCase()
        .slice(0, 255)
    : null;
}
