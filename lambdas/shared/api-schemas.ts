/**
 * Request schemas of the API surface beyond jobs (issue 5 part 2): the one definition that both the
 * handlers validate with and the OpenAPI document (lambdas/shared/api-openapi.ts) is generated from,
 * so the document cannot promise what a handler refuses.
 */
import { z } from 'zod';
import { redriveTargetSchema } from '../operations/redrive-request';
import { FieldMappingSchema } from '../submitter/business-profile';
import { sanitizeText } from './sanitize';
import { API_SURFACE, CUSTOMER_TIERS, PRIORITIES } from './system-config';

/** http(s) only: z.url() alone accepts javascript:, data:, file: and any other scheme that parses. */
const webUrl = (field: string) =>
  z
    .url({ protocol: /^https?$/, hostname: z.regexes.domain, error: `${field} must be an http(s) URL` })
    .max(2048);

const pageLimit = z.coerce.number().int().min(1).max(API_SURFACE.page.max).optional();
const cursor = z.string().min(1).max(200).optional();
const SLUG = /^[a-z0-9][a-z0-9-]{0,99}$/;

// ------------------------------------------------------------------------------------------------
// directories
// ------------------------------------------------------------------------------------------------
export const listDirectoriesQuerySchema = z
  .object({
    limit: pageLimit,
    /** The last slug of the previous page (next_cursor). */
    cursor: z.string().regex(SLUG, 'not a cursor this API returned').optional(),
  })
  .strict();

/** A stored mapping: FieldMappingSchema, refusing unknown top-level keys instead of dropping them. */
export const fieldMappingBodySchema = FieldMappingSchema.strict();

export const createDirectorySchema = z
  .object({
    slug: z
      .string()
      .regex(SLUG, 'lowercase letters, digits and dashes, at most 100, not starting with a dash'),
    name: z.string().trim().min(1).max(200),
    submission_url: webUrl('submission_url'),
    domain_authority: z.number().int().min(0).max(100).optional(),
    max_concurrency: z.number().int().min(1).max(100).optional(),
    min_interval_ms: z.number().int().min(0).max(86_400_000).optional(),
    active: z.boolean().optional(),
    field_mapping: fieldMappingBodySchema.optional(),
  })
  .strict();

/** PUT /directories/{id}/mapping: the whole mapping, or null to go back to field detection. */
export const putMappingSchema = z.object({ field_mapping: fieldMappingBodySchema.nullable() }).strict();

/**
 * POST /directories/{id}/test-submission: the body may be empty; `mapping` tries a candidate mapping
 * before storing it with PUT .../mapping (default: the stored one, else detection).
 */
export const testSubmissionSchema = z.object({ field_mapping: fieldMappingBodySchema.optional() }).strict();

// ------------------------------------------------------------------------------------------------
// customers
// ------------------------------------------------------------------------------------------------
const text = (max: number) => z.string().trim().min(1).max(max);
// Stored as plain text: markup and control characters are stripped before it reaches the database
// (and later a directory's form).
const description = z.string().max(5000).transform(sanitizeText);

const customerFields = {
  external_ref: text(200),
  business_name: text(300),
  email: z.email().max(320),
  phone: text(50),
  website: webUrl('website'),
  address_line: text(300),
  city: text(120),
  region: text(120),
  postal_code: text(32),
  country: text(120),
  category: text(120),
  description,
  tier: z.enum(CUSTOMER_TIERS),
};

export const createCustomerSchema = z
  .object({
    ...customerFields,
    external_ref: customerFields.external_ref.optional(),
    email: customerFields.email.optional(),
    phone: customerFields.phone.optional(),
    website: customerFields.website.optional(),
    address_line: customerFields.address_line.optional(),
    city: customerFields.city.optional(),
    region: customerFields.region.optional(),
    postal_code: customerFields.postal_code.optional(),
    country: customerFields.country.optional(),
    category: customerFields.category.optional(),
    description: customerFields.description.optional(),
    tier: customerFields.tier.optional(),
  })
  .strict();

/** PATCH: only what is given changes; null clears an optional field (not the name or the tier). */
export const updateCustomerSchema = z
  .object({
    external_ref: customerFields.external_ref.nullable().optional(),
    business_name: customerFields.business_name.optional(),
    email: customerFields.email.nullable().optional(),
    phone: customerFields.phone.nullable().optional(),
    website: customerFields.website.nullable().optional(),
    address_line: customerFields.address_line.nullable().optional(),
    city: customerFields.city.nullable().optional(),
    region: customerFields.region.nullable().optional(),
    postal_code: customerFields.postal_code.nullable().optional(),
    country: customerFields.country.nullable().optional(),
    category: customerFields.category.nullable().optional(),
    description: customerFields.description.nullable().optional(),
    tier: customerFields.tier.optional(),
  })
  .strict()
  .refine((body) => Object.keys(body).length > 0, 'give at least one field to change');

// ------------------------------------------------------------------------------------------------
// submissions
// ------------------------------------------------------------------------------------------------
export const SUBMISSION_STATUSES = [
  'pending',
  'queued',
  'in_progress',
  'submitted',
  'needs_manual',
  'failed',
  'dead_lettered',
] as const;

export const listSubmissionsQuerySchema = z
  .object({
    job_id: z.uuid().optional(),
    customer_id: z.uuid().optional(),
    status: z.enum(SUBMISSION_STATUSES).optional(),
    limit: pageLimit,
    cursor,
  })
  .strict();

// ------------------------------------------------------------------------------------------------
// admin
// ------------------------------------------------------------------------------------------------
/** The requester is the admin key (audited as key:<id>), so the body has no requested_by. */
export const adminRedriveSchema = redriveTargetSchema;

const reason = z.string().trim().min(1).max(500).optional();

/** What to pause or resume: one priority's queue, or one directory across all queues. */
export const pauseTargetSchema = z.discriminatedUnion('scope', [
  z.object({ scope: z.literal('priority'), priority: z.enum(PRIORITIES), reason }).strict(),
  z.object({ scope: z.literal('directory'), directory_id: z.uuid(), reason }).strict(),
]);
export type PauseTarget = z.infer<typeof pauseTargetSchema>;
