/**
 * The Lambdas' one way to the database: PostgREST's RPC endpoint (`POST /rest/v1/rpc/<fn>`) with the
 * service-role key, through @supabase/postgrest-js, the query client supabase-js itself uses.
 *
 * Why not supabase-js: data access is RPC-only, and supabase-js also builds its auth, realtime,
 * storage and functions clients; in a bundle that is about 300 KiB and most of a handler's start-up.
 * The requests are the same: same path, body, `apikey` and `Authorization: Bearer` headers,
 * `Content-Profile: public`, the same `{ data, error }` answers and error shapes (PostgREST's
 * `{ code, message, details, hint }`, or `FetchError`-style for a network failure), and no client
 * timeout (the roles' statement_timeout bounds a call). test/lambdas/platform/database.test.ts holds
 * both clients to that against one server.
 */
import { PostgrestClient } from '@supabase/postgrest-js';
import { optionalEnv, requireEnv } from './env';
import { rpcThrough, type Rpc, type RpcClient } from './rpc';
import { readSecretOnFirstUse } from './deferred-secrets';

/** Identifies the caller in Supabase's logs, as supabase-js's own X-Client-Info does. */
const CLIENT_INFO = `directorybolt-postgrest-js; runtime=node; runtime-version=${process.version.replace(/^v/, '')}`;

/** An RPC client for a Supabase URL (the project's, or the local RPC server's) and a key. */
export function createRpcClient(supabaseUrl: string, key: string): RpcClient {
  const base = new URL('rest/v1', supabaseUrl.endsWith('/') ? supabaseUrl : `${supabaseUrl}/`);
  return new PostgrestClient(base.href, {
    headers: { 'X-Client-Info': CLIENT_INFO, apikey: key, Authorization: `Bearer ${key}` },
    schema: 'public',
  });
}

let connection: Promise<Rpc> | undefined;

/**
 * The service-role RPC, created on first use and then kept per execution environment. The key is
 * given directly (SUPABASE_SERVICE_KEY, locally) or, as the stacks deploy it, read from Secrets
 * Manager (SUPABASE_SERVICE_KEY_SECRET_ARN) so it never sits in the template: that read retries a
 * failing Secrets Manager inside the invocation (lambdas/platform/secrets.ts).
 */
export function serviceRpc(): Promise<Rpc> {
  connection ??= (async () => {
    const url = requireEnv('SUPABASE_URL');
    const key = optionalEnv('SUPABASE_SERVICE_KEY') ?? (await readKeyFromSecret());
    return rpcThrough(createRpcClient(url, key));
  })().catch((error: unknown) => {
    connection = undefined; // a failed start-up is retried by the next invocation, not cached
    throw error;
  });
  return connection;
}

/**
 * The key is the secret's plain string value (not JSON). The Secrets Manager client is loaded only
 * here, on the first call that needs it (in Lambda from a file of its own beside the bundle, a deferred
 * module: lib/constructs/platform/lambda-bundling.ts); where the key is given directly it is never loaded.
 */
async function readKeyFromSecret(): Promise<string> {
  return (await readSecretOnFirstUse(requireEnv('SUPABASE_SERVICE_KEY_SECRET_ARN'))).trim();
}
