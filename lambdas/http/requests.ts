import type { Principal } from './auth';
import { HttpError } from './responses';
import { RpcError } from '../platform/rpc';

/** Who did it, for queue_history: the key id, never the key (staff and admin keys have no customer). */
export function actorOf(principal: Principal | null): string {
  return principal ? `${principal.role}:${principal.keyId}` : 'anonymous';
}

/**
 * A person's request about a business's account on a directory, as reveal_directory_account and
 * mark_directory_account_verified take it: which account, who asks (actorOf) and why.
 */
export function accountRequest(
  principal: Principal | null,
  body: { customer_id: string; directory_id: string; reason: string },
): { p_customer_id: string; p_directory_id: string; p_actor: string; p_reason: string } {
  return {
    p_customer_id: body.customer_id,
    p_directory_id: body.directory_id,
    p_actor: actorOf(principal),
    p_reason: body.reason,
  };
}

/**
 * The SQL functions' refusals that are the client's business: a duplicate (23505) or a row in use
 * (55006) is 409; a table check the schema could not see (23514) is 400; an unknown row (P0002) is 404;
 * a stale If-Match (PT412, PostgREST's way to say HTTP 412) is 412.
 * Anything else passes through to the handler layer (400 for 22xxx, 503 unreachable, 500 otherwise).
 */
export function clientError(error: unknown): unknown {
  if (!(error instanceof RpcError)) return error;
  switch (error.code) {
    case '23505':
    case '55006':
      return new HttpError(409, 'conflict', error.message);
    case '23514':
      return new HttpError(400, 'invalid_body', 'a value is outside what the database accepts');
    case 'P0002':
      return new HttpError(404, 'not_found', error.message);
    case 'PT412':
      return new HttpError(412, 'precondition_failed', error.message);
    default:
      return error;
  }
}

/** Runs an RPC and maps its client errors (clientError). */
export async function rpcOrClientError<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (error) {
    throw clientError(error);
  }
}

export const notFound = (what: string): HttpError => new HttpError(404, 'not_found', `${what} not found`);
