/**
 * Keeps /tmp from filling across warm invocations.
 *
 * Lambda's /tmp (SUBMITTER.ephemeralStorageMb) survives between invocations of one execution
 * environment, and a crashed runtime process restarts in the same environment. A browser that
 * exits normally removes its own files; one killed (OOM, SIGKILL, timeout) leaves them behind, and
 * each relaunch adds more. Before every launch we remove what dead browsers left:
 *
 * - `playwright_chromiumdev_profile-*`: the browser's user-data directory (cache up to
 *   --disk-cache-size, GPU/shader caches, crash state). Live if a running process was started with
 *   `--user-data-dir=<it>`.
 * - `playwright-artifacts-*`: Playwright's per-browser directory for downloads, traces and videos
 *   (screenshots are never written to disk here: they are returned as buffers). It is created just
 *   before its browser starts, so one older than the oldest running browser belongs to none.
 * - `.org.chromium.Chromium.*`: shared-memory files Chromium creates in /tmp because of
 *   --disable-dev-shm-usage and unlinks at once; one still there after a while was left by a crash.
 *
 * The decompressed Chromium (/tmp/chromium, /tmp/al2023 ...) and anything else is never touched.
 * Entries younger than `minAgeMs` are always kept: a browser being launched right now has created
 * its directories but may not be visible as a process yet. Reading /proc makes this Linux-only,
 * which both Lambda and the local runtime are; elsewhere it removes nothing.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface TmpCleanupOptions {
  /** Default: os.tmpdir(), where Playwright and Chromium put them. */
  dir?: string;
  minAgeMs: number;
  now?: number;
}

const PROFILE = /^playwright_chromium(dev)?_profile-/;
const ARTIFACTS = /^playwright-artifacts-/;
const SHM = /^\.org\.chromium\.Chromium\./;

interface LiveBrowsers {
  userDataDirs: Set<string>;
  /** Start time (ms since the epoch) of the oldest running browser, Infinity if none. */
  oldestStartMs: number;
}

function liveBrowsers(): LiveBrowsers {
  const userDataDirs = new Set<string>();
  let oldestStartMs = Infinity;
  let bootMs: number;
  try {
    const btime = /^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'));
    bootMs = Number(btime?.[1]) * 1000;
  } catch {
    return { userDataDirs, oldestStartMs: -Infinity }; // no /proc: treat everything as in use
  }
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      const dirArg = args.find((a) => a.startsWith('--user-data-dir='));
      if (!dirArg) continue;
      userDataDirs.add(path.resolve(dirArg.slice('--user-data-dir='.length)));
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Field 22 (starttime, in clock ticks after boot); fields after the ")" of the command name.
      const ticks = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
      oldestStartMs = Math.min(oldestStartMs, bootMs + (ticks * 1000) / 100); // USER_HZ is 100 on Linux
    } catch {
      // the process ended while we looked
    }
  }
  return { userDataDirs, oldestStartMs };
}

/**
 * Removes what crashed browsers left in the temp directory. Returns the names removed.
 *
 * Asynchronous on purpose: a profile is hundreds of files, and removing many of them with rmSync
 * would hold the event loop while every other submission, heartbeat and database connection of the
 * execution environment waits.
 */
export async function cleanStaleBrowserFiles(options: TmpCleanupOptions): Promise<string[]> {
  const dir = options.dir ?? tmpdir();
  const now = options.now ?? Date.now();
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => PROFILE.test(n) || ARTIFACTS.test(n) || SHM.test(n));
  } catch {
    return [];
  }
  if (names.length === 0) return [];
  const live = liveBrowsers();
  const removed: string[] = [];
  for (const name of names) {
    const full = path.join(dir, name);
    try {
      const { mtimeMs } = await stat(full);
      if (now - mtimeMs < options.minAgeMs) continue;
      if (PROFILE.test(name) && live.userDataDirs.has(full)) continue;
      if (ARTIFACTS.test(name) && mtimeMs >= live.oldestStartMs - options.minAgeMs) continue;
      await rm(full, { recursive: true, force: true, maxRetries: 2 });
      removed.push(name);
    } catch {
      // gone already, or not ours to remove: leave it
    }
  }
  return removed;
}
