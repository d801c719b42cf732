/**
 * The embedded PostgreSQL where a fresh machine puts it: the clone (binaries and data) under a mode-700
 * directory (/root, or a user's home), started as root and as the directory's non-root owner; and
 * `npm start` stopped by Ctrl-C (SIGINT to its whole process group, as a terminal sends it).
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, cpSync, lstatSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort } from '../../../local/runtime/database';
import { packagedInstallDir, startPostgres } from '../../../local/emulators/postgres';
import { listProcesses } from '../../support/processes';

const ROOT = path.resolve(import.meta.dirname, '..', '..', '..');
const asRoot = process.getuid?.() === 0;
const dirs: string[] = [];

/** A mode-700 directory holding a copy of the PostgreSQL installation, like a clone in /root. */
async function privateClone(): Promise<{ home: string; installDir: string; dataDir: string }> {
  const home = mkdtempSync(path.join(tmpdir(), 'directorybolt-home-'));
  dirs.push(home);
  const installDir = path.join(home, 'clone', 'pg');
  cpSync(await packagedInstallDir(), installDir, { recursive: true, verbatimSymlinks: true });
  chmodSync(home, 0o700);
  return { home, installDir, dataDir: path.join(home, 'clone', '.local-data', 'postgres') };
}

function chownTree(dir: string, uid: number, gid: number): void {
  chownSync(dir, uid, gid);
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const file = path.join(entry.parentPath, entry.name);
    if (!lstatSync(file).isSymbolicLink()) chownSync(file, uid, gid);
  }
}

async function query(url: string, sql: string): Promise<Record<string, unknown>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows[0] as Record<string, unknown>;
  } finally {
    await client.end();
  }
}

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

it('starts from binaries and data under a mode-700 directory, as whoever runs the tests', async () => {
  const { installDir, dataDir } = await privateClone();
  const stateDir = mkdtempSync(path.join(tmpdir(), 'directorybolt-state-'));
  dirs.push(stateDir);
  chmodSync(stateDir, 0o755);
  const notices: string[] = [];
  const port = await freePort();

  const server = await startPostgres({
    dataDir,
    port,
    user: 'postgres',
    password: 'postgres',
    settings: { listen_addresses: '127.0.0.1', unix_socket_directories: '' },
    ephemeral: true,
    installDir,
    stateDir,
    log: (message) => notices.push(message),
  });
  try {
    const row = await query(
      `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
      "select current_setting('data_directory') as data",
    );
    if (asRoot) {
      // The `postgres` user cannot enter the directory: a copy of the binaries runs, the data moved.
      expect(server.dataDir).toMatch(new RegExp(`^${stateDir}/data-[0-9a-f]{12}$`));
      expect(notices.join('\n')).toContain(`running a copy in ${stateDir}/postgresql-17`);
      expect(notices.join('\n')).toContain(`its data is in ${server.dataDir}`);
    } else {
      expect(server.dataDir).toBe(dataDir);
    }
    expect(row.data).toBe(server.dataDir);
  } finally {
    await server.stop();
  }
  expect(readdirSync(path.dirname(server.dataDir))).not.toContain(path.basename(server.dataDir));
});

it("starts as the non-root owner of a mode-700 directory (a child process with the owner's uid)", async () => {
  const { home, installDir, dataDir } = await privateClone();
  // As root, the child becomes `nobody` and the directory is its own; else it is this user's already.
  const user = asRoot
    ? {
        uid: Number(spawnSync('id', ['-u', 'nobody'], { encoding: 'utf8' }).stdout),
        gid: Number(spawnSync('id', ['-g', 'nobody'], { encoding: 'utf8' }).stdout),
      }
    : undefined;
  if (user) chownTree(home, user.uid, user.gid);
  const port = await freePort();
  // The child loads the project's code first, then drops privileges (the clone itself may be under
  // a directory the user cannot enter, as in a fresh machine's /root).
  const script = `
    const { startPostgres } = await import(${JSON.stringify(path.join(ROOT, 'local', 'emulators', 'postgres.ts'))});
    const { default: pg } = await import('pg');
    const user = ${JSON.stringify(user ?? null)};
    if (user) { process.setgroups([user.gid]); process.setgid(user.gid); process.setuid(user.uid); }
    const server = await startPostgres({
      dataDir: ${JSON.stringify(dataDir)}, port: ${port}, user: 'postgres', password: 'postgres',
      settings: { listen_addresses: '127.0.0.1', unix_socket_directories: '' },
      installDir: ${JSON.stringify(installDir)}, ephemeral: true,
    });
    const client = new pg.Client({ connectionString: 'postgres://postgres:postgres@127.0.0.1:${port}/postgres' });
    await client.connect();
    const { rows } = await client.query("select current_setting('data_directory') as data");
    await client.end();
    await server.stop();
    console.log('RESULT ' + JSON.stringify({ uid: process.getuid(), data: rows[0].data }));
  `;
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
  });

  const result = /^RESULT (.*)$/m.exec(child.stdout)?.[1];
  expect({ status: child.status, stderr: result ? '' : child.stderr }).toEqual({ status: 0, stderr: '' });
  expect(JSON.parse(result!)).toEqual({ uid: user?.uid ?? process.getuid?.(), data: dataDir });
});

it('npm start stops cleanly on Ctrl-C (SIGINT to its process group) while the demo job runs', async () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'directorybolt-start-'));
  dirs.push(dataDir);
  chmodSync(dataDir, 0o755); // as root, the `postgres` user reaches the data in it (not moved away)
  // Its own process group, as a terminal gives a command it runs.
  const child = spawn('npm', ['start'], {
    cwd: ROOT,
    detached: true,
    // A developer's environment, not this test process's (which holds other tests' Lambda settings).
    env: {
      ...Object.fromEntries(
        ['PATH', 'HOME', 'TMPDIR', 'LANG'].flatMap((name) => {
          const value = process.env[name];
          return value === undefined ? [] : [[name, value]];
        }),
      ),
      LOCAL_DATA_DIR: dataDir,
      LOCAL_METRICS_FILE: path.join(dataDir, 'metrics.jsonl'),
      PORT: '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  // 'close': npm and everything holding its output (the stack's node process) are gone.
  const exited = new Promise<string>((resolve) =>
    child.once('close', (code, signal) => resolve(signal ?? String(code))),
  );
  const deadline = Date.now() + 90_000;
  while (!/^demo job /m.test(output) && Date.now() < deadline && child.exitCode === null) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  expect(output).toMatch(/^demo job /m);

  process.kill(-child.pid!, 'SIGINT');
  const npmExit = await exited;

  // npm's shell dies of the signal and npm then re-raises it on itself, as with any script; the
  // stack's own process stops in order and says so.
  // (Only what follows the signal: the banner holds API keys, which must not reach the test logs.)
  const afterSignal = output.slice(output.indexOf('\nSIGINT: stopping'));
  expect({ npmExit, afterSignal }).toEqual({
    npmExit: expect.stringMatching(/^(0|SIGINT)$/),
    afterSignal: expect.stringMatching(/^\nSIGINT: stopping\n(.*\n)*stopped\n$/),
  });
  expect(afterSignal).not.toMatch(/57P01|terminating connection|^\s+at /m);
  // Nothing left running: not the server (its own process group), not Chromium.
  await new Promise((resolve) => setTimeout(resolve, 500));
  const left = listProcesses().filter((p) => p.args.includes(dataDir) || p.ppid === child.pid);
  expect(left).toEqual([]);
}, 120_000);
