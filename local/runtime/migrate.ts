/**
 * Applies the database schema to any PostgreSQL: first supabase/bootstrap (the roles and auth helpers a
 * Supabase project already has; local only, idempotent, run every time), then every file in
 * supabase/migrations in filename order, each inside its own transaction, recorded in
 * supabase_migrations.schema_migrations (the table the Supabase CLI uses, so both agree on what ran).
 *
 * Forward-only: an applied migration whose contents changed is refused, not re-applied. A database that
 * applied migrations which are no longer in supabase/migrations, or are there under another name or with
 * other contents (a kept local database after the migrations were folded into a new baseline), is refused
 * before anything runs, with one message saying how to rebuild it (StaleDatabaseError).
 * Safe to run concurrently (an advisory lock serializes migrators) and to re-run (applied files are skipped).
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';

export const SUPABASE_DIR = path.resolve(import.meta.dirname, '..', '..', 'supabase');

const MIGRATION_FILE = /^(\d{14})_([a-z0-9_]+)\.sql$/;
/** Arbitrary constant: the advisory lock all migrators of one database take. */
const MIGRATION_LOCK_KEY = 7_245_019_331;

export interface MigrateOptions {
  /** Defaults to the repository's supabase/ directory. */
  supabaseDir?: string;
  /** Skip supabase/bootstrap (e.g. against a real Supabase database, where those objects exist). */
  skipBootstrap?: boolean;
  log?: (message: string) => void;
  /**
   * The embedded server's data directory when the database is the kept local one (`npm start`): a stale
   * database is then fixed by deleting it, and the error says so.
   */
  localDataDir?: string;
}

/** The database applied migrations that the files no longer match; nothing was changed. */
export class StaleDatabaseError extends Error {
  constructor(
    readonly mismatches: string[],
    localDataDir?: string,
  ) {
    const remedy = localDataDir
      ? `This is the kept local database: stop \`npm start\`, delete its data directory ${localDataDir} ` +
        `(rm -rf '${localDataDir}'), and start again; it is rebuilt from supabase/migrations and re-seeded.`
      : 'Rebuild this database from empty (drop and create it, then migrate), or restore the migration files ' +
        'it was built from. Never edit or remove a migration once it is deployed: add a new one (supabase/README.md).';
    super(
      'This database was migrated with migrations that supabase/migrations no longer has ' +
        `(they were changed, renamed or replaced, e.g. by a new baseline); nothing was applied:\n` +
        mismatches.map((m) => `  - ${m}`).join('\n') +
        `\n${remedy}`,
    );
    this.name = 'StaleDatabaseError';
  }
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
      const applied = (
        await client.query<{ version: string; name: string | null; checksum: string | null }>(
          'select version, name, checksum from supabase_migrations.schema_migrations order by version',
        )
      ).rows;
      const migrations = await readMigrations(supabaseDir);
      // Every mismatch at once, before anything runs: applying the rest on top of a schema the files no
      // longer describe would fail half-way with an error about some object, not about the cause.
      const mismatches: string[] = [];
      for (const row of applied) {
        const file = migrations.find((m) => m.version === row.version);
        const appliedAs = `${row.version}${row.name ? `_${row.name}` : ''}`;
        if (!file) mismatches.push(`${appliedAs} was applied, but supabase/migrations has no file for it`);
        else if (row.name && row.name !== file.name)
          mismatches.push(
            `${appliedAs} was applied, but the file of version ${row.version} is now ${file.file}`,
          );
        else if (row.checksum && row.checksum !== file.checksum)
          mismatches.push(`supabase/migrations/${file.file} was changed after it was applied`);
      }
      if (mismatches.length > 0) throw new StaleDatabaseError(mismatches, options.localDataDir);

      const appliedVersions = new Set(applied.map((r) => r.version));
      for (const m of migrations) {
        if (appliedVersions.has(m.version)) {
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
