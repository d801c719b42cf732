/**
 * The business facts the submitter types into a directory's form, and the stored field mapping a
 * directory may carry. Types and their runtime schemas only: no browser, no I/O.
 *
 * The profile holds what directory forms commonly ask for. The first eleven fields are required to
 * submit at all; the rest are optional, and a form that requires one the profile lacks ends as
 * needs_manual naming the field.
 */
import * as z from '../platform/zod';
import { sanitizeText } from '../platform/sanitize';
import { LOGO_CONTENT_TYPES, webUrl } from './plain-schemas';

export { FieldMappingSchema, LOGO_CONTENT_TYPES, webUrl, type FieldMapping } from './plain-schemas';

/** Every profile field, in the order a form usually asks for them. */
export const PROFILE_FIELDS = [
  'business_name',
  'contact_first_name',
  'contact_last_name',
  'email',
  'phone',
  'website',
  'address_line',
  'address_line2',
  'city',
  'region',
  'postal_code',
  'country',
  'category',
  'short_description',
  'description',
  'keywords',
  'opening_hours',
  'year_established',
  'social_profiles',
  'logo',
] as const;
export type ProfileField = (typeof PROFILE_FIELDS)[number];

/** The fields a profile must have before anything is submitted. */
export const REQUIRED_PROFILE_FIELDS = [
  'business_name',
  'email',
  'phone',
  'website',
  'address_line',
  'city',
  'region',
  'postal_code',
  'country',
  'category',
  'description',
] as const satisfies readonly ProfileField[];

/** A one-line text field: trimmed, then 1 to `max` characters. */
const trimmed = (max: number) => z.string().check(z.trim(), z.minLength(1), z.maxLength(max));

// Plain text only: no markup or script reaches a directory (or our own storage, see sanitize.ts).
const plainText = (field: string, max: number) =>
  z.pipe(
    z.pipe(
      z.string().check(z.maxLength(max * 2, `${field} is longer than ${max} characters`)),
      z.transform(sanitizeText),
    ),
    z
      .string()
      .check(
        z.minLength(1, `${field} has no text`),
        z.maxLength(max, `${field} is longer than ${max} characters`),
      ),
  );

export const SOCIAL_NETWORKS = [
  'facebook',
  'instagram',
  'linkedin',
  'x',
  'youtube',
  'tiktok',
  'pinterest',
] as const;
export type SocialNetwork = (typeof SOCIAL_NETWORKS)[number];

/** The hosts a profile URL of each network may be on (a "Facebook" link to elsewhere is refused). */
export const SOCIAL_HOSTS: Record<SocialNetwork, readonly string[]> = {
  facebook: ['facebook.com', 'fb.com'],
  instagram: ['instagram.com'],
  linkedin: ['linkedin.com'],
  x: ['x.com', 'twitter.com'],
  youtube: ['youtube.com', 'youtu.be'],
  tiktok: ['tiktok.com'],
  pinterest: ['pinterest.com'],
};

const onHost = (url: string, hosts: readonly string[]): boolean => {
  const host = new URL(url).hostname.toLowerCase();
  return hosts.some((h) => host === h || host.endsWith(`.${h}`));
};

export const SocialProfilesSchema = z.strictObject(
  Object.fromEntries(
    SOCIAL_NETWORKS.map((network) => [
      network,
      z.optional(
        webUrl(network).check(
          z.refine((url) => onHost(url, SOCIAL_HOSTS[network]), {
            error: `${network} must be a URL on ${SOCIAL_HOSTS[network].join(' or ')}`,
          }),
        ),
      ),
    ]),
  ) as Record<SocialNetwork, z.ZodMiniOptional<ReturnType<typeof webUrl>>>,
);
export type SocialProfiles = z.infer<typeof SocialProfilesSchema>;

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];
const clock = z
  .string()
  .check(z.regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'a time is HH:MM (00:00 to 24:00)'));

/**
 * Opening hours as schema.org's OpeningHoursSpecification has them: each entry is a span on some
 * days; a day with no entry is closed; two entries on one day are a lunch break.
 */
export const OpeningHoursSchema = z
  .array(
    z
      .strictObject({
        days: z.array(z.enum(WEEKDAYS)).check(
          z.minLength(1),
          z.refine((days) => new Set(days).size === days.length, 'a day is named twice'),
        ),
        opens: clock,
        closes: clock,
      })
      .check(z.refine((span) => span.opens < span.closes, 'opens must be before closes')),
  )
  .check(z.minLength(1), z.maxLength(14));
