/**
 * Verification of an uncertain submission: an earlier attempt clicked submit and then died, so the
 * listing may or may not exist. Resubmitting blindly could list the business twice; instead the
 * directory's verification rule looks the business up:
 *
 *   directories.verification = {"lookup_url": "https://dir.example/listings?email={email}"}
 *   GET <lookup_url>  ->  {"listings": [{"id": "...", "url": "...", "business_name": "..."}]}
 *
 * Placeholders are the business facts' names ({email}, {business_name}, {website}, {phone} ...),
 * URL-encoded. Only a 2xx JSON answer with a listings array decides; anything else is an error (looked
 * up again later, and after TASKS.maxVerificationAttempts failures the task goes to a human).
 */
import * as z from '../platform/zod';

export const verificationRuleSchema = z.object({
  lookup_url: z.string().check(z.minLength(1), z.maxLength(2048)),
});
export type VerificationRule = z.infer<typeof verificationRuleSchema>;

const lookupAnswerSchema = z.object({
  listings: z.array(
    z.object({
      id: z.optional(z.union([z.string(), z.number()])),
      url: z.nullable(z.optional(z.string().check(z.maxLength(2048)))),
      business_name: z.nullable(z.optional(z.string())),
    }),
  ),
});

/** A plain GET under the SSRF rules (the guard resolves, checks and pins every hop). */
export type LookupPort = (url: string) => Promise<{ status: number; url: string; body: string }>;

export interface VerificationResult {
  found: boolean;
  lookupUrl: string;
  /** The listing's page, when the directory names one (absolute http(s)). */
  listingUrl?: string;
  listingsSeen: number;
}

/** The rule's lookup URL with the business's facts filled in. Unknown or empty placeholders are errors. */
export function lookupUrlFor(rule: VerificationRule, facts: Record<string, unknown>): string {
  const url = rule.lookup_url.replace(/\{([a-z_]+)\}/g, (_match, name: string) => {
    const value = facts[name];
    // Only text and numbers go into a URL: keywords, opening hours or a logo are not lookup keys.
    const text = typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : '';
    if (text === '') {
      throw new Error(
        `The verification rule needs {${name}}, which the business profile does not have as text`,
      );
    }
    return encodeURIComponent(text);
  });
  const parsed = new URL(url);
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new Error(`The verification lookup must be http(s), not ${parsed.protocol}`);
  }
  return parsed.href;
}

const normalize = (name: string): string =>
  name
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();

/**
 * Whether the answer lists this business. The lookup already filtered by the rule's key (e.g. the
 * email); a listing that names a business must also carry this business's name.
 */
export function findListing(
  answer: unknown,
  businessName: string,
  lookupUrl: string,
): Omit<VerificationResult, 'lookupUrl'> {
  const parsed = lookupAnswerSchema.safeParse(answer);
  if (!parsed.success) {
    throw new Error('The verification lookup did not answer {"listings": [...]}');
  }
  const listings = parsed.data.listings;
  const match = listings.find(
    (listing) => !listing.business_name || normalize(listing.business_name) === normalize(businessName),
  );
  if (!match) return { found: false, listingsSeen: listings.length };
  return { found: true, listingUrl: absoluteHttpUrl(match.url, lookupUrl), listingsSeen: listings.length };
}

function absoluteHttpUrl(url: string | null | undefined, base: string): string | undefined {
  if (!url) return undefined;
  try {
    const resolved = new URL(url, base);
    return resolved.protocol === 'http:' || resolved.protocol === 'https:' ? resolved.href : undefined;
  } catch {
    return undefined;
  }
}

/** Looks the business up with the directory's rule. Throws when the answer cannot decide. */
export async function verifySubmission(
  lookup: LookupPort,
  rawRule: unknown,
  facts: Record<string, unknown>,
): Promise<VerificationResult> {
  const rule = verificationRuleSchema.parse(rawRule);
  const lookupUrl = lookupUrlFor(rule, facts);
  const answer = await lookup(lookupUrl);
  if (answer.status < 200 || answer.status >= 300) {
    throw new Error(`The verification lookup answered HTTP ${answer.status}`);
  }
  let body: unknown;
  try {
    body = JSON.parse(answer.body);
  } catch {
    throw new Error('The verification lookup did not answer JSON');
  }
  const name = typeof facts.business_name === 'string' ? facts.business_name : '';
  return { lookupUrl, ...findListing(body, name, answer.url) };
}
