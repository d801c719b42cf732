import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { API_ROUTES, routeKey, routePolicy } from '../api/routes';
import { admitApiRequest, type Access, type Principal } from './auth';
import { checkRequestLimits, correlationId, errorResponse, headerValue, HttpError } from './http';
import { logger, metrics } from './powertools';
import {
  createRateLimiter,
  isUnavailable,
  rateLimitHeaders,
  type RateLimitDecision,
  type RateLimitRule,
} from './rate-limit';
import { serviceRpc } from './database';
import { RpcError, type Rpc } from './rpc';
import { RATE_LIMITS, type RateLimitClass } from './system-config';

/** What the handler layer established about a request before the route's function runs. */
export interface ApiRequest {
  /** The caller, or null on a public route. */
  principal: Principal | null;
  correlationId: string;
  rpc: Rpc;
}

export type ApiFunction = (
  event: APIGatewayProxyEvent,
  context: Context,
  request: ApiRequest,
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
 *   3. the route's function, given the principal; every error becomes JSON with the correlation id.
 * The route's access and limit class come from lambdas/api/routes.ts, so they cannot drift from
 * what the stacks and the local gateway deploy.
 */
export function apiHandler(route: string, fn: ApiFunction) {
  const definition = API_ROUTES.find((candidate) => routeKey(candidate) === route);
  if (!definition) throw new Error(`apiHandler: ${route} is not in lambdas/api/routes.ts`);
  const policy = routePolicy(definition);

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
      result = await fn(event, context, { principal, correlationId: id, rpc: await rpc() });
    } catch (error) {
      result =
        error instanceof RpcError && isUnavailable(error) ? unavailable(event) : errorResponse(event, error);
    }
    metrics.addDimension('route', route);
    metrics.addMetric(result.statusCode >= 500 ? 'ApiServerError' : 'ApiRequest', MetricUnit.Count, 1);
    result.headers = { ...result.headers, ...limitHeaders, 'x-correlation-id': id };
    return result;
  };
  return middy(guarded)
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics));
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
