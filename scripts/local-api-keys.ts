/**
 * API keys of the local stack, from the command line, over the same SQL functions the API uses:
 *
 *   npx tsx scripts/local-api-keys.ts create --role staff [--label ops] [--expires-in 90d | --expires-at <ISO time>]
 *   npx tsx scripts/local-api-keys.ts create --role customer --customer <customer uuid>
 *   npx tsx scripts/local-api-keys.ts rotate --key-id <uuid> [--grace 24h | --grace 0]
 *   npx tsx scripts/local-api-keys.ts revoke --key-id <uuid>
 *   npx tsx scripts/local-api-keys.ts list [--customer <uuid>]
 *
 * It connects to DATABASE_URL (default: the embedded database `npm start` runs). A key is printed
 * once, at creation or rotation; only its SHA-256 is stored. After a rotation the old key keeps
 * working for the grace period (API_ACCESS.rotationGraceSeconds unless --grace says otherwise).
 * A deployed stack's keys live in API Gateway too: use scripts/api-keys.ts for those.
 */
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { keyExpiry, rotationGrace } from '../lambdas/http/auth';
import type { ApiRole } from '../lambdas/platform/system-config';
import { createApiKey, listApiKeys, revokeApiKey, rotateApiKey } from '../local/runtime/api-keys';
import { KEY_COMMAND_OPTIONS } from './api-keys/key-options';

async function cli(argv: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      ...KEY_COMMAND_OPTIONS,
    },
  });
  // Bad options fail before the database is started.
  const expiresAt = keyExpiry({ expiresAt: values['expires-at'], expiresIn: values['expires-in'] });
  const graceSeconds = rotationGrace(values.grace);
  const { readLocalConfig } = await import('../local/runtime/config');
  const { startDatabase } = await import('../local/runtime/database');
  const path = await import('node:path');
  const config = readLocalConfig();
  const database = await startDatabase({
    databaseUrl: config.DATABASE_URL,
    dataDir: path.resolve(config.LOCAL_DATA_DIR, 'postgres'),
  });
  const pool = new pg.Pool({ connectionString: database.url, max: 2 });
  try {
    const command = positionals[0];
    let out: unknown;
    if (command === 'create') {
      const role = values.role as ApiRole | undefined;
      if (role !== 'customer' && role !== 'staff' && role !== 'admin') {
        throw new Error('--role must be customer, staff or admin');
      }
      out = await createApiKey(pool, {
        role,
        customerId: values.customer ?? null,
        label: values.label ?? null,
        expiresAt,
      });
    } else if (command === 'rotate' && values['key-id']) {
      out = await rotateApiKey(pool, values['key-id'], graceSeconds);
    } else if (command === 'revoke' && values['key-id']) {
      out = await revokeApiKey(pool, values['key-id']);
    } else if (command === 'list') {
      out = await listApiKeys(pool, values.customer ?? null);
    } else {
      throw new Error(
        'usage: local-api-keys.ts create --role <role> [--customer <id>] [--expires-in 90d | --expires-at <time>]' +
          ' | rotate --key-id <id> [--grace 24h | --grace 0] | revoke --key-id <id> | list',
      );
    }
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  } finally {
    await pool.end();
    await database.stop();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  cli(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`local-api-keys: ${(error as Error).message}\n`);
    process.exit(1);
  });
}
