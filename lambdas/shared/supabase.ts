import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { optionalEnv, requireEnv } from './env';
import { readSecret } from './secrets';

let client: Promise<SupabaseClient> | undefined;

/**
 * The service-role client, created once per execution environment.
 * The key is either given directly (SUPABASE_SERVICE_KEY) or, as the stacks deploy it, read once
 * from Secrets Manager (SUPABASE_SERVICE_KEY_SECRET_ARN) so it never sits in the template; a read
 * that fails for a moment is retried with backoff before the invocation gives up.
 */
export function supabaseClient(): Promise<SupabaseClient> {
  client ??= (async () => {
    const url = requireEnv('SUPABASE_URL');
    const key = optionalEnv('SUPABASE_SERVICE_KEY') ?? (await readKeyFromSecret());
    // The service key is the only credential: given as the access token, supabase-js sends it as the
    // bearer without asking its auth client for a session on every call (that auth client, unused
    // here, is then not created at all).
    return createClient(url, key, { accessToken: async () => key });
  })().catch((error: unknown) => {
    client = undefined; // a failed start-up is retried by the next invocation, not cached
    throw error;
  });
  return client;
}

/**
 * The key is the secret's plain string value (not JSON). A Secrets Manager outage is retried inside
 * this invocation (readSecret): failing here fails the whole SQS batch, a receive of every message.
 */
async function readKeyFromSecret(): Promise<string> {
  return (await readSecret(requireEnv('SUPABASE_SERVICE_KEY_SECRET_ARN'))).trim();
}
