/**
 * API keys of a deployed stack, in API Gateway and Postgres at once (scripts/api-keys/key-sync.ts):
 *
 *   npx tsx scripts/api-keys.ts create --role admin [--label "first admin"] [--expires-in 90d]
 *   npx tsx scripts/api-keys.ts create --role customer --customer <customer uuid>
 *   npx tsx scripts/api-keys.ts rotate --key-id <uuid> [--grace 24h | --grace 0]
 *   npx tsx scripts/api-keys.ts revoke --key-id <uuid>
 *   npx tsx scripts/api-keys.ts retire
 *   npx tsx scripts/api-keys.ts list [--customer <uuid>]
 *
 * Locally, `npm start`'s keys are managed with local/runtime/api-keys.ts instead (no API Gateway there).
 */
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { createClient } from '@supabase/supabase-js';
import { rpcThrough, type Rpc } from '../lambdas/platform/rpc';
import { keyExpiry, rotationGrace } from '../lambdas/http/auth';
import { API_ACCESS, API_ROLES, type ApiRole } from '../lambdas/platform/system-config';
import { API_STACK } from '../lib/stacks/stack-outputs';
import type { GatewayKeys, GatewayTarget } from './api-keys/key-sync';
import { createKey, listKeys, retireKeys, revokeKey, rotateKey } from './api-keys/key-sync';
import { KEY_COMMAND_OPTIONS } from './api-keys/key-options';

export const USAGE = `Issue, rotate, revoke and list API keys of a deployed DirectoryBolt API, in API Gateway
(the key on its tier's usage plan) and in Postgres (its SHA-256 and principal) in one step.

Usage:
  npx tsx scripts/api-keys.ts create --role <admin|staff|customer> [--customer <uuid>] [--label <text>]
                                    [--expires-in <n>m|h|d | --expires-at <ISO 8601 time with zone>]
  npx tsx scripts/api-keys.ts rotate --key-id <uuid> [--grace <n>m|h|d | --grace 0]
  npx tsx scripts/api-keys.ts revoke --key-id <uuid>
  npx tsx scripts/api-keys.ts retire
  npx tsx scripts/api-keys.ts list [--customer <uuid>]

Options:
  --expires-in, --expires-at   the key is refused from then on (default: no expiry)
  --grace <n>m|h|d   how long the old key keeps working after rotate (default ${API_ACCESS.rotationGraceSeconds / 3600}h);
                    each use in that time is logged; 0 for a leaked key: stopped in both places at once
  --stack <name>    the API stack (default ${API_STACK.name}); its outputs name the usage plans,
                    the Supabase URL and the service key's secret
  --region <name>   AWS region (default: the SDK's, e.g. AWS_REGION or the profile's)
  --help            this text

AWS credentials come from the SDK's usual chain (AWS_PROFILE, SSO, environment). The Supabase service
key is read from the stack's secret, or taken from SUPABASE_SERVICE_KEY; SUPABASE_URL overrides the
stack's Supabase URL. A new key is printed once, as JSON on stdout: store it now.
Revocation takes effect at once in both places. A rotated key stops in Postgres when its grace ends;
\`retire\` then disables it (and every expired or revoked key) in API Gateway: run it after the grace,
e.g. daily. \`list\` shows which keys are not yet in step.`;

export interface CliDeps {
  /** The deployed stack: the API Gateway port, where keys go, and the RPC to Supabase. */
  connect(options: { stack: string; region?: string }): Promise<{
    gateway: GatewayKeys;
    target: GatewayTarget;
    rpc: Rpc;
  }>;
  out(text: string): void;
  err(text: string): void;
}

