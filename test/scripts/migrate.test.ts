/**
 * The README's way to apply the migrations to a Supabase project without the Supabase CLI:
 * `DATABASE_URL=<url> npx tsx scripts/migrate.ts --skip-bootstrap`. Here the database already has what a
 * Supabase project has before any migration (the API roles and auth helpers, from supabase/bootstrap),
 * as Supabase would; the command must apply every migration in order, record each one where the
 * Supabase CLI looks (so `supabase db push` agrees afterwards), and not run the bootstrap itself.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const run = promisify(execFile);
let url: string;
let name: string;

beforeAll(async () => {
  const adminUrl = process.env.TEST_PG_ADMIN_URL;
  if (!adminUrl) throw new Error(process.env.TEST_PG_SETUP_ERROR ?? 'TEST_PG_ADMIN_URL is not set');
  name = `dbt_migrate_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const target = new URL(adminUrl);
  target.pathname = `/${name}`;
  url = target.toString();
  // What Supabase already has: roles and the auth schema's helpers.
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  for (const file of (await readdir(path.join(ROOT, 'supabase/bootstrap'))).sort()) {
    await db.query(await readFile(path.join(ROOT, 'supabase/bootstrap', file), 'utf8'));
  }
  await db.end();
});

afterAll(async () => {
  const admin = new pg.Client({ connectionString: process.env.TEST_PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.end();
});

it('applies every migration in order and records it for the Supabase CLI, without the bootstrap', async () => {
  const migrations = (await readdir(path.join(ROOT, 'supabase/migrations')))
    .filter((f) => f.endsWith('.sql'))
    .sort();
  const { stdout } = await run(
    path.join(ROOT, 'node_modules/.bin/tsx'),
    ['scripts/migrate.ts', '--skip-bootstrap'],
    { cwd: ROOT, env: { ...process.env, DATABASE_URL: url } },
  );
  expect(stdout).not.toContain('bootstrap');
  expect(stdout.match(/^migrated .+$/gm)).toEqual(migrations.map((f) => `migrated ${f}`));
  expect(stdout).toContain(`done: ${migrations.length} applied, 0 already applied`);
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    const recorded = await db.query<{ version: string }>(
      'select version from supabase_migrations.schema_migrations order by version',
    );
    expect(recorded.rows.map((r) => r.version)).toEqual(migrations.map((f) => f.slice(0, 14)));
  } finally {
    await db.end();
  }
  // Running it again changes nothing.
  const again = await run(
    path.join(ROOT, 'node_modules/.bin/tsx'),
    ['scripts/migrate.ts', '--skip-bootstrap'],
    {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: url },
    },
  );
  expect(again.stdout).toContain(`done: 0 applied, ${migrations.length} already applied`);
});
