import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { pathParameterNames, routeKey, routePolicy, type ApiRoute } from './route-definition';
import { admitApiRequest, type Access, type Principal } from './auth';
import {
  checkRequestLimits,
  correlationId,
  errorResponse,
  headerValue,
  HttpError,
  parseJsonBody,
  parseQuery,
  pathUuid,
  validationError,
} from './responses';
import { lambdaHandler } from '../platform/lambda-handler';
import { logger, metrics } from '../platform/powertools';
import {
  createRateLimiter,
  isUnavailable,
  rateLimitHeaders,
  type RateLimitDecision,
  type RateLimitRule,
} from './rate-limit';
import { serviceRpc } from '../platform/database';
import { RpcError, type Rpc } from '../platform/rpc';
import { RATE_LIMITS, type RateLimitClass } from '../platform/system-config';
import type * as z from '../platform/zod';

/** What a route's schema parses to; undefined where the route declares none. */
type Parsed<Schema> = Schema extends z.ZodMiniType ? z.infer<Schema> : undefined;

/** The {param} names of a resource path, as a type: '/customers/{id}/listings/{directoryId}' -> 'id' | 'directoryId'. */
type PathParameter<Resource extends string> = Resource extends `${string}{${infer Name}}${infer Rest}`
  ? Name | PathParameter<Rest>
  : never;

/** What the handler layer established about a request before the route's function runs. */
export interface ApiRequest<Route extends ApiRoute = ApiRoute> {
  /** The caller, or null on a public route. */
  principal: Principal | null;
  correlationId: string;
  rpc: Rpc;
  /** The resource's path parameters ({id}, ...), each checked to be a UUID. */
  params: Record<PathParameter<Route['resource']>, string>;
  /** The JSON body, parsed with the route's `body` schema. */
  body: Parsed<Route['body']>;
  /** The query parameters, parsed with the route's `query` schema. */
  query: Parsed<Route['query']>;
}

export type ApiFunction<Route extends ApiRoute = ApiRoute> = (
  event: APIGatewayProxyEvent,
  context: Context,
  request: ApiRequest<Route>,
) => Promise<APIGatewayProxyResult>;

// Per execution environment: the limiter's in-memory fallback counts live as long as it does.
const rpc = serviceRpc;
const limiter = createRateLimiter({
  rpc,
  log: logger,
  onFallback: () => metrics.addMetric('RateLimiterFallback', MetricUnit.Count, 1),
});

/** Failed key attempts are counted per client IP on this pseudo-route. */
const AUTH_ROUTE = 'auth:failed-key';

/**
 * Wraps an API function as a Lambda handler, the one place every request passes:
 *   1. input limits (414 URL, 413 body);
 *   2. authentication and the route's limit in one round trip (admit_api_request): missing key 401,
 *      unknown 401, revoked or expired 403; a key that is not accepted from an IP with too many failed
 *      attempts 429 (a valid key is never refused for other keys' failures); a role the route does
 *      not allow 403, over the route's limit per key 429; a rotated key in its grace period passes
 *      and is logged; public routes: the limit per IP (check_rate_limit, counted in memory while
 *      Postgres is unreachable). X-RateLimit-* on every answer;
 *   3. the request against the route's declaration: path parameters are UUIDs (400 invalid_id), then
 *      the body (its `body` schema: 400 invalid_body naming the field, 415) or the query (its `query`
 *      schema: 400 invalid_query), so a route's function only ever sees valid input;
 *   4. the route's function, given the principal and the parsed input; every error becomes JSON with
 *      the correlation id.
 * The route's access, limit class and schemas are its definition (`lambdas/handlers/api/<name>.route.ts`, in
 * the table of lambdas/handlers/api/routes.ts), the same the stacks, the local gateway and the OpenAPI
 * document read, so they cannot drift from what is deployed and documented.
 */
export function apiHandler<Route extends ApiRoute>(definition: Route, fn: ApiFunction<Route>) {
  const route = routeKey(definition);
  const policy = routePolicy(definition);
  const parameterNames = pathParameterNames(definition.resource);

  const guarded = async (event: APIGatewayProxyEvent, context: Context) => {
    const id = correlationId(event);
    logger.appendKeys({ correlation_id: id, route });
    let limitHeaders: Record<string, string> = {};
    let result: APIGatewayProxyResult;
    try {
      checkRequestLimits(event);
      const rule = RATE_LIMITS[policy.rateLimit];
      const { principal, decision } =
        policy.access === 'public'
          ? { principal: null, decision: await limiter.check(`ip:${sourceIp(event)}`, route, rule) }
          : await authenticate(event, policy.access, route, rule, (headers) => (limitHeaders = headers));
      limitHeaders = rateLimitHeaders(decision);
      if (!decision.allowed) throw tooManyRequests(decision, policy.rateLimit);
      if (principal) logger.appendKeys({ key_id: principal.keyId, role: principal.role });
      if (principal?.rotation) warnRotatedKeyUsed(principal, event);
      const input = parseInput(event, definition, parameterNames);
      result = await fn(event, context, { principal, correlationId: id, rpc: await rpc(), ...input });
    } catch (error) {
      result =
        error instanceof RpcError && isUnavailable(error) ? unavailable(event) : errorResponse(event, error);
    }
    metrics.addDimension('route', route);
    metrics.addMetric(result.statusCode >= 500 ? 'ApiServerError' : 'ApiRequest', MetricUnit.Count, 1);
    result.headers = { ...result.headers, ...limitHeaders, 'x-correlation-id': id };
    return result;
  };
  return lambdaHandler(guarded);
}

