/**
 * Emulates: Amazon API Gateway (REST API, Lambda proxy integration) as the API stack configures it.
 * Reproduces: the same route table (lambdas/handlers/api/routes.ts), API keys in `x-api-key` (401 with the
 * stacks' INVALID_API_KEY body), each key's usage-plan token bucket (429), body (413) and URL (414)
 * limits, the proxy event and the integration timeout, and the stacks' JSON error shape.
 * Leaves out: usage-plan quotas per day, stage variables, request validators (the handlers validate),
 * caching, custom domains, TLS and IAM/Cognito authorizers (the stacks use none).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import type { ApiRoute } from '../../lambdas/handlers/api/routes';
import { API, type CustomerTier } from '../../lambdas/platform/system-config';
import { invokeWithTimeout, lambdaContext } from './lambda-context';

export type ApiHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

export interface GatewayRoute extends ApiRoute {
  handler: ApiHandler;
}

/** A key API Gateway knows: its id and the usage plan (API.usagePlans) it is on. */
export interface GatewayKey {
  id: string;
  plan: CustomerTier;
}

/** Looks a key value up as API Gateway's key store would; undefined when it does not know it. */
export type GatewayKeyStore = (apiKey: string) => Promise<GatewayKey | undefined>;

export interface GatewayOptions {
  routes: GatewayRoute[];
  /** API keys accepted (value -> key id), all on the `enterprise` plan; or a key store. */
  apiKeys: Map<string, string> | GatewayKeyStore;
  port?: number;
  host?: string;
  functionTimeoutMs: number;
  /** Usage-plan throttling for every key; defaults to each key's plan in API.usagePlans. */
  throttle?: { ratePerSecond: number; burst: number };
  /** The throttle's clock (tests freeze it so a refill never depends on how fast the machine is). */
  clock?: () => number;
}

export interface Gateway {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/**
 * The local stand-in for API Gateway (REST): matches the same routes, refuses requests without a
 * key it knows (401, as the stacks configure API Gateway's INVALID_API_KEY response), applies the
 * key's usage plan's token-bucket throttling (429), refuses oversized bodies (413) and URLs (414),
 * and invokes the same Lambda handlers with a proxy-integration event. Its own errors have the JSON
 * shape the stacks give API Gateway's responses: {error: {code, message, correlation_id}}.
 */
export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const lookup: GatewayKeyStore =
    options.apiKeys instanceof Map
      ? ((keys) => async (value: string) => {
          const id = keys.get(value);
          return id === undefined ? undefined : { id, plan: 'enterprise' as const };
        })(options.apiKeys)
      : options.apiKeys;
  const throttleFor = (plan: CustomerTier) =>
    options.throttle ?? {
      ratePerSecond: API.usagePlans[plan].rateLimitPerSecond,
      burst: API.usagePlans[plan].burstLimit,
    };
  const buckets = new Map<string, TokenBucket>();
  const clock = options.clock ?? Date.now;
  const compiled = options.routes.map((route) => ({ route, pattern: compileResource(route.resource) }));

