/**
 * local/runtime/migrate.ts against a database that was migrated with migration files the repository no longer
 * has (a developer's kept local database after the migrations were folded into a baseline): refused
 * before anything runs, with one message that names every mismatch and says what to do.
 */
import { cp, mkdtemp, readdir, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { migrate, StaleDatabaseError, SUPABASE_DIR } from '../../../local/runtime/migrate';
import { createEmptyDatabase, pgError, type TestDatabase } from '../../support/database';

let db: TestDatabase;
let dir: string;

/** A copy of supabase/ whose migrations are `files` (name -> SQL) instead of the repository's. */
async function supabaseWith(files: Record<string, string>): Promise<string> {
  const copy = await mkdtemp(path.join(dir, 'supabase-'));
  await cp(SUPABASE_DIR, copy, { recursive: true });
  for (const file of await readdir(path.join(copy, 'migrations')))
    await rm(path.join(copy, 'migrations', file));
  for (const [file, sql] of Object.entries(files)) await writeFile(path.join(copy, 'migrations', file), sql);
  return copy;
}

const OLD_MIGRATIONS = {
  '20250101000000_core_schema.sql': 'create table public.customers (id uuid primary key);',
  '20250101000100_task_functions.sql':
    'create function public.old_claim() returns int language sql as $$ select 1 $$;',
};

async function schemaState() {
  const recorded = await db.pool.query(
    'select version from supabase_migrations.schema_migrations order by version',
  );
  const jobs = await db.pool.query(`select to_regclass('public.jobs') is not null as exists`);
  return { versions: recorded.rows.map((r) => r.version), jobsTable: jobs.rows[0].exists };
}

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'dbt-stale-'));
  db = await createEmptyDatabase();
});
afterEach(async () => {
  await db?.drop();
  await rm(dir, { recursive: true, force: true });
});

describe('a database migrated with migrations the files no longer match', () => {
  it('is refused before anything runs, naming each applied migration that has no file', async () => {
    // Prepare: the database as the old migration files left it
    await migrate(db.url, { supabaseDir: await supabaseWith(OLD_MIGRATIONS) });
    const before = await schemaState();
    // Act: the repository's migrations (a new baseline)
    const error = await pgError(migrate(db.url));
    // Assess
    expect(error).toBeInstanceOf(StaleDatabaseError);
    expect((error as unknown as StaleDatabaseError).mismatches).toEqual([
      '20250101000000_core_schema was applied, but supabase/migrations has no file for it',
      '20250101000100_task_functions was applied, but supabase/migrations has no file for it',
    ]);
    expect(error.message).toMatch(/nothing was applied/);
    expect(error.message).toMatch(/Rebuild this database from empty/);
    expect(await schemaState()).toEqual(before);
    expect(before.jobsTable).toBe(false);
  });

  it('names the kept local data directory to delete when it is the local database', async () => {
    // Prepare
    await migrate(db.url, { supabaseDir: await supabaseWith(OLD_MIGRATIONS) });
    // Act
    const error = await pgError(migrate(db.url, { localDataDir: '/home/dev/app/.local-data/postgres' }));
    // Assess
    expect(error.message).toContain(
      "delete its data directory /home/dev/app/.local-data/postgres (rm -rf '/home/dev/app/.local-data/postgres')",
    );
    expect(error.message).toContain('stop `npm start`');
  });

  it('is refused when a version was applied under another name, or its file was edited', async () => {
    // Prepare: two migrations applied, then one renamed and the other edited
    const supabaseDir = await supabaseWith(OLD_MIGRATIONS);
    await migrate(db.url, { supabaseDir });
    const migrations = path.join(supabaseDir, 'migrations');
    await rename(
      path.join(migrations, '20250101000000_core_schema.sql'),
      path.join(migrations, '20250101000000_baseline_schema.sql'),
    );
    await writeFile(
      path.join(migrations, '20250101000100_task_functions.sql'),
      'create function public.old_claim() returns int language sql as $$ select 2 $$;',
    );
    // Act
    const error = await pgError(migrate(db.url, { supabaseDir }));
    // Assess
    expect((error as unknown as StaleDatabaseError).mismatches).toEqual([
      '20250101000000_core_schema was applied, but the file of version 20250101000000 is now 20250101000000_baseline_schema.sql',
      'supabase/migrations/20250101000100_task_functions.sql was changed after it was applied',
    ]);
  });
});