/** Runs one command; returns the exit code (0 done, 1 failed or incomplete, 2 usage). */
export async function runCli(argv: string[], deps: CliDeps): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        ...KEY_COMMAND_OPTIONS,
        stack: { type: 'string', default: API_STACK.name },
        region: { type: 'string' },
        help: { type: 'boolean' },
      },
    });
  } catch (error) {
    deps.err(`api-keys: ${(error as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  const { positionals, values } = parsed;
  const command = positionals[0];
  if (values.help) {
    deps.out(`${USAGE}\n`);
    return 0;
  }
  const usage = (message: string) => {
    deps.err(`api-keys: ${message}\n\n${USAGE}\n`);
    return 2;
  };
  if (command === 'create' && !API_ROLES.includes(values.role as ApiRole)) {
    return usage(`--role must be one of ${API_ROLES.join(', ')}`);
  }
  if ((command === 'rotate' || command === 'revoke') && !values['key-id'])
    return usage('--key-id is required');
  if (!['create', 'rotate', 'revoke', 'retire', 'list'].includes(command ?? '')) {
    return usage(command ? `unknown command ${command}` : 'a command is required');
  }
  let expiresAt: string | null;
  let graceSeconds: number;
  try {
    expiresAt = keyExpiry({ expiresAt: values['expires-at'], expiresIn: values['expires-in'] });
    graceSeconds = rotationGrace(values.grace);
  } catch (error) {
    return usage((error as Error).message);
  }

  try {
    const connection = await deps.connect({ stack: values.stack, region: values.region });
    let result: { incomplete?: string[] } & Record<string, unknown>;
    if (command === 'create') {
      result = {
        ...(await createKey(connection, {
          role: values.role as ApiRole,
          customerId: values.customer ?? null,
          label: values.label ?? null,
          expiresAt,
        })),
      };
      deps.err('The key is shown once, below: store it now (only its SHA-256 is kept).\n');
    } else if (command === 'rotate') {
      const rotated = await rotateKey(connection, values['key-id']!, graceSeconds);
      result = { ...rotated };
      deps.err(
        rotated.old_key_expires_at
          ? `The new key is shown once, below: store it now. The old key works until ${rotated.old_key_expires_at} ` +
              '(each use is logged); run retire after that to disable it in API Gateway.\n'
          : 'The new key is shown once, below: store it now. The old key no longer works.\n',
      );
    } else if (command === 'revoke') {
      result = { ...(await revokeKey(connection, values['key-id']!)) };
    } else if (command === 'retire') {
      result = { ...(await retireKeys(connection)) };
    } else {
      result = { ...(await listKeys(connection, values.customer ?? null)) };
    }
    deps.out(`${JSON.stringify(result, null, 2)}\n`);
    if (result.incomplete?.length) {
      deps.err(`api-keys: not finished:\n${result.incomplete.map((line) => `  - ${line}`).join('\n')}\n`);
      return 1;
    }
    return 0;
  } catch (error) {
    deps.err(`api-keys: ${(error as Error).message}\n`);
    return 1;
  }
}

/** The real thing: the stack's outputs from CloudFormation, API Gateway, and Supabase over HTTPS. */
async function connectToAws(options: { stack: string; region?: string }) {
  const aws = await import('./api-keys/aws');
  const clients = aws.awsClients(options.region);
  const deployed = await aws.readDeployedApi(clients.cloudFormation, options.stack);
  const serviceKey =
    process.env.SUPABASE_SERVICE_KEY?.trim() ||
    (await aws.readServiceKey(clients.secretsManager, deployed.supabaseServiceKeySecret));
  const url = process.env.SUPABASE_URL?.trim() || deployed.supabaseUrl;
  const supabase = createClient(url, serviceKey, { accessToken: async () => serviceKey });
  return {
    gateway: aws.apiGatewayKeys(clients.apiGateway),
    target: deployed.target,
    rpc: rpcThrough(supabase),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runCli(process.argv.slice(2), {
    connect: connectToAws,
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    // Exit once stdout is flushed: the SDK's keep-alive sockets would otherwise hold the process a while.
  }).then((code) => process.stdout.write('', () => process.exit(code)));
}
