/**
 * Applies the database schema to any PostgreSQL: first supabase/bootstrap (the roles and auth helpers a
 * Supabase project already has; local only, idempotent, run every time), then every file in
 * supabase/migrations in filename order, each inside its own transaction, recorded in
 * supabase_migrations.schema_migrations (the table the Supabase CLI uses, so both agree on what ran).
 *
 * Forward-only: an applied migration whose contents changed is refused, not re-applied.
 * Safe to run concurrently (an advisory lock serializes migrators) and to re-run (applied files are skipped).
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';

export const SUPABASE_DIR = path.resolve(import.meta.dirname, '..', 'supabase');

const MIGRATION_FILE = /^(\d{14})_([a-z0-9_]+)\.sql$/;
/** Arbitrary constant: the advisory lock all migrators of one database take. */
const MIGRATION_LOCK_KEY = 7_245_019_331;

export interface MigrateOptions {
  /** Defaults to the repository's supabase/ directory. */
  supabaseDir?: string;
  /** Skip supabase/bootstrap (e.g. against a real Supabase database, where those objects exist). */
  skipBootstrap?: boolean;
  log?: (message: string) => void;
}

export interface MigrateResult {
  bootstrap: string[];
  applied: string[];
  skipped: string[];
}

interface MigrationFile {
  version: string;
  name: string;
  file: string;
  sql: string;
  checksum: string;
}

async function listSqlFiles(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((f) => f.endsWith('.sql')).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

export async function readMigrations(supabaseDir = SUPABASE_DIR): Promise<MigrationFile[]> {
  const dir = path.join(supabaseDir, 'migrations');
  const files = await listSqlFiles(dir);
  const migrations: MigrationFile[] = [];
  for (const file of files) {
    const match = MIGRATION_FILE.exec(file);
    if (!match) {
      throw new Error(`supabase/migrations/${file}: expected <14-digit timestamp>_<snake_case_name>.sql`);
    }
    const sql = await readFile(path.join(dir, file), 'utf8');
    migrations.push({
      version: match[1]!,
      name: match[2]!,
      file,
      sql,
      checksum: createHash('sha256').update(sql).digest('hex'),
    });
  }
  const versions = new Set<string>();
  for (const m of migrations) {
    if (versions.has(m.version)) throw new Error(`supabase/migrations: version ${m.version} is used twice`);
    versions.add(m.version);
  }
  return migrations;
}

/** Runs bootstrap + migrations against the database at `url` (or an open client). */
export async function migrate(
  target: string | pg.Client,
  options: MigrateOptions = {},
): Promise<MigrateResult> {
  const supabaseDir = options.supabaseDir ?? SUPABASE_DIR;
  const log = options.log ?? (() => undefined);
  const client = typeof target === 'string' ? new pg.Client({ connectionString: target }) : target;
  const ownsClient = typeof target === 'string';
  if (ownsClient) await client.connect();
  const result: MigrateResult = { bootstrap: [], applied: [], skipped: [] };
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      if (!options.skipBootstrap) {
        const dir = path.join(supabaseDir, 'bootstrap');
        for (const file of await listSqlFiles(dir)) {
          const sql = await readFile(path.join(dir, file), 'utf8');
          await inTransaction(client, sql, `supabase/bootstrap/${file}`);
          result.bootstrap.push(file);
          log(`bootstrap ${file}`);
        }
      }

      await client.query(`
        create schema if not exists supabase_migrations;
        create table if not exists supabase_migrations.schema_migrations (version text not null primary key);
        alter table supabase_migrations.schema_migrations add column if not exists statements text[];
        alter table supabase_migrations.schema_migrations add column if not exists name text;
        alter table supabase_migrations.schema_migrations add column if not exists checksum text;
        alter table supabase_migrations.schema_migrations add column if not exists applied_at timestamptz default now();
      `);
      const applied = new Map<string, string | null>(
        (
          await client.query<{ version: string; checksum: string | null }>(
            'select version, checksum from supabase_migrations.schema_migrations',
          )
        ).rows.map((r) => [r.version, r.checksum]),
      );

      for (const m of await readMigrations(supabaseDir)) {
        if (applied.has(m.version)) {
          const checksum = applied.get(m.version);
          if (checksum && checksum !== m.checksum) {
            throw new Error(
              `supabase/migrations/${m.file} was changed after it was applied; migrations are forward-only: ` +
                'restore the file and add a new migration instead',
            );
          }
          result.skipped.push(m.file);
          continue;
        }
        await inTransaction(client, m.sql, `supabase/migrations/${m.file}`, async () => {
          await client.query(
            `insert into supabase_migrations.schema_migrations (version, name, statements, checksum)
             values ($1, $2, $3, $4)`,
            [m.version, m.name, [m.sql], m.checksum],
          );
        });
        result.applied.push(m.file);
        log(`migrated ${m.file}`);
      }
    } finally {
      await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    if (ownsClient) await client.end();
  }
  return result;
}

async function inTransaction(client: pg.Client, sql: string, label: string, after?: () => Promise<void>) {
  await client.query('begin');
  try {
    await client.query(sql);
    if (after) await after();
    await client.query('commit');
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    const pgError = error as pg.DatabaseError;
    const where = pgError.position ? ` (at character ${pgError.position})` : '';
    throw new Error(`${label} failed${where}: ${pgError.message}`, { cause: error });
  }
}

/** Runs supabase/seed.sql (idempotent upserts). */
export async function seed(target: string | pg.Client | pg.Pool, supabaseDir = SUPABASE_DIR): Promise<void> {
  const sql = await readFile(path.join(supabaseDir, 'seed.sql'), 'utf8');
  if (typeof target === 'string') {
    const client = new pg.Client({ connectionString: target });
    await client.connect();
    try {
      await inTransaction(client, sql, 'supabase/seed.sql');
    } finally {
      await client.end();
    }
    return;
  }
  // A multi-statement simple query runs as one implicit transaction.
  await target.query(sql);
}

// DATABASE_URL=<url> npx tsx local/migrate.ts [--skip-bootstrap]
// --skip-bootstrap against a Supabase project (README, Deploy): its roles and auth helpers exist there.
if (process.argv[1] === import.meta.filename) {
  const url = process.env.DATABASE_URL;
  if (!url) {
    console.error('DATABASE_URL is not set');
    process.exit(2);
  }
  const skipBootstrap = process.argv.slice(2).includes('--skip-bootstrap');
  migrate(url, { skipBootstrap, log: (m) => console.log(m) }).then(
    (r) => console.log(`done: ${r.applied.length} applied, ${r.skipped.length} already applied`),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}
