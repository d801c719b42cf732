/**
 * Request schemas of the customer routes (POST and PATCH /customers): the profile fields are checked,
 * and their free texts sanitized, by the submitter's own PROFILE_FIELD_SCHEMAS. Apart from
 * api-schemas.ts so that only these routes' bundles carry the sanitizer (htmlparser2, lambdas/platform/sanitize.ts).
 */
import * as z from '../platform/zod';
import { PROFILE_FIELD_SCHEMAS, PROFILE_FIELDS, type ProfileField } from './business-profile';
import { CUSTOMER_TIERS } from '../platform/system-config';

// The profile fields are validated (and the free texts sanitized to plain text) by the very schemas
// the submitter parses a task's profile with, so the API never stores a profile the submitter would
// refuse. The logo is not a body field: it is uploaded with PUT /customers/{id}/logo.
const profile = PROFILE_FIELD_SCHEMAS;

/** Every profile field but the name (required on create) and the logo: optional, clearable with null. */
type OptionalProfileField = Exclude<ProfileField, 'business_name' | 'logo'>;
const OPTIONAL_PROFILE_FIELDS = PROFILE_FIELDS.filter(
  (field): field is OptionalProfileField => field !== 'business_name' && field !== 'logo',
);

const optionalFields = Object.fromEntries(
  OPTIONAL_PROFILE_FIELDS.map((field) => [field, z.optional(profile[field])]),
) as { [K in OptionalProfileField]: z.ZodMiniOptional<(typeof profile)[K]> };
const clearableFields = Object.fromEntries(
  OPTIONAL_PROFILE_FIELDS.map((field) => [field, z.optional(z.nullable(profile[field]))]),
) as { [K in OptionalProfileField]: z.ZodMiniOptional<z.ZodMiniNullable<(typeof profile)[K]>> };

const externalRef = z.string().check(z.trim(), z.minLength(1), z.maxLength(200));
const tier = z.enum(CUSTOMER_TIERS);

export const createCustomerSchema = z.strictObject({
  external_ref: z.optional(externalRef),
  business_name: profile.business_name,
  ...optionalFields,
  tier: z.optional(tier),
});

/** PATCH: only what is given changes; null clears an optional field (not the name or the tier). */
export const updateCustomerSchema = z
  .strictObject({
    external_ref: z.optional(z.nullable(externalRef)),
    business_name: z.optional(profile.business_name),
    ...clearableFields,
    tier: z.optional(tier),
  })
  .check(z.refine((body) => Object.keys(body).length > 0, 'give at least one field to change'));
