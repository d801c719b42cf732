/**
 * Which waiting task an inbound mail verifies. Pure: the caller reads the mail
 * (parseInboundMessage), finds the customer from the recipient (submissionLocalParts) and loads
 * that customer's open verification waits; this decides, and says why when nothing fits.
 *
 * The sender decides the directory first, then the links: confirmation mails come from the
 * directory's own domain, or from a mail provider with the directory's links in them. A forged
 * From gains nothing: the link must still be on the chosen directory's site.
 */
import type { ParsedInbound } from './inbound-message';
import { parseSubmissionRecipient } from './submission-address';
import { findVerificationLink, hostBelongsToDirectory, type LinkRules } from './verification-link';

/** An open verification wait of the recipient's customer (one row of the lead's query). */
export interface VerificationWait {
  taskId: string;
  directoryId: string;
  directoryHosts: readonly string[];
  /** When the submitter signed up (ISO 8601): the newest sign-up is the one a mail answers. */
  signedUpAt: string;
  /**
   * The directory's own pages (listing form, sign-up, log-in). When several directories share a host,
   * the one whose pages share the longest path with the link is the one that sent it.
   */
  directoryUrls?: readonly string[];
}

export type UnmatchedReason =
  | 'unknown_recipient'
  | 'no_waiting_task'
  | 'no_matching_directory'
  | 'no_verification_link'
  | `rejected_${Exclude<ParsedInbound['rejected'], null>}`;

export type MailMatch =
  | { matched: { taskId: string; directoryId: string; link: string; linkReason: string } }
  | { unmatched: UnmatchedReason };

/** The submission local parts among a mail's recipients (each once): the customers it is for. */
export function submissionLocalParts(recipients: readonly string[], domain: string): string[] {
  const parts = recipients.map((recipient) => parseSubmissionRecipient(recipient, domain));
  return [...new Set(parts.filter((part) => part !== null))];
}

function newestFirst(a: VerificationWait, b: VerificationWait): number {
  // An unreadable date sorts last rather than winning.
  const time = (wait: VerificationWait) => Date.parse(wait.signedUpAt) || Number.NEGATIVE_INFINITY;
  return time(b) - time(a) || 0;
}

/**
 * `waits` is null when no customer has the recipient's address, [] when the customer has no open
 * verification wait. `localOrigins`: see LinkRules (local runtime only).
 */
export function matchInboundMail(
  parsed: ParsedInbound,
  waits: readonly VerificationWait[] | null,
  options: Pick<LinkRules, 'localOrigins'> = {},
): MailMatch {
  if (parsed.rejected !== null) return { unmatched: `rejected_${parsed.rejected}` };
  if (waits === null) return { unmatched: 'unknown_recipient' };
  if (waits.length === 0) return { unmatched: 'no_waiting_task' };

  const linkFor = (wait: VerificationWait) =>
    findVerificationLink(parsed.links, { directoryHosts: wait.directoryHosts, ...options });

  let candidates = waits.filter((wait) => hostBelongsToDirectory(parsed.from.domain, wait.directoryHosts));
  if (candidates.length === 0) {
    // Sent by someone else (a mail provider): the directory is the only one its links lead to.
    candidates = waits.filter((wait) => linkFor(wait).url !== null);
    if (new Set(candidates.map((wait) => wait.directoryId)).size > 1)
      candidates = closestByPath(candidates, linkFor);
    if (new Set(candidates.map((wait) => wait.directoryId)).size !== 1) {
      return { unmatched: 'no_matching_directory' };
    }
  }
  for (const wait of [...candidates].sort(newestFirst)) {
    const link = linkFor(wait);
    if (link.url !== null) {
      return {
        matched: {
          taskId: wait.taskId,
          directoryId: wait.directoryId,
          link: link.url,
          linkReason: link.reason,
        },
      };
    }
  }
  return { unmatched: 'no_verification_link' };
}

/**
 * Directories on one host (a platform hosting several, or a test site): keep those whose pages share
 * the longest leading path segments with the link. A tie keeps them all (and nothing is matched).
 */
function closestByPath(
  waits: VerificationWait[],
  linkFor: (wait: VerificationWait) => { url: string | null },
): VerificationWait[] {
  const segments = (url: string) => {
    try {
      return new URL(url).pathname.split('/').filter(Boolean);
    } catch {
      return [];
    }
  };
  const shared = (a: string[], b: string[]) => {
    let n = 0;
    while (n < a.length && n < b.length && a[n] === b[n]) n += 1;
    return n;
  };
  const scored = waits.map((wait) => {
    const link = segments(linkFor(wait).url ?? '');
    const best = Math.max(0, ...(wait.directoryUrls ?? []).map((url) => shared(link, segments(url))));
    return { wait, best };
  });
  const top = Math.max(...scored.map((s) => s.best));
  return top === 0 ? waits : scored.filter((s) => s.best === top).map((s) => s.wait);
}
