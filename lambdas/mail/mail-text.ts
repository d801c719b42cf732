/**
 * Text from a stranger's mail made safe to store and show: no control characters (they corrupt logs
 * and terminals), no bidirectional overrides (they make "moc.live" read as "evil.com"), bounded.
 */

// C0 and C1 controls and DEL. Tab and line breaks are handled by the callers (space or kept).
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;
/** Bidi marks, embeddings, overrides and isolates; zero-width characters and the BOM. */
const INVISIBLE = /[\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g;

/** At most `max` characters, never cutting a character made of two UTF-16 units in half. */
function firstChars(text: string, max: number): string {
  if (text.length <= max) return text;
  return Array.from(text.slice(0, max + 1))
    .slice(0, max)
    .join('');
}

/** One line of text (a subject, a link's label): whitespace collapsed, cleaned, at most `max` characters. */
export function singleLine(text: string, max: number): string {
  const line = text.replace(CONTROL, '').replace(INVISIBLE, '').replace(/\s+/g, ' ').trim();
  return firstChars(line, max).trim();
}

/** At most `maxBytes` of UTF-8, cut at a character boundary. */
function firstBytes(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  let bytes = 0;
  let end = 0;
  for (const char of text) {
    const size = Buffer.byteLength(char);
    if (bytes + size > maxBytes) break;
    bytes += size;
    end += char.length;
  }
  return text.slice(0, end);
}

/**
 * The start of a mail's plain text, kept with its record: lines kept, spaces and blank lines
 * collapsed, cleaned, at most `maxBytes` of UTF-8.
 */
export function textExcerpt(text: string, maxBytes: number): { text: string; truncated: boolean } {
  const cleaned = text
    .slice(0, maxBytes * 4)
    .replace(/\r\n?/g, '\n')
    .replace(CONTROL, '')
    .replace(INVISIBLE, '')
    .replace(/[ \t\u00a0]+/g, ' ')
    .replace(/ *\n */g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  const kept = firstBytes(cleaned, maxBytes);
  return { text: kept, truncated: kept.length < cleaned.length || text.length > maxBytes * 4 };
}
