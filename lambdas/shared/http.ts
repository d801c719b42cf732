import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { ZodError } from 'zod';
import { logger } from './powertools';

/** An error the client caused and can read: it becomes a JSON error response with this status. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
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
    return json(error.statusCode, {
      error: { code: error.code, message: error.message, correlation_id: id },
    });
  }
  // Unexpected: log it with the correlation id, answer without details so nothing internal leaks.
  logger.error('Unhandled error', { correlation_id: id, error: error as Error });
  return json(500, {
    error: { code: 'internal_error', message: 'Internal error', correlation_id: id },
  });
}

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
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HttpError(400, 'invalid_json', 'The body is not valid JSON');
  }
}

export function headerValue(event: APIGatewayProxyEvent, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === wanted && value !== undefined) return value;
  }
  return undefined;
}

/** A zod failure as one sentence that names the offending field. */
export function validationError(error: ZodError): HttpError {
  const issue = error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.join('.') : 'body';
  const message = issue ? `${field}: ${issue.message}` : 'Invalid body';
  return new HttpError(400, 'invalid_body', message);
}
