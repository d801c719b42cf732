/**
 * Writes supabase/schema.sql: builds an empty database from supabase/bootstrap and supabase/migrations on
 * a throw-away embedded PostgreSQL and renders its schema (scripts/schema-sql.ts).
 * `npm run schema:write` after adding a migration; test/supabase/schema-file.test.ts fails until it is run.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '../local/runtime/database';
import { migrate, SUPABASE_DIR } from '../local/runtime/migrate';
import { renderSchemaSql } from './schema-sql';

const SCHEMA_SQL = path.join(SUPABASE_DIR, 'schema.sql');

const server = await startEmbeddedPostgres({
  dataDir: await mkdtemp(path.join(os.tmpdir(), 'directorybolt-schema-')),
  ephemeral: true,
});
try {
  await migrate(server.adminUrl);
  const client = new pg.Client({ connectionString: server.adminUrl });
  await client.connect();
  try {
    await writeFile(SCHEMA_SQL, await renderSchemaSql(client));
  } finally {
    await client.end();
  }
  console.log(`wrote ${path.relative(process.cwd(), SCHEMA_SQL)}`);
} finally {
  await server.stop();
}
