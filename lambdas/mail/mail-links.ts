/**
 * The links of a mail, with the text a reader sees for each: anchors from the HTML part, URLs from
 * the plain text part. Only absolute http(s) URLs, each once, bounded in number and length.
 *
 * HTML is read with htmlparser2 (a real tokenizer: attributes in any quoting, entities such as
 * "&amp;" in an href decoded, comments and scripts skipped), never with regular expressions. Plain
 * text has no markup, so there a careful regular expression finds the URLs.
 */
import { Parser } from 'htmlparser2';
import { MAIL_LIMITS } from './mail-limits';
import { singleLine } from './mail-text';

export interface MailLink {
  /** The absolute URL, normalised by the WHATWG URL parser (what a browser would request). */
  url: string;
  /** What the reader sees: the anchor's text (or its image's alt text), or the words before a URL in text. */
  text: string;
}

/** Elements whose content is never a link's visible text. */
const HIDDEN = new Set(['script', 'style', 'head', 'title']);

/**
 * A URL in plain text: a scheme, then anything but spaces, quotes and the brackets text puts around
 * a URL ("<https://...>", "[https://...]"). Trailing sentence punctuation is trimmed afterwards.
 */
const TEXT_URL = /\bhttps?:\/\/[^\s<>"'`{}|\\^[\]]+/gi;
const TRAILING_PUNCTUATION = /[.,;:!?*]+$/;

/** The normalised absolute http(s) URL, or null (relative, other scheme, too long, not a URL). */
function webUrl(candidate: string): string | null {
  const trimmed = candidate.trim();
  if (trimmed.length === 0 || trimmed.length > MAIL_LIMITS.maxUrlLength) return null;
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  return url.href.length <= MAIL_LIMITS.maxUrlLength ? url.href : null;
}

/** Collects links in order of appearance; the first text seen for a URL wins unless it was empty. */
class LinkList {
  private readonly byUrl = new Map<string, MailLink>();

  get full(): boolean {
    return this.byUrl.size >= MAIL_LIMITS.maxLinks;
  }

  add(href: string, text: string): void {
    const url = webUrl(href);
    if (url === null) return;
    const label = singleLine(text, MAIL_LIMITS.maxLinkTextChars);
    const known = this.byUrl.get(url);
    if (known) {
      if (known.text === '') known.text = label;
    } else if (!this.full) {
      this.byUrl.set(url, { url, text: label });
    }
  }

  toArray(): MailLink[] {
    return [...this.byUrl.values()];
  }
}

function addHtmlLinks(html: string, links: LinkList): void {
  let anchor: { href: string; text: string } | null = null;
  let hidden = 0;
  const close = () => {
    if (anchor) links.add(anchor.href, anchor.text);
    anchor = null;
  };
  const parser = new Parser(
    {
      onopentag(name, attributes) {
        if (HIDDEN.has(name)) hidden += 1;
        if (name === 'a') {
          close(); // anchors do not nest: a new one ends the open one, as in a browser
          if (attributes.href !== undefined) anchor = { href: attributes.href, text: '' };
        } else if (name === 'img' && anchor && attributes.alt) {
          anchor.text += ` ${attributes.alt} `; // an image button's words are its alt text
        }
      },
      ontext(chunk) {
        if (anchor && hidden === 0 && anchor.text.length < MAIL_LIMITS.maxLinkTextChars * 4) {
          anchor.text += chunk;
        }
      },
      onclosetag(name) {
        if (HIDDEN.has(name) && hidden > 0) hidden -= 1;
        if (name === 'a') close();
      },
    },
    { decodeEntities: true },
  );
  parser.end(html);
  close();
}

/** A URL found in text, without the sentence punctuation or unbalanced ")" that follows it. */
function trimUrl(match: string): string {
  let url = match.replace(TRAILING_PUNCTUATION, '');
  while (url.endsWith(')') && url.split('(').length < url.split(')').length) {
    url = url.slice(0, -1).replace(TRAILING_PUNCTUATION, '');
  }
  return url;
}

/**
 * Words before a URL without the punctuation that joins them to it ("(see: " or "). Next"). Only
 * the last few hundred characters: a label is short, and trimming a megabyte-long run of spaces
 * with a regular expression takes quadratic time.
 */
function label(words: string): string {
  return words
    .slice(-MAIL_LIMITS.maxLinkTextChars * 2)
    .replace(/^[\s.,;:!?)\]>*-]+/, '')
    .replace(/[\s:([<*-]+$/, '');
}

/**
 * URLs in plain text, each labelled with the words before it on its line ("Confirm here: https://..")
 * or, when the URL starts its line, with the line above ("Please confirm:\nhttps://...").
 */
function addTextLinks(text: string, links: LinkList): void {
  let lineAbove = '';
  for (const line of text.split(/\r?\n/)) {
    if (links.full) return;
    let position = 0;
    for (const match of line.matchAll(TEXT_URL)) {
      // Far too long to be kept anyway; not trimmed, for the same reason as in label().
      const url = match[0].length > MAIL_LIMITS.maxUrlLength * 2 ? match[0] : trimUrl(match[0]);
      const before = label(line.slice(position, match.index));
      links.add(url, before || (position === 0 ? label(lineAbove) : ''));
      position = match.index + url.length;
    }
    // A line of only URLs is no label for the next; a blank line keeps the paragraph's words.
    if (line.trim()) lineAbove = label(line.replace(TEXT_URL, ' '));
  }
}

/** The links of a mail: the HTML part's anchors first (they carry the best text), then the text's URLs. */
export function collectLinks(html: string | undefined, text: string | undefined): MailLink[] {
  const links = new LinkList();
  if (html) addHtmlLinks(html, links);
  if (text) addTextLinks(text, links);
  return links.toArray();
}
