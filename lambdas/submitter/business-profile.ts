/**
 * The business facts the submitter types into a directory's form, and the stored field mapping a
 * directory may carry. Types and their runtime schemas only: no browser, no I/O.
 */
import { z } from 'zod';
import { sanitizeText } from '../shared/sanitize';

/** Every profile field, in the order a form usually asks for them. */
export const PROFILE_FIELDS = [
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
] as const;
export type ProfileField = (typeof PROFILE_FIELDS)[number];

export const BusinessProfileSchema = z.object({
  business_name: z.string().min(1),
  email: z.string().email(),
  phone: z.string().min(1),
  // Typed into directories' forms and published: only a web address. z.url() alone accepts
  // javascript:, data:, file: and mailto: (any scheme that parses).
  website: z.url({
    protocol: /^https?$/,
    hostname: z.regexes.domain,
    error: 'website must be an http(s) URL',
  }),
  address_line: z.string().min(1),
  city: z.string().min(1),
  region: z.string().min(1),
  postal_code: z.string().min(1),
  country: z.string().min(1),
  category: z.string().min(1),
  // Plain text only: no markup or script reaches a directory (or our own storage, see sanitize.ts).
  description: z.string().transform(sanitizeText).pipe(z.string().min(1, 'description has no text')),
});
export type BusinessProfile = z.infer<typeof BusinessProfileSchema>;

/**
 * A directory's stored mapping: a CSS selector per profile field, optionally the submit button and
 * how the directory says "thank you". When present it wins over field detection.
 */
export const FieldMappingSchema = z.object({
  fields: z.partialRecord(z.enum(PROFILE_FIELDS), z.string().min(1)),
  submit: z.string().min(1).optional(),
  success: z
    .object({
      selector: z.string().min(1).optional(),
      text: z.string().min(1).optional(),
      urlIncludes: z.string().min(1).optional(),
    })
    .optional(),
});
export type FieldMapping = z.infer<typeof FieldMappingSchema>;

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
