/**
 * The parts of the profile and mapping schemas that need no text sanitizer: web addresses, logo image
 * types and a directory's stored field mapping. business-profile.ts re-exports them; the API's
 * directory and logo routes import them from here, so the sanitizer (htmlparser2, about 70 KiB)
 * stays out of the bundles of routes that never sanitize text.
 */
import * as z from '../platform/zod';
import { FILLABLE_KINDS } from '../form-filling/field-kinds';

// Typed into directories' forms and published: only a web address. z.url() alone accepts
// javascript:, data:, file: and mailto: (any scheme that parses).
export const webUrl = (field: string) =>
  z
    .url({ protocol: /^https?$/, hostname: z.regexes.domain, error: `${field} must be an http(s) URL` })
    .check(z.maxLength(2048));

export const LOGO_CONTENT_TYPES = ['image/png', 'image/jpeg', 'image/webp', 'image/gif'] as const;

/**
 * A directory's stored mapping: a CSS selector per field kind (see form-filling/field-kinds.ts;
 * the kinds include every profile field name the first mappings used), optionally the submit
 * button and how the directory says "thank you". When present it wins over field detection.
 */
export const FieldMappingSchema = z.object({
  fields: z.partialRecord(z.enum(FILLABLE_KINDS), z.string().check(z.minLength(1), z.maxLength(1000))),
  submit: z.optional(z.string().check(z.minLength(1), z.maxLength(1000))),
  success: z.optional(
    z.object({
      selector: z.optional(z.string().check(z.minLength(1))),
      text: z.optional(z.string().check(z.minLength(1))),
      urlIncludes: z.optional(z.string().check(z.minLength(1))),
    }),
  ),
});
export type FieldMapping = z.infer<typeof FieldMappingSchema>;
