/** Stops the run's PostgreSQL (or, with DATABASE_URL, drops the template and any leftover test databases). */
import { rm } from 'node:fs/promises';
import pg from 'pg';
import { findLeaks, readRunLogs } from './log-scan';

export default async function globalTeardown(): Promise<void> {
  await stopPostgres();
  // Everything the test workers logged, scanned for every secret the fixtures created.
  const { logs, secrets } = readRunLogs();
  const leaks = findLeaks(logs, secrets);
  if (leaks.length > 0) {
    throw new Error(
      `Secrets were logged during the test run:\n${leaks.map((leak) => `  ${leak.what} in ${leak.file}`).join('\n')}`,
    );
  }
}

async function stopPostgres(): Promise<void> {
  const state = globalThis.__DIRECTORYBOLT_TEST_PG__;
  if (!state) return;
  globalThis.__DIRECTORYBOLT_TEST_PG__ = undefined;
  try {
    if (state.external) {
      const admin = new pg.Client({ connectionString: state.adminUrl });
      await admin.connect();
      try {
        const leftovers = await admin.query<{ datname: string }>(
          `select datname from pg_database where starts_with(datname, $1) or datname = $2`,
          [state.databasePrefix, state.templateDb],
        );
        for (const { datname } of leftovers.rows) {
          await admin.query(`alter database ${pg.escapeIdentifier(datname)} with is_template false`);
          await admin.query(`drop database if exists ${pg.escapeIdentifier(datname)} with (force)`);
        }
      } finally {
        await admin.end();
      }
    }
  } finally {
    await state.stop();
    if (state.tmpDir) await rm(state.tmpDir, { recursive: true, force: true });
  }
}
