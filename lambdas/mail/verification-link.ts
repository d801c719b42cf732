/**
 * The one link of a mail to follow to verify a directory account: on the directory's own site, and
 * saying "verify" / "bestätigen" / ... rather than "unsubscribe".
 *
 * The host rule is strict because the link is opened in our browser with the customer's account:
 * a forged "Confirm" link to another site must never be followed. A link qualifies only on the
 * directory's registrable domain (its "site", from the Public Suffix List, private suffixes
 * included so that one github.io site is not another): "mail.example.com" belongs to
 * "www.example.com"; "evil-example.com" and "example.com.evil.net" do not. No IP addresses, no
 * userinfo ("https://example.com@evil.net/" is evil.net), no other ports or schemes. Click-tracking
 * hosts of mail providers are refused too: the directory's host is the only proof we have.
 */
import { isIP } from 'node:net';
import { domainToASCII } from 'node:url';
import { getDomain } from 'tldts';
import { originKey } from '../browser/ssrf-guard';
import type { MailLink } from './mail-links';
import {
  LOGIN_WORDS,
  TRACKING_PATTERNS,
  UNWANTED_WORDS,
  VERIFICATION_WORDS,
  type LinkLanguage,
  type WordList,
} from './verification-words';

export * from './verification-words';

export interface LinkRules {
  /** The directory's hosts (from its submission URL and known mail domains), e.g. "www.example.com". */
  directoryHosts: readonly string[];
  /**
   * Local runtime only: loopback "host:port" origins of test sites (SUBMITTER_ALLOWED_HOSTS, as
   * parsed by parseAllowedHosts), whose links qualify although they are IP addresses with ports.
   */
  localOrigins?: ReadonlySet<string>;
}

export type VerificationLink =
  { url: string; reason: string } | { url: null; reason: 'no_link' | 'no_link_on_directory_host' };

/** Text compared without case or accents: "Bestätigen" and "bestatigen" are the same word. */
function fold(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
}

interface CompiledWord {
  language: LinkLanguage;
  word: string;
  folded: string;
  /** The folded word at the start of a word, any run of spaces where it has one. */
  pattern: RegExp;
}

function compile(list: WordList): CompiledWord[] {
  return Object.entries(list).flatMap(([language, words]) =>
    words.map((word) => {
      const folded = fold(word);
      const escaped = folded.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/ /g, '\\s+');
      return {
        language: language as LinkLanguage,
        word,
        folded,
        pattern: new RegExp(`(?<![\\p{L}\\p{N}])${escaped}`, 'u'),
      };
    }),
  );
}
const VERIFICATION = compile(VERIFICATION_WORDS);
const UNWANTED = compile(UNWANTED_WORDS);
const LOGIN = compile(LOGIN_WORDS);

/** A host in comparable form: lower case, ASCII (punycode), no trailing dot; '' when not a host. */
function comparableHost(host: string): string {
  return domainToASCII(host.trim().replace(/\.$/, ''));
}

/** The registrable domain ("example.co.uk"), or the host itself when it has none ("localhost"). */
function siteOf(host: string): string {
  return getDomain(host, { allowPrivateDomains: true, extractHostname: false }) ?? host;
}

/** Whether `host` (comparable form) is on the site of one of the directory's hosts. */
export function hostBelongsToDirectory(host: string, directoryHosts: readonly string[]): boolean {
  if (!host || isIP(host.replace(/^\[|\]$/g, ''))) return false;
  const site = siteOf(host);
  return directoryHosts.some((directoryHost) => {
    const own = comparableHost(directoryHost);
    return own !== '' && !isIP(own) && siteOf(own) === site;
  });
}

/** Whether the URL may be followed for this directory at all, whatever its words. */
export function onDirectoryHost(url: URL, rules: LinkRules): boolean {
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return false;
  if (url.username || url.password) return false;
  const host = comparableHost(url.hostname);
  const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  if (rules.localOrigins?.has(originKey(url.hostname, port))) {
    return rules.directoryHosts.some((own) => comparableHost(own) === host);
  }
  return url.port === '' && hostBelongsToDirectory(host, rules.directoryHosts);
}

function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

interface Score {
  points: number;
  reason: string;
}

/**
 * How much a link looks like the verification link. Its words weigh most (what the reader is asked
 * to click), its URL's path and query less (a query can carry anything). An unwanted word in the
 * text outweighs verification words in both places, so "Confirm you want to unsubscribe" is not
 * followed; in the URL it outweighs them in one place. An image or a tracking pixel is never a page.
 */
export function scoreLink(link: MailLink, url: URL): Score {
  const text = fold(link.text);
  const address = fold(decoded(url.pathname + url.search));
  const inText = VERIFICATION.find(({ pattern }) => pattern.test(text));
  // In a URL words run together ("/emailconfirm"): verification words count anywhere in it.
  const inUrl = VERIFICATION.find(({ folded }) => address.includes(folded));
  const unwantedInText = UNWANTED.find(({ pattern }) => pattern.test(text));
  const unwantedInUrl = UNWANTED.find(({ pattern }) => pattern.test(address));
  let points = (inText ? 4 : 0) + (inUrl ? 2 : 0) - (unwantedInText ? 6 : 0) - (unwantedInUrl ? 3 : 0);
  if (!inText && !inUrl && LOGIN.some(({ pattern }) => pattern.test(text) || pattern.test(address)))
    points -= 3;
  if (TRACKING_PATTERNS.some((pattern) => pattern.test(url.pathname))) points -= 10;
  const found = inText
    ? `link text says "${inText.word}" (${inText.language})`
    : inUrl
      ? `link URL says "${inUrl.word}" (${inUrl.language})`
      : 'no verification words';
  const unwanted = unwantedInText ?? unwantedInUrl;
  return { points, reason: unwanted ? `${found}, but also "${unwanted.word}"` : found };
}

/**
 * The verification link for a directory: the best-scoring link on its host, or why there is none
 * ("no_link_on_directory_host": a link looked like one but was elsewhere, e.g. forged).
 */
export function findVerificationLink(links: readonly MailLink[], rules: LinkRules): VerificationLink {
  let best: { url: string; score: Score } | null = null;
  let elsewhere = false;
  for (const link of links) {
    let url: URL;
    try {
      url = new URL(link.url);
    } catch {
      continue;
    }
    const score = scoreLink(link, url);
    if (score.points <= 0) continue;
    if (!onDirectoryHost(url, rules)) {
      elsewhere = true;
    } else if (!best || score.points > best.score.points) {
      best = { url: url.href, score };
    }
  }
  if (best) return { url: best.url, reason: best.score.reason };
  return { url: null, reason: elsewhere ? 'no_link_on_directory_host' : 'no_link' };
}
