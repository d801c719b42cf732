/**
 * Request schemas of the customer routes (POST and PATCH /customers): the profile fields are checked,
 * and their free texts sanitized, by the submitter's own PROFILE_FIELD_SCHEMAS. Apart from
 * api-schemas.ts so that only these routes' bundles carry the sanitizer (sanitize-html).
 */
import * as z from 'zod';
import { PROFILE_FIELD_SCHEMAS, PROFILE_FIELDS, type ProfileField } from '../submitter/business-profile';
import { CUSTOMER_TIERS } from './system-config';

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
  OPTIONAL_PROFILE_FIELDS.map((field) => [field, profile[field].optional()]),
) as { [K in OptionalProfileField]: z.ZodOptional<(typeof profile)[K]> };
const clearableFields = Object.fromEntries(
  OPTIONAL_PROFILE_FIELDS.map((field) => [field, profile[field].nullable().optional()]),
) as { [K in OptionalProfileField]: z.ZodOptional<z.ZodNullable<(typeof profile)[K]>> };

const externalRef = z.string().trim().min(1).max(200);
const tier = z.enum(CUSTOMER_TIERS);

export const createCustomerSchema = z
  .object({
    external_ref: externalRef.optional(),
    business_name: profile.business_name,
    ...optionalFields,
    tier: tier.optional(),
  })
  .strict();

/** PATCH: only what is given changes; null clears an optional field (not the name or the tier). */
export const updateCustomerSchema = z
  .object({
    external_ref: externalRef.nullable().optional(),
    business_name: profile.business_name.optional(),
    ...clearableFields,
    tier: tier.optional(),
  })
  .strict()
  .refine((body) => Object.keys(body).length > 0, 'give at least one field to change');
