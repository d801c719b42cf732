/**
 * Request schemas of the API surface beyond jobs (issue 5 part 2): the one definition that both the
 * handlers validate with and the OpenAPI document (lambdas/http/openapi.ts) is generated from,
 * so the document cannot promise what a handler refuses. The customer profile's schemas are in
 * customer-schemas.ts: they sanitize text, and only the routes that store a profile should carry
 * the sanitizer.
 */
import * as z from '../platform/zod';
import { redriveTargetSchema } from '../operations/redrive-request';
import { FieldMappingSchema, LOGO_CONTENT_TYPES, webUrl } from '../customers/plain-schemas';
import { DirectoryAccountSchema } from '../accounts/directory-account';
import { isAllowListedUrl } from '../browser/ssrf-guard';
import { API_SURFACE, PRIORITIES } from '../platform/system-config';

const pageLimit = z.optional(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(API_SURFACE.page.max)));
const cursor = z.optional(z.string().check(z.minLength(1), z.maxLength(200)));
const SLUG = /^[a-z0-9][a-z0-9-]{0,99}$/;
/** A whole number from `min` to `max`. */
const integer = (min: number, max: number) => z.number().check(z.int(), z.minimum(min), z.maximum(max));

// ------------------------------------------------------------------------------------------------
// directories
// ------------------------------------------------------------------------------------------------
export const listDirectoriesQuerySchema = z.strictObject({
  limit: pageLimit,
  /** The last slug of the previous page (next_cursor). */
  cursor: z.optional(z.string().check(z.regex(SLUG, 'not a cursor this API returned'))),
});

/** A stored mapping: FieldMappingSchema, refusing unknown top-level keys instead of dropping them. */
export const fieldMappingBodySchema = z.strictObject(FieldMappingSchema.shape);

/**
 * A directory's web address (its form, its verification lookup): a public http(s) address, the same
 * rule for POST and PATCH. `localHosts` are the host:port origins the submitter may reach on loopback
 * (SUBMITTER_ALLOWED_HOSTS, set only by the local runtime): a test site there may be a directory.
 * In AWS the list is empty and only public web addresses are accepted.
 */
const directoryUrl = (localHosts: ReadonlySet<string>, field: string) =>
  localHosts.size === 0
    ? webUrl(field)
    : z.union(
        [
          webUrl(field),
          z.string().check(
            z.maxLength(2048),
            z.refine((url) => isAllowListedUrl(url, localHosts)),
          ),
        ],
        { error: `${field} must be an http(s) URL` },
      );

/**
 * A directory's `account` (what it asks before the listing form): DirectoryAccountSchema with its pages
 * under the same address rule as the directory's form (a loopback test site where the local runtime
 * allows it). A log-in before the listing needs the page to log in at: without it the submitter would
 * skip the log-in and meet a listing form that wants a session. Null: the directory asks for nothing.
 */
const directoryAccount = (localHosts: ReadonlySet<string>) =>
  z.nullable(
    z
      .extend(DirectoryAccountSchema, {
        signup_url: directoryUrl(localHosts, 'account.signup_url'),
        login_url: z.optional(z.nullable(directoryUrl(localHosts, 'account.login_url'))),
      })
      .check(
        z.refine((account) => !account.login_before_listing || typeof account.login_url === 'string', {
          message: 'required when login_before_listing is true',
          path: ['login_url'],
        }),
      ),
  );

const directoryName = z.string().check(z.trim(), z.minLength(1), z.maxLength(200));
const directoryLimits = {
  domain_authority: integer(0, 100),
  max_concurrency: integer(1, 100),
  min_interval_ms: integer(0, 86_400_000),
};

/** POST /directories. */
export const directorySchemaAllowing = (localHosts: ReadonlySet<string>) =>
  z.strictObject({
    slug: z
      .string()
      .check(z.regex(SLUG, 'lowercase letters, digits and dashes, at most 100, not starting with a dash')),
    name: directoryName,
    submission_url: directoryUrl(localHosts, 'submission_url'),
    domain_authority: z.optional(directoryLimits.domain_authority),
    max_concurrency: z.optional(directoryLimits.max_concurrency),
    min_interval_ms: z.optional(directoryLimits.min_interval_ms),
    active: z.optional(z.boolean()),
    field_mapping: z.optional(fieldMappingBodySchema),
    account: z.optional(directoryAccount(localHosts)),
  });