export type OpeningHours = z.infer<typeof OpeningHoursSchema>;

/** The stored logo a file input is filled from (the image itself is in the assets bucket). */
export const LogoRefSchema = z.strictObject({
  key: z.string().check(z.minLength(1), z.maxLength(300)),
  content_type: z.enum(LOGO_CONTENT_TYPES),
  bytes: z.number().check(z.int(), z.minimum(1)),
});
export type LogoRef = z.infer<typeof LogoRefSchema>;

/** Each profile field's schema, shared by the API (what is stored) and the submitter (what is typed). */
export const PROFILE_FIELD_SCHEMAS = {
  business_name: trimmed(300),
  contact_first_name: trimmed(100),
  contact_last_name: trimmed(100),
  email: z.email().check(z.maxLength(320)),
  phone: trimmed(50),
  website: webUrl('website'),
  address_line: trimmed(300),
  address_line2: trimmed(300),
  city: trimmed(120),
  region: trimmed(120),
  postal_code: trimmed(32),
  country: trimmed(120),
  category: trimmed(120),
  short_description: plainText('short_description', 300),
  description: plainText('description', 5000),
  keywords: z.array(plainText('keyword', 60)).check(
    z.minLength(1),
    z.maxLength(30),
    z.refine(
      (words) => new Set(words.map((w) => w.toLowerCase())).size === words.length,
      'a keyword is listed twice',
    ),
  ),
  opening_hours: OpeningHoursSchema,
  year_established: z.number().check(
    z.int(),
    z.minimum(1800),
    z.refine((year) => year <= new Date().getUTCFullYear(), 'year_established is in the future'),
  ),
  social_profiles: SocialProfilesSchema,
  logo: LogoRefSchema,
} as const satisfies Record<ProfileField, z.ZodMiniType>;

/** Absent, null or undefined all mean "the profile has none" (stored rows say null). */
const optional = <T extends z.ZodMiniType>(schema: T) =>
  z.optional(
    z.pipe(
      z.nullish(schema),
      z.transform((v: z.output<T> | null | undefined) => v ?? undefined),
    ),
  );

export const BusinessProfileSchema = z.object({
  business_name: PROFILE_FIELD_SCHEMAS.business_name,
  email: PROFILE_FIELD_SCHEMAS.email,
  phone: PROFILE_FIELD_SCHEMAS.phone,
  website: PROFILE_FIELD_SCHEMAS.website,
  address_line: PROFILE_FIELD_SCHEMAS.address_line,
  city: PROFILE_FIELD_SCHEMAS.city,
  region: PROFILE_FIELD_SCHEMAS.region,
  postal_code: PROFILE_FIELD_SCHEMAS.postal_code,
  country: PROFILE_FIELD_SCHEMAS.country,
  category: PROFILE_FIELD_SCHEMAS.category,
  description: PROFILE_FIELD_SCHEMAS.description,
  contact_first_name: optional(PROFILE_FIELD_SCHEMAS.contact_first_name),
  contact_last_name: optional(PROFILE_FIELD_SCHEMAS.contact_last_name),
  address_line2: optional(PROFILE_FIELD_SCHEMAS.address_line2),
  short_description: optional(PROFILE_FIELD_SCHEMAS.short_description),
  keywords: optional(PROFILE_FIELD_SCHEMAS.keywords),
  opening_hours: optional(PROFILE_FIELD_SCHEMAS.opening_hours),
  year_established: optional(PROFILE_FIELD_SCHEMAS.year_established),
  social_profiles: optional(PROFILE_FIELD_SCHEMAS.social_profiles),
  logo: optional(PROFILE_FIELD_SCHEMAS.logo),
});
export type BusinessProfile = z.infer<typeof BusinessProfileSchema>;
export type BusinessProfileInput = z.input<typeof BusinessProfileSchema>;

export type SubmissionStatus = 'submitted' | 'needs_manual' | 'failed';

export interface SubmissionOutcome {
  status: SubmissionStatus;
  /** Why the outcome is not a plain success (or what the directory said). */
  reason?: string;
  /** The public listing URL when the directory shows one after submitting. */
  listingUrl?: string;
  /** Required form fields that no profile field could be matched to (labels or names). */
  unmappedRequiredFields: string[];
  /** Profile fields that were typed or selected into the form. */
  filledFields: ProfileField[];
}
