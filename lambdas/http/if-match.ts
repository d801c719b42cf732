/**
 * Optimistic locking over HTTP: a resource's version goes out as its ETag (`"3"`) and comes back as
 * If-Match. The SQL functions compare it under the row lock and raise PT412 when it is stale
 * (clientError in api-requests.ts answers 412).
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { headerValue, HttpError } from './responses';

export const etag = (version: number): string => `"${version}"`;

/** If-Match when sent: `"3"` (or W/"3", or 3); undefined when absent. `what` names the resource. */
export function ifMatchVersion(event: APIGatewayProxyEvent, what: string): number | undefined {
  const value = headerValue(event, 'if-match');
  if (value === undefined) return undefined;
  const match = /^\s*(?:W\/)?"?([1-9][0-9]{0,8})"?\s*$/.exec(value);
  if (!match)
    throw new HttpError(400, 'invalid_header', `If-Match: must be the ETag of the ${what}, e.g. "3"`);
  return Number(match[1]);
}

/** If-Match that the route requires: 428 without it. */
export function requiredIfMatchVersion(event: APIGatewayProxyEvent, what: string): number {
  const version = ifMatchVersion(event, what);
  if (version === undefined) {
    throw new HttpError(
      428,
      'precondition_required',
      `If-Match is required: send the ETag of the ${what} you read`,
    );
  }
  return version;
}
