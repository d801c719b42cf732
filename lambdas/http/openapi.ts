/**
 * The OpenAPI 3.1 document, generated from the routes (lambdas/handlers/api/routes.ts) and the zod schemas they
 * declare, the very ones the handler layer validates with (zod 4's toJSONSchema, input side: what a
 * client sends). Served at GET /openapi.json and written to docs/openapi.json by scripts/write-openapi.ts.
 */
import * as z from '../platform/zod';
import { API_ROUTES, pathParameterNames, routePolicy, type ApiRoute } from '../handlers/api/routes';
import { RATE_LIMITS } from '../platform/system-config';

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
  const parameters: unknown[] = pathParameterNames(route.resource).map((name) => ({
    name,
    in: 'path',
    required: true,
    schema: { type: 'string', format: 'uuid' },
  }));
  if (route.query) {
    const query = toSchema(route.query) as { properties?: Record<string, unknown>; required?: string[] };
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
    ...(route.body
      ? {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: toSchema(route.body) } },
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
