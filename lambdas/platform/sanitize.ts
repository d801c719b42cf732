/**
 * Plain text from whatever a customer typed or pasted (a description copied from a web page, an
 * email signature with markup, a hostile `<script>`). Used by the submitter before a value is typed
 * into a directory's form and available to the API for storage, so both store and send the same text.
 */
/*
 * htmlparser2 is the tokenizer sanitize-html is built on. Used directly because what we need is only
 * its text: sanitize-html's attribute and style filtering is unused here and carries postcss (about
 * 120 KiB and 50 ms of module load in every customer-route Lambda, bench/RESULTS.md "Cold start").
 */
import { Parser } from 'htmlparser2';

/** Elements whose content is not text to keep (sanitize-html's nonTextTags, which we used before). */
const NON_TEXT = new Set(['script', 'style', 'textarea', 'option', 'noscript']);

/** Block-level boundaries become line breaks, so "<p>a</p><p>b</p>" does not read "ab". */
const BLOCK_BREAK = /<\s*(br\s*\/?|\/\s*(p|div|li|h[1-6]|tr|blockquote|pre|section|article))\s*>/gi;

// Control characters other than tab and newline; C1 controls too (they render as garbage in forms).
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;

/** One pass: tags dropped, the text of NON_TEXT elements dropped, entities decoded. */
function once(text: string): string {
  let out = '';
  let skipping = 0;
  const parser = new Parser(
    {
      onopentagname(name) {
        if (NON_TEXT.has(name)) skipping += 1;
      },
      onclosetag(name) {
        if (NON_TEXT.has(name) && skipping > 0) skipping -= 1;
      },
      ontext(chunk) {
        if (skipping === 0) out += chunk;
      },
    },
    { decodeEntities: true },
  );
  parser.end(text.replace(BLOCK_BREAK, '\n'));
  return out;
}

/**
 * Markup-free text: no tags, no script or style content, entities decoded ("caf&eacute;" is
 * "café"), control characters removed, spaces and blank lines collapsed, trimmed.
 *
 * Decoding can turn escaped markup ("&lt;script&gt;") into real markup, so the text is sanitized
 * again until nothing changes: what comes out never contains a tag, however many times it was
 * escaped. A lone "<" or "&" that is not markup ("A & B", "< 5 km") survives as text.
 */
export function sanitizeText(input: string): string {
  let text = input.replace(/\r\n?/g, '\n');
  for (let round = 0; round < 5; round += 1) {
    const next = once(text);
    if (next === text) break;
    text = next;
  }
  // Still changing after five rounds: deliberately nested escaping. Drop every angle bracket.
  if (once(text) !== text) text = text.replace(/[<>]/g, '');
  return text
    .replace(CONTROL_CHARS, '')
    .replace(/\u00a0/g, ' ')
    .replace(/[ \t]+/g, ' ')
    .replace(/ *\n */g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
