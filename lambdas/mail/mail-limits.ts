/**
 * The bounds of inbound verification mail: one definition, read by the parser, the link finder and
 * (for the bucket and the Lambda's memory) the stack. Everything a stranger can put in a mail is
 * bounded before it reaches a database row, a log line or a browser.
 */
export const MAIL_LIMITS = {
  /**
   * Larger mail is refused unparsed (`too_large`). A sign-up confirmation is a few KiB of text and
   * HTML; SES accepts up to 40 MB, and mailparser holds the raw bytes, the decoded parts and the
   * converted text at once, so an unbounded mail could exhaust the Lambda's memory for nothing.
   */
  maxRawBytes: 1024 * 1024,
  /**
   * Links considered per mail. Newsletters carry a few dozen; a mail with thousands of anchors is
   * built to make the scoring work hard, and the verification link is never link 201.
   */
  maxLinks: 200,
  /**
   * Longest URL kept (the API's limit too). Verification tokens fit easily; longer URLs are usually
   * tracking wrappers or an attempt to smuggle data into our records and the browser's address bar.
   */
  maxUrlLength: 2048,
  /** Visible text kept per link: enough for "Confirm your email address" in any language. */
  maxLinkTextChars: 200,
  /** UTF-8 bytes of plain text kept with the mail's record: enough to read what a directory said. */
  maxTextBytes: 4 * 1024,
  /** Subject characters kept: RFC 5322 lines are 998 at most, a readable subject far less. */
  maxSubjectChars: 256,
  /**
   * Recipients kept. A confirmation goes to one address; SES passes only the recipients its rule
   * matched. A header list of hundreds is a bulk mail and only needs to be recognised as such.
   */
  maxRecipients: 20,
  /** An address's length (RFC 5321: 64 for the local part, 255 for the domain, plus "@"). */
  maxAddressLength: 320,
  /** Message-ID characters kept: it identifies the mail in logs and records, nothing more. */
  maxMessageIdChars: 256,
} as const;
