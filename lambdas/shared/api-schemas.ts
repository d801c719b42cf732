/**
 * Request schemas of the API surface beyond jobs (issue 5 part 2): the one definition that both the
 * handlers validate with and the OpenAPI document (lambdas/shared/api-openapi.ts) is generated from,
 * so the document cannot promise what a handler refuses. The customer profile's schemas are in
 * customer-schemas.ts: they sanitize text, and only the routes that store a profile should carry
 * the sanitizer.
 */
import * as z from 'zod';
import { redriveTargetSchema } from '../operations/redrive-request';
import { FieldMappingSchema, LOGO_CONTENT_TYPES, webUrl } from '../submitter/plain-schemas';
import { isAllowListedUrl } from '../submitter/ssrf-guard';
import { API_SURFACE, PRIORITIES } from './system-config';

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

/**
 * POST /directories. `localHosts` are the host:port origins the submitter may reach on loopback
 * (SUBMITTER_ALLOWED_HOSTS, set only by the local runtime): a test site there may be a directory.
 * In AWS the list is empty and only public web addresses are accepted.
 */
export const directorySchemaAllowing = (localHosts: ReadonlySet<string>) =>
  z
    .object({
      slug: z
        .string()
        .regex(SLUG, 'lowercase letters, digits and dashes, at most 100, not starting with a dash'),
      name: z.string().trim().min(1).max(200),
      submission_url:
        localHosts.size === 0
          ? webUrl('submission_url')
          : z.union(
              [
                webUrl('submission_url'),
                z
                  .string()
                  .max(2048)
                  .refine((url) => isAllowListedUrl(url, localHosts)),
              ],
              {
                error: 'submission_url must be an http(s) URL',
              },
            ),
      domain_authority: z.number().int().min(0).max(100).optional(),
      max_concurrency: z.number().int().min(1).max(100).optional(),
      min_interval_ms: z.number().int().min(0).max(86_400_000).optional(),
      active: z.boolean().optional(),
      field_mapping: fieldMappingBodySchema.optional(),
    })
    .strict();

export const createDirectorySchema = directorySchemaAllowing(new Set());

/** PUT /directories/{id}/mapping: the whole mapping, or null to go back to field detection. */
export const putMappingSchema = z.object({ field_mapping: fieldMappingBodySchema.nullable() }).strict();

/**
 * POST /directories/{id}/test-submission: the body may be empty; `mapping` tries a candidate mapping
 * before storing it with PUT .../mapping (default: the stored one, else detection).
 */
export const testSubmissionSchema = z.object({ field_mapping: fieldMappingBodySchema.optional() }).strict();

// ------------------------------------------------------------------------------------------------
// customer logos (the profile fields are in customer-schemas.ts)
// ------------------------------------------------------------------------------------------------
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
function isBase64(value: string): boolean {
  return value.length % 4 === 0 && BASE64.test(value);
}

/**
 * PUT /customers/{id}/logo: the image, base64 in JSON (the API's bodies are JSON and at most
 * API.maxBodyBytes). The handler decodes it, checks its size (413) and that its bytes really are the
 * declared image type. Base64 is checked here with a linear pattern in code rather than a JSON
 * Schema `pattern`, which a gateway's regex engine would have to run over a quarter of a megabyte.
 */
export const putLogoSchema = z
  .object({
    content_type: z.enum(LOGO_CONTENT_TYPES),
    data_base64: z
      .string()
      .min(1, 'the image is empty')
      .refine(isBase64, 'not base64 (standard alphabet, padded)'),
  })
  .strict();

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
