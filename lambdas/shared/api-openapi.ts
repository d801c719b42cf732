/**
 * The OpenAPI 3.1 document, generated from the routes (lambdas/api/routes.ts) and the very zod schemas
 * the handlers validate with (zod 4's toJSONSchema, input side: what a client sends). Served at
 * GET /openapi.json and written to docs/openapi.json by local/write-openapi.ts.
 */
import * as z from './zod';
import { API_ROUTES, routeKey, routePolicy, type ApiRoute } from '../api/routes';
import { createJobRequestSchema } from '../jobs/create-job';
import { cancelJobSchema, listJobsQuerySchema, updateJobSchema } from '../jobs/job-requests';
import {
  adminRedriveSchema,
  createDirectorySchema,
  listDirectoriesQuerySchema,
  listSubmissionsQuerySchema,
  pauseTargetSchema,
  putLogoSchema,
  putMappingSchema,
  resubmitListingSchema,
  testSubmissionSchema,
  updateDirectorySchema,
} from './api-schemas';
import { createCustomerSchema, updateCustomerSchema } from './customer-schemas';
import { RATE_LIMITS } from './system-config';

/** Each route's request body and query schemas: the handlers parse with exactly these. */
export const REQUEST_SCHEMAS: Record<string, { body?: z.ZodMiniType; query?: z.ZodMiniObject }> = {
  'POST /jobs': { body: createJobRequestSchema },
  'GET /jobs': { query: listJobsQuerySchema },
  'PATCH /jobs/{id}': { body: updateJobSchema },
  'POST /jobs/{id}/cancel': { body: cancelJobSchema },
  'GET /directories': { query: listDirectoriesQuerySchema },
  'POST /directories': { body: createDirectorySchema },
  'PATCH /directories/{id}': { body: updateDirectorySchema },
  'PUT /directories/{id}/mapping': { body: putMappingSchema },
  'POST /directories/{id}/test-submission': { body: testSubmissionSchema },
  'POST /customers': { body: createCustomerSchema },
  'PATCH /customers/{id}': { body: updateCustomerSchema },
  'PUT /customers/{id}/logo': { body: putLogoSchema },
  'POST /customers/{id}/listings/{directoryId}/resubmit': { body: resubmitListingSchema },
  'GET /submissions': { query: listSubmissionsQuerySchema },
  'POST /admin/dlq/redrive': { body: adminRedriveSchema },
  'POST /admin/pauses': { body: pauseTargetSchema },
  'POST /admin/pauses/resume': { body: pauseTargetSchema },
};

const toSchema = (schema: z.ZodMiniType) =>
  z.toJSONSchema(schema, { io: 'input', target: 'openapi-3.0', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;

const errorSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message', 'correlation_id'],
      properties: {
        code: { type: 'string' },
        message: { type: 'string' },
        correlation_id: { type: 'string' },
      },
    },
  },
};

function operation(route: ApiRoute): Record<string, unknown> {
  const policy = routePolicy(route);
  const schemas = REQUEST_SCHEMAS[routeKey(route)] ?? {};
  const parameters: unknown[] = [...route.resource.matchAll(/\{(\w+)\}/g)].map((m) => ({
    name: m[1],
    in: 'path',
    required: true,
    schema: { type: 'string', format: 'uuid' },
  }));
  if (schemas.query) {
    const query = toSchema(schemas.query) as { properties?: Record<string, unknown>; required?: string[] };
    for (const [name, schema] of Object.entries(query.properties ?? {})) {
      parameters.push({ name, in: 'query', required: query.required?.includes(name) ?? false, schema });
    }
  }
  const limit = RATE_LIMITS[policy.rateLimit];
  return {
    operationId: route.name,
    summary: `${route.method} ${route.resource}`,
    description: `Access: ${policy.access}. Rate limit: ${limit.limit} per ${limit.windowSeconds} s per key (or IP).`,
    ...(route.apiKeyRequired ? { security: [{ apiKey: [] }] } : { security: [] }),
    parameters,
    ...(schemas.body
      ? {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: toSchema(schemas.body) } },
          },
        }
      : {}),
    responses: {
      '200': { description: 'Success (201 for creations)' },
      default: { description: 'An error', content: { 'application/json': { schema: errorSchema } } },
    },
  };
}

export function openApiDocument(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of API_ROUTES) {
    (paths[route.resource] ??= {})[route.method.toLowerCase()] = operation(route);
  }
  return {
    openapi: '3.0.3',
    info: { title: 'DirectoryBolt API', version: '1.0.0' },
    components: { securitySchemes: { apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' } } },
    paths,
  };
}