/** The request's path parameters, body and query, each checked against the route's declaration. */
function parseInput<Route extends ApiRoute>(
  event: APIGatewayProxyEvent,
  definition: Route,
  parameterNames: readonly string[],
): Pick<ApiRequest<Route>, 'params' | 'body' | 'query'> {
  const params: Record<string, string> = {};
  for (const name of parameterNames) params[name] = pathUuid(event, name);
  let body: unknown;
  if (definition.body) {
    const empty = event.body === null || event.body === '';
    const parsed = definition.body.safeParse(empty && definition.bodyOptional ? {} : parseJsonBody(event));
    if (!parsed.success) throw validationError(parsed.error);
    body = parsed.data;
  }
  const query: unknown = definition.query ? parseQuery(event, definition.query) : undefined;
  return { params, body, query } as Pick<ApiRequest<Route>, 'params' | 'body' | 'query'>;
}

async function authenticate(
  event: APIGatewayProxyEvent,
  access: Exclude<Access, 'public'>,
  route: string,
  rule: RateLimitRule,
  setHeaders: (headers: Record<string, string>) => void,
): Promise<{ principal: Principal; decision: RateLimitDecision }> {
  const key = headerValue(event, 'x-api-key');
  if (key === undefined || key.trim() === '') {
    throw new HttpError(401, 'missing_api_key', 'An API key is required (x-api-key header)');
  }
  const admission = await admitApiRequest(await rpc(), {
    key,
    sourceIp: sourceIp(event),
    access,
    route,
    rule,
    failedKeyRoute: AUTH_ROUTE,
    failedKeyRule: RATE_LIMITS.auth,
  });
  switch (admission.outcome) {
    case 'admitted':
      return { principal: admission.principal, decision: admission.limit };
    case 'forbidden':
      throw new HttpError(403, 'forbidden', `This route needs a ${access} key`);
    case 'ip_blocked':
      // A key that is not valid, from an IP that has failed too often: key guessing stops here.
      setHeaders(rateLimitHeaders(admission.auth));
      throw tooManyRequests(admission.auth, 'auth');
    default:
      setHeaders(rateLimitHeaders(admission.auth));
      metrics.addMetric('ApiKeyRejected', MetricUnit.Count, 1);
      // Never log the key; the IP and the outcome are enough to investigate.
      logger.warn('API key rejected', { outcome: admission.outcome, source_ip: sourceIp(event) });
      if (admission.outcome === 'revoked') {
        throw new HttpError(403, 'api_key_revoked', 'This API key has been revoked');
      }
      if (admission.outcome === 'expired') {
        throw new HttpError(
          403,
          'api_key_expired',
          'This API key has expired (or the grace period after its rotation has ended)',
        );
      }
      throw new HttpError(401, 'invalid_api_key', 'The API key is not valid');
  }
}

/**
 * A rotated key still in its grace period: served, and logged on every use so the client that has
 * not switched yet can be found (key id and source IP; never the key) before the key stops working.
 */
function warnRotatedKeyUsed(principal: Principal, event: APIGatewayProxyEvent): void {
  metrics.addMetric('RotatedApiKeyUsed', MetricUnit.Count, 1);
  logger.warn('API key used after its rotation', {
    key_id: principal.keyId,
    replaced_by: principal.rotation?.replacedBy,
    stops_working_at: principal.rotation?.expiresAt,
    source_ip: sourceIp(event),
  });
}

function sourceIp(event: APIGatewayProxyEvent): string {
  return event.requestContext?.identity?.sourceIp ?? 'unknown';
}

function tooManyRequests(decision: RateLimitDecision, limitClass: RateLimitClass): HttpError {
  return new HttpError(
    429,
    'rate_limited',
    `Rate limit exceeded (${limitClass}: ${decision.limit} per ${RATE_LIMITS[limitClass].windowSeconds} s); retry after ${decision.retryAfterSeconds} s`,
    rateLimitHeaders(decision),
  );
}

/** The database is unreachable: a retryable 503, not a 500 that looks like a bug. */
function unavailable(event: APIGatewayProxyEvent): APIGatewayProxyResult {
  logger.error('Database unreachable', { correlation_id: correlationId(event) });
  return {
    ...errorResponse(
      event,
      new HttpError(503, 'service_unavailable', 'Temporarily unavailable; retry shortly'),
    ),
    headers: { 'content-type': 'application/json', 'retry-after': '5' },
  };
}
