import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type * as z from '../platform/zod';
import { logger } from '../platform/powertools';
import { RpcError } from '../platform/rpc';
import { API } from '../platform/system-config';

/** An error the client caused and can read: it becomes a JSON error response with this status. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    /** Extra response headers (Retry-After, ETag...). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export function correlationId(event: APIGatewayProxyEvent): string {
  return event.requestContext?.requestId ?? 'unknown';
}

export function json(
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): APIGatewayProxyResult {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  };
}

export function errorResponse(event: APIGatewayProxyEvent, error: unknown): APIGatewayProxyResult {
  const id = correlationId(event);
  if (error instanceof HttpError) {
    return json(
      error.statusCode,
      { error: { code: error.code, message: error.message, correlation_id: id } },
      error.headers,
    );
  }
  // The database refused an argument (22xxx, e.g. a bad uuid or our 22023) or a referenced row is
  // missing (P0002): the client's input, and the functions' messages name the argument.
  if (error instanceof RpcError && (error.isInvalidInput || error.code?.startsWith('22'))) {
    return json(400, { error: { code: 'invalid_request', message: error.message, correlation_id: id } });
  }
  // Unexpected: log it with the correlation id, answer without details so nothing internal leaks.
  logger.error('Unhandled error', { correlation_id: id, error: error as Error });
  return json(500, {
    error: { code: 'internal_error', message: 'Internal error', correlation_id: id },
  });
}

/** Nesting deeper than this is not a job request; walking it would only cost CPU. */
const MAX_JSON_DEPTH = 32;

/** Parses a JSON body; anything that is not a JSON object is the client's mistake. */
export function parseJsonBody(event: APIGatewayProxyEvent): unknown {
  const contentType = headerValue(event, 'content-type');
  if (contentType !== undefined && !/^application\/json\b/i.test(contentType)) {
    throw new HttpError(415, 'unsupported_media_type', 'Content-Type must be application/json');
  }
  if (event.body === null || event.body === '') {
    throw new HttpError(400, 'invalid_body', 'A JSON body is required');
  }
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch {
    throw new HttpError(400, 'invalid_json', 'The body is not valid JSON');
  }
  checkJsonValue(value);
  return value;
}

/**
 * Refuses what JSON allows but Postgres text cannot hold (NUL, lone UTF-16 surrogates) and absurd
 * nesting, naming the field, so hostile strings are a 400 and never a database error.
 */
function checkJsonValue(root: unknown): void {
  const stack: { value: unknown; path: string; depth: number }[] = [{ value: root, path: 'body', depth: 0 }];
  while (stack.length > 0) {
    const { value, path, depth } = stack.pop()!;
    if (depth > MAX_JSON_DEPTH) {
      throw new HttpError(400, 'invalid_body', `${path}: nested deeper than ${MAX_JSON_DEPTH} levels`);
    }
    if (typeof value === 'string') {
      if (!isStorableText(value)) {
        throw new HttpError(400, 'invalid_body', `${path}: contains a NUL character or invalid Unicode`);
      }
    } else if (Array.isArray(value)) {
      value.forEach((item, index) => stack.push({ value: item, path: `${path}.${index}`, depth: depth + 1 }));
    } else if (value !== null && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) {
        if (!isStorableText(key)) {
          throw new HttpError(400, 'invalid_body', `${path}: a field name contains invalid Unicode`);
        }
        stack.push({ value: item, path: path === 'body' ? key : `${path}.${key}`, depth: depth + 1 });
      }
    }
  }
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function isStorableText(value: string): boolean {
  return !value.includes('\u0000') && !LONE_SURROGATE.test(value);
}

export function headerValue(event: APIGatewayProxyEvent, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === wanted && value !== undefined) return value;
  }
  return undefined;
}

/** A zod failure as one sentence that names the offending field. */
export function validationError(error: z.core.$ZodError, where = 'body'): HttpError {
  const issue = error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.join('.') : where;
  const message = issue ? `${field}: ${issue.message}` : `Invalid ${where}`;
  return new HttpError(400, where === 'body' ? 'invalid_body' : 'invalid_query', message);
}

/** URL and body limits, checked by the handler too: API Gateway's own limits are not ours. */
export function checkRequestLimits(event: APIGatewayProxyEvent): void {
  const query = event.multiValueQueryStringParameters ?? {};
  let urlLength = (event.path ?? '').length;
  for (const [name, values] of Object.entries(query)) {
    for (const value of values ?? []) urlLength += name.length + value.length + 2;
  }
  if (urlLength > API.maxUrlLength) {
    throw new HttpError(414, 'uri_too_long', `The URL must be at most ${API.maxUrlLength} characters`);
  }
  if (event.body !== null && event.body !== undefined) {
    const bytes = event.isBase64Encoded
      ? Buffer.byteLength(event.body, 'base64')
      : Buffer.byteLength(event.body, 'utf8');
    if (bytes > API.maxBodyBytes) {
      throw new HttpError(413, 'payload_too_large', `The body must be at most ${API.maxBodyBytes} bytes`);
    }
  }
}

/**
 * What z.uuid() accepts (RFC 9562: versions 1 to 8, the variant bits, the nil and max UUIDs), as a
 * plain pattern so that routes reading only path ids do not load zod (test/lambdas/http/responses.test.ts).
 */
export const UUID_PATTERN =
  /^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|ffffffff-ffff-ffff-ffff-ffffffffffff)$/;

/** A path parameter that must be a UUID; anything else is a 400 naming the parameter. */
export function pathUuid(event: APIGatewayProxyEvent, name: string): string {
  const value = event.pathParameters?.[name];
  if (value === undefined || !UUID_PATTERN.test(value)) {
    throw new HttpError(400, 'invalid_id', `${name}: must be a UUID`);
  }
  return value;
}

/**
 * Query parameters against a strict zod object: unknown parameters and repeated ones are refused,
 * so a typo never silently widens a listing.
 */
export function parseQuery<T extends z.ZodMiniType>(event: APIGatewayProxyEvent, schema: T): z.infer<T> {
  const multi = event.multiValueQueryStringParameters ?? {};
  for (const [name, values] of Object.entries(multi)) {
    if ((values ?? []).length > 1) throw new HttpError(400, 'invalid_query', `${name}: given more than once`);
  }
  const params = event.queryStringParameters ?? {};
  for (const [name, value] of Object.entries(params)) {
    if (!isStorableText(name) || (value !== undefined && !isStorableText(value))) {
      throw new HttpError(400, 'invalid_query', `${name}: contains a NUL character or invalid Unicode`);
    }
  }
  const parsed = schema.safeParse(params);
  if (!parsed.success) throw validationError(parsed.error, 'query');
  return parsed.data;
}