/**
 * PATCH /directories/{id}: the fields present change (at least one). `verification` is the "verify,
 * don't resubmit" rule: a GET lookup answering {"listings": [...]}, its placeholders the business
 * facts' names ({email}, {business_name}, ...); null removes it. `account` is what the directory asks
 * before its listing form (sign-up, email verification, log-in); null removes it too. The slug is the
 * directory's name in URLs and logs and stays; the mapping has its own route (PUT .../mapping).
 */
export const updateDirectorySchemaAllowing = (localHosts: ReadonlySet<string>) =>
  z
    .strictObject({
      name: z.optional(directoryName),
      submission_url: z.optional(directoryUrl(localHosts, 'submission_url')),
      domain_authority: z.optional(z.nullable(directoryLimits.domain_authority)),
      max_concurrency: z.optional(directoryLimits.max_concurrency),
      min_interval_ms: z.optional(directoryLimits.min_interval_ms),
      active: z.optional(z.boolean()),
      verification: z.optional(
        z.nullable(z.strictObject({ lookup_url: directoryUrl(localHosts, 'verification.lookup_url') })),
      ),
      account: z.optional(directoryAccount(localHosts)),
    })
    .check(z.refine((changes) => Object.keys(changes).length > 0, 'name at least one field to change'));

export const createDirectorySchema = directorySchemaAllowing(new Set());
export const updateDirectorySchema = updateDirectorySchemaAllowing(new Set());

/** PUT /directories/{id}/mapping: the whole mapping, or null to go back to field detection. */
export const putMappingSchema = z.strictObject({ field_mapping: z.nullable(fieldMappingBodySchema) });

/**
 * POST /customers/{id}/listings/{directoryId}/resubmit: the deliberate second submission of a listing
 * (the directory lost it, the business changed its facts). The reason is kept in queue_history.
 */
export const resubmitListingSchema = z.strictObject({
  reason: z.string().check(z.trim(), z.minLength(3), z.maxLength(500)),
  priority: z.optional(z.enum(PRIORITIES)),
});

/**
 * POST /directories/{id}/test-submission: the body may be empty; `mapping` tries a candidate mapping
 * before storing it with PUT .../mapping (default: the stored one, else detection).
 */
export const testSubmissionSchema = z.strictObject({ field_mapping: z.optional(fieldMappingBodySchema) });

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
export const putLogoSchema = z.strictObject({
  content_type: z.enum(LOGO_CONTENT_TYPES),
  data_base64: z
    .string()
    .check(
      z.minLength(1, 'the image is empty'),
      z.refine(isBase64, 'not base64 (standard alphabet, padded)'),
    ),
});

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
  'already_listed',
] as const;

export const listSubmissionsQuerySchema = z.strictObject({
  job_id: z.optional(z.uuid()),
  customer_id: z.optional(z.uuid()),
  status: z.optional(z.enum(SUBMISSION_STATUSES)),
  limit: pageLimit,
  cursor,
});

// ------------------------------------------------------------------------------------------------
// admin
// ------------------------------------------------------------------------------------------------
/** The requester is the admin key (audited as key:<id>), so the body has no requested_by. */
export const adminRedriveSchema = redriveTargetSchema;

const reason = z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(500)));

/** What to pause or resume: one priority's queue, or one directory across all queues. */
export const pauseTargetSchema = z.discriminatedUnion('scope', [
  z.strictObject({ scope: z.literal('priority'), priority: z.enum(PRIORITIES), reason }),
  z.strictObject({ scope: z.literal('directory'), directory_id: z.uuid(), reason }),
]);
export type PauseTarget = z.infer<typeof pauseTargetSchema>;

/**
 * POST /admin/directory-accounts/reveal: which account's credentials, and why. The reason is kept in
 * queue_history with the admin key (reveal_directory_account); the credentials never are.
 */
export const revealDirectoryAccountSchema = z.strictObject({
  customer_id: z.uuid(),
  directory_id: z.uuid(),
  reason: z.string().check(z.trim(), z.minLength(3), z.maxLength(500)),
});

/**
 * POST /admin/directory-accounts/mark-verified: which account a person verified by hand, and why
 * (mark_directory_account_verified keeps both in queue_history with the admin key).
 */
export const markDirectoryAccountVerifiedSchema = revealDirectoryAccountSchema;