  const server = createServer((request, response) => {
    handle(request, response).catch(() => {
      const requestId = randomUUID();
      send(response, 500, gatewayError('DEFAULT_5XX', 'Internal server error', requestId), requestId);
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    const rawUrl = request.url ?? '/';
    if (rawUrl.length > API.maxUrlLength) {
      return send(
        response,
        414,
        gatewayError('REQUEST_TOO_LARGE', 'Request-URI Too Long', requestId),
        requestId,
      );
    }
    const url = new URL(rawUrl, 'http://gateway.local');
    const method = (request.method ?? 'GET').toUpperCase();
    const match = findRoute(compiled, method, url.pathname);
    if (!match) {
      return send(response, 404, gatewayError('RESOURCE_NOT_FOUND', 'Not Found', requestId), requestId);
    }

    const apiKey = headerOf(request, 'x-api-key');
    let known: GatewayKey | undefined;
    try {
      known = apiKey === undefined || apiKey === '' ? undefined : await lookup(apiKey);
    } catch {
      // The local key store lives in the database (API Gateway's own never goes down with it): while
      // the database is unreachable, a retryable 503 like the handlers' own, never a 500 or a 401.
      return send(
        response,
        503,
        gatewayError('SERVICE_UNAVAILABLE', 'Service Unavailable', requestId),
        requestId,
        { 'retry-after': '5' },
      );
    }
    const apiKeyId = known?.id;
    if (match.route.apiKeyRequired && known === undefined) {
      return send(response, 401, gatewayError('INVALID_API_KEY', 'Forbidden', requestId), requestId);
    }
    if (known !== undefined) {
      const throttle = throttleFor(known.plan);
      const bucket = buckets.get(known.id) ?? new TokenBucket(throttle.ratePerSecond, throttle.burst, clock);
      buckets.set(known.id, bucket);
      if (!bucket.take()) {
        return send(response, 429, gatewayError('THROTTLED', 'Too Many Requests', requestId), requestId, {
          'retry-after': '1',
        });
      }
    }

    const body = await readBody(request, API.maxBodyBytes);
    if (body === 'too_large') {
      return send(
        response,
        413,
        gatewayError('REQUEST_TOO_LARGE', 'Request Entity Too Large', requestId),
        requestId,
      );
    }

    const event = toEvent(request, url, method, match, body, requestId, apiKey, apiKeyId);
    const context = lambdaContext(match.route.name, options.functionTimeoutMs);
    let result: APIGatewayProxyResult;
    try {
      result = await invokeWithTimeout(
        () => match.route.handler(event, context),
        options.functionTimeoutMs,
        match.route.name,
      );
    } catch {
      // As API Gateway answers a failed Lambda integration: no details.
      return send(
        response,
        502,
        gatewayError('INTEGRATION_FAILURE', 'Internal server error', requestId),
        requestId,
      );
    }
    response.writeHead(result.statusCode, {
      ...stringHeaders(result.headers),
      'x-amzn-requestid': requestId,
    });
    response.end(result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body);
  }

  await new Promise<void>((resolve) =>
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve),
  );
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The body the stacks' gateway responses produce (lib/constructs/http/jobs-api.ts addJsonErrorResponses). */
function gatewayError(code: string, message: string, requestId: string) {
  return { error: { code, message, correlation_id: requestId } };
}

/** API Gateway's throttling model: a bucket of `burst` tokens refilled at `rate` per second. */
class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly rate: number,
    private readonly burst: number,
    private readonly clock: () => number,
  ) {
    this.tokens = burst;
    this.last = clock();
  }

  take(): boolean {
    const now = this.clock();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

interface CompiledRoute {
  route: GatewayRoute;
  pattern: { regex: RegExp; params: string[] };
}

function compileResource(resource: string): { regex: RegExp; params: string[] } {
  const params: string[] = [];
  const source = resource
    .split('/')
    .map((segment) => {
      const param = /^\{(\w+)\}$/.exec(segment);
      if (!param) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      params.push(param[1]!);
      return '([^/]+)';
    })
    .join('/');
  return { regex: new RegExp(`^${source}/?$`), params };
}

function findRoute(
  routes: CompiledRoute[],
  method: string,
  path: string,
): { route: GatewayRoute; pathParameters: Record<string, string> } | undefined {
  for (const { route, pattern } of routes) {
    if (route.method !== method) continue;
    const found = pattern.regex.exec(path);
    if (!found) continue;
    const pathParameters: Record<string, string> = {};
    pattern.params.forEach((name, index) => {
      pathParameters[name] = safeDecode(found[index + 1] ?? '');
    });
    return { route, pathParameters };
  }
  return undefined;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function toEvent(
  request: IncomingMessage,
  url: URL,
  method: string,
  match: { route: GatewayRoute; pathParameters: Record<string, string> },
  body: string | null,
  requestId: string,
  apiKey: string | undefined,
  apiKeyId: string | undefined,
): APIGatewayProxyEvent {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    const values = Array.isArray(value) ? value : [value];
    headers[name] = values.join(',');
    multiValueHeaders[name] = values;
  }
  const query: Record<string, string> = {};
  const multiQuery: Record<string, string[]> = {};
  for (const [name, value] of url.searchParams) {
    query[name] = value;
    (multiQuery[name] ??= []).push(value);
  }
  const hasQuery = Object.keys(query).length > 0;
  const sourceIp = request.socket.remoteAddress ?? '127.0.0.1';
  return {
    resource: match.route.resource,
    path: url.pathname,
    httpMethod: method,
    headers,
    multiValueHeaders,
    queryStringParameters: hasQuery ? query : null,
    multiValueQueryStringParameters: hasQuery ? multiQuery : null,
    pathParameters: Object.keys(match.pathParameters).length > 0 ? match.pathParameters : null,
    stageVariables: null,
    body,
    isBase64Encoded: false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      authorizer: null,
      protocol: 'HTTP/1.1',
      httpMethod: method,
      path: url.pathname,
      stage: 'local',
      requestId,
      requestTimeEpoch: Date.now(),
      resourceId: match.route.name,
      resourcePath: match.route.resource,
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: apiKey ?? null,
        apiKeyId: apiKeyId ?? null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp,
        user: null,
        userAgent: headers['user-agent'] ?? null,
        userArn: null,
      },
    },
  };
}

async function readBody(request: IncomingMessage, limit: number): Promise<string | null | 'too_large'> {
  const declared = Number(request.headers['content-length'] ?? '0');
  if (declared > limit) {
    request.resume();
    return 'too_large';
  }
  // Past the limit, keep reading and discard the rest rather than leaving the loop: leaving a
  // for-await destroys the request, which resets the socket, and the client never sees the 413.
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    request.on('data', (chunk: Buffer) => {
      if (settled) return;
      size += chunk.length;
      if (size > limit) {
        settled = true;
        chunks.length = 0;
        resolve('too_large');
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => {
      if (settled) return;
      settled = true;
      resolve(chunks.length === 0 ? null : Buffer.concat(chunks).toString('utf8'));
    });
    request.on('error', (error) => {
      if (settled) return;
      settled = true;
      reject(error);
    });
    request.on('close', () => {
      if (settled) return;
      settled = true;
      reject(new Error('request closed before its body ended'));
    });
  });
}

function headerOf(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function stringHeaders(headers: APIGatewayProxyResult['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) out[name] = String(value);
  return out;
}

function send(
  response: ServerResponse,
  status: number,
  body: unknown,
  requestId = randomUUID(),
  headers: Record<string, string> = {},
): void {
  if (response.headersSent) return;
  response.writeHead(status, {
    'content-type': 'application/json',
    'x-amzn-requestid': requestId,
    ...headers,
  });
  response.end(JSON.stringify(body));
}
