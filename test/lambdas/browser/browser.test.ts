/**
 * BrowserManager on real Chromium (@sparticuz/chromium): warm reuse, relaunch after the browser
 * process dies, fresh contexts, flags chosen on purpose; plus a fake browser for the close timeout.
 */
import { spawn } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import {
  BrowserManager,
  chromiumArgs,
  sparticuzExecutablePath,
  type LoggerPort,
} from '../../../lambdas/browser/browser';
import { fillAndSubmit } from '../../../lambdas/form-filling/fill-flow';
import { classifyError, SubmissionError } from '../../../lambdas/browser/submission-error';
import { cleanStaleBrowserFiles } from '../../../lambdas/browser/tmp-cleanup';
import { startDemoSite, type DemoSite } from '../../../local/demo-site/server';
import { PROFILE } from '../../support/business-fixtures';

const logs: Array<{ level: string; message: string }> = [];
const logger: LoggerPort = {
  info: (message) => logs.push({ level: 'info', message }),
  warn: (message) => logs.push({ level: 'warn', message }),
  error: (message) => logs.push({ level: 'error', message }),
};

let manager: BrowserManager;
let site: DemoSite;
beforeAll(async () => {
  manager = new BrowserManager({ resolveExecutablePath: sparticuzExecutablePath, logger });
  site = await startDemoSite();
});
afterAll(async () => {
  await manager?.close();
  await site?.stop();
});

/** Chromium browser processes started by this (jest worker) process. */
function chromiumChildren(executablePath: string): Array<{ pid: number; args: string[] }> {
  const found: Array<{ pid: number; args: string[] }> = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== process.pid) continue;
      const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').filter(Boolean);
      if (args[0] === executablePath) found.push({ pid: Number(entry), args });
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

test('flags: no web-security or insecure-content switches, Lambda essentials present', async () => {
  for (const args of [manager.launchArgs, chromiumArgs({ singleProcess: true })]) {
    expect(args).not.toContain('--disable-web-security');
    expect(args).not.toContain('--allow-running-insecure-content');
    expect(args).toEqual(
      expect.arrayContaining([
        '--no-sandbox',
        '--no-zygote',
        '--disable-dev-shm-usage',
        '--disable-background-networking',
        '--disable-component-update',
      ]),
    );
  }
  expect(manager.launchArgs).not.toContain('--single-process');
  expect(() => chromiumArgs({ extraArgs: ['--disable-web-security'] })).toThrow(/Refusing/);
  expect(() => chromiumArgs({ extraArgs: ['--remote-debugging-port=9222'] })).toThrow(/Refusing/);

  // What the running process was really given (ours plus Playwright's defaults).
  await manager.getBrowser();
  const [proc] = chromiumChildren(await sparticuzExecutablePath());
  expect(proc).toBeDefined();
  expect(proc!.args).not.toContain('--disable-web-security');
  expect(proc!.args).not.toContain('--allow-running-insecure-content');
  expect(proc!.args).not.toContain('--enable-unsafe-swiftshader');
  expect(proc!.args).toContain('--no-sandbox');
});

test('one browser reused across submissions; each gets a fresh, closed context', async () => {
  const launches = manager.launchCount;
  const contexts: BrowserContext[] = [];
  const cookies = await Promise.all(
    [1, 2, 3].map((n) =>
      manager.withContext(async (context) => {
        contexts.push(context);
        const page = await context.newPage();
        await page.setContent('<p>hi</p>');
        await context.addCookies([{ name: `c${n}`, value: 'x', url: 'http://example.invalid' }]);
        return (await context.cookies()).map((c) => c.name);
      }),
    ),
  );
  expect(cookies).toEqual([['c1'], ['c2'], ['c3']]); // nothing leaks between contexts
  expect(manager.launchCount).toBe(launches);
  const browser = await manager.getBrowser();
  expect(browser.contexts()).toHaveLength(0); // all closed
  expect(contexts.every((c) => !browser.contexts().includes(c))).toBe(true);
});

test('the context is closed when the submission throws', async () => {
  await expect(
    manager.withContext(async (context) => {
      await context.newPage();
      throw new Error('boom');
    }),
  ).rejects.toThrow('boom');
  expect((await manager.getBrowser()).contexts()).toHaveLength(0);
});

test('relaunch after the browser process is killed', async () => {
  const browser = await manager.getBrowser();
  const launches = manager.launchCount;
  const executablePath = await sparticuzExecutablePath();
  const procs = chromiumChildren(executablePath);
  expect(procs).toHaveLength(1);

  const disconnected = new Promise<void>((resolve) => browser.once('disconnected', () => resolve()));
  process.kill(procs[0]!.pid, 'SIGKILL');
  await disconnected;

  const title = await manager.withContext(async (context) => {
    const page = await context.newPage();
    await page.setContent('<title>alive</title>');
    return page.title();
  });
  expect(title).toBe('alive');
  expect(manager.launchCount).toBe(launches + 1);
  expect(await manager.getBrowser()).not.toBe(browser);
  expect(logs.some((l) => l.level === 'warn' && /disconnected/.test(l.message))).toBe(true);
});

test('relaunch after the browser was closed underneath the manager', async () => {
  const browser = await manager.getBrowser();
  const launches = manager.launchCount;
  await browser.close();
  const ok = await manager.withContext(async (context) => (await context.newPage()).evaluate('1 + 1'));
  expect(ok).toBe(2);
  expect(manager.launchCount).toBe(launches + 1);
});

test('parallel first use launches one browser (single flight)', async () => {
  const fresh = new BrowserManager({ resolveExecutablePath: sparticuzExecutablePath });
  try {
    const [a, b, c] = await Promise.all([fresh.getBrowser(), fresh.getBrowser(), fresh.getBrowser()]);
    expect(a).toBe(b);
    expect(b).toBe(c);
    expect(fresh.launchCount).toBe(1);
  } finally {
    await fresh.close();
  }
});

test('a context that never closes does not hang the submission; its browser is dropped', async () => {
  // A fake browser whose contexts never finish closing.
  let browserClosed = false;
  const context = {
    close: () => new Promise<void>(() => {}),
    on: () => undefined,
    pages: () => [],
  } as unknown as BrowserContext;
  const fakeBrowser = {
    isConnected: () => !browserClosed,
    newContext: async () => context,
    on: () => undefined,
    version: () => 'fake',
    once: () => undefined,
    off: () => undefined,
    contexts: () => [],
    close: async () => {
      browserClosed = true;
    },
  } as unknown as Browser;
  let launched = 0;
  const fake = new BrowserManager({
    resolveExecutablePath: async () => '/fake/chromium',
    launcher: {
      launch: async () => {
        launched += 1;
        return fakeBrowser;
      },
    },
    closeTimeoutMs: 200,
    logger,
  });

  const started = Date.now();
  await expect(fake.withContext(async () => 'done')).resolves.toBe('done');
  expect(Date.now() - started).toBeLessThan(2_000);
  expect(browserClosed).toBe(true);
  expect(logs.some((l) => l.level === 'error' && /timed out/.test(l.message))).toBe(true);
  expect(launched).toBe(1);
});

test('a browser killed mid-submission: that submission fails transient, the next one succeeds on a relaunched browser', async () => {
  await manager.getBrowser();
  const launches = manager.launchCount;
  const pid = manager.browserPid;
  expect(pid).toBeDefined();

  const error = await manager
    .withContext(async (context) => {
      const page = await context.newPage();
      // Kill Chromium once the slow form page has been requested: the submission is in flight.
      page.on('request', (request) => {
        if (request.url().includes('/forms/slow')) process.kill(pid!, 'SIGKILL');
      });
      return fillAndSubmit(page, {
        url: `${site.url}/forms/slow?ms=5000`,
        profile: PROFILE,
        timeouts: { navigationMs: 15_000, actionMs: 3_000 },
      });
    })
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  expect(error).toBeInstanceOf(SubmissionError);
  expect((error as SubmissionError).kind).toBe('transient');
  expect(['browser_closed', 'network']).toContain((error as SubmissionError).code);

  site.reset();
  const result = await manager.withContext(async (context) =>
    fillAndSubmit(await context.newPage(), { url: `${site.url}/forms/plain`, profile: PROFILE }),
  );
  expect(result.status).toBe('submitted');
  expect(site.submissions().filter((s) => s.accepted)).toHaveLength(1);
  expect(manager.launchCount).toBe(launches + 1);
  expect(manager.browserPid).not.toBe(pid);
});

test('parallel submissions are bounded by maxParallelContexts; the browser is retired after maxPagesPerBrowser pages', async () => {
  const bounded = new BrowserManager({
    resolveExecutablePath: sparticuzExecutablePath,
    maxParallelContexts: 2,
    maxPagesPerBrowser: 3,
  });
  try {
    let open = 0;
    let mostOpen = 0;
    const browsers: Browser[] = [];
    await Promise.all(
      [1, 2, 3, 4, 5].map(() =>
        bounded.withContext(async (context) => {
          open += 1;
          mostOpen = Math.max(mostOpen, open);
          browsers.push(context.browser()!);
          const page = await context.newPage();
          await page.setContent('<p>work</p>');
          await page.evaluate('new Promise((r) => setTimeout(r, 50))');
          open -= 1;
        }),
      ),
    );
    expect(mostOpen).toBe(2);
    // Five pages with a budget of three per browser: a second browser was launched ...
    expect(bounded.launchCount).toBe(2);
    const first = browsers[0]!;
    expect(browsers.filter((b) => b === first).length).toBeLessThanOrEqual(4); // contexts opened before retirement
    // ... and the retired one was closed once its last context closed.
    expect(first.isConnected()).toBe(false);
    expect((await bounded.getBrowser()).isConnected()).toBe(true);
  } finally {
    await bounded.close();
  }
});

test('/tmp cleanup removes what dead browsers left and keeps what live ones use', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tmp-cleanup-test-'));
  const old = (Date.now() - 10 * 60_000) / 1000;
  const make = (name: string, kind: 'dir' | 'file', age: 'old' | 'new'): string => {
    const full = path.join(dir, name);
    if (kind === 'dir') {
      mkdirSync(full);
      writeFileSync(path.join(full, 'Cookies'), 'x');
    } else writeFileSync(full, '');
    if (age === 'old') utimesSync(full, old, old);
    return full;
  };
  make('playwright_chromiumdev_profile-dead', 'dir', 'old');
  const liveProfile = make('playwright_chromiumdev_profile-live', 'dir', 'old');
  make('playwright_chromiumdev_profile-starting', 'dir', 'new');
  make('playwright-artifacts-dead', 'dir', 'old');
  make('.org.chromium.Chromium.abc123', 'file', 'old');
  make('.org.chromium.Chromium.fresh1', 'file', 'new');
  make('chromium', 'file', 'old'); // the decompressed binary: never touched
  make('somebody-elses-dir', 'dir', 'old');
  // A live "browser" using the live profile (a process whose command line names it).
  const live = spawn(process.execPath, [
    '-e',
    'setTimeout(() => {}, 30000)',
    '--', // the flag belongs to the script: Node itself would refuse it and exit at once
    `--user-data-dir=${liveProfile}`,
  ]);
  try {
    await new Promise((resolve) => live.once('spawn', resolve));
    const removed = await cleanStaleBrowserFiles({ dir, minAgeMs: 60_000 });
    expect(removed.sort()).toEqual(
      [
        '.org.chromium.Chromium.abc123',
        'playwright-artifacts-dead',
        'playwright_chromiumdev_profile-dead',
      ].sort(),
    );
    expect(readdirSync(dir).sort()).toEqual(
      [
        '.org.chromium.Chromium.fresh1',
        'chromium',
        'playwright_chromiumdev_profile-live',
        'playwright_chromiumdev_profile-starting',
        'somebody-elses-dir',
      ].sort(),
    );
  } finally {
    live.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});

test('proxy flags cannot be overridden, WebRTC cannot bypass the proxy', () => {
  expect(chromiumArgs()).toContain('--force-webrtc-ip-handling-policy=disable_non_proxied_udp');
  expect(chromiumArgs({ proxyServer: 'http://127.0.0.1:1' })).toEqual(
    expect.arrayContaining(['--proxy-server=http://127.0.0.1:1', '--proxy-bypass-list=<-loopback>']),
  );
  expect(() => chromiumArgs({ extraArgs: ['--no-proxy-server'] })).toThrow(/Refusing/);
  expect(() => chromiumArgs({ extraArgs: ['--proxy-bypass-list=*'] })).toThrow(/Refusing/);
});

test('a browser killed while a page is being opened: withContext rejects at once instead of hanging', async () => {
  await manager.getBrowser();
  const pid = manager.browserPid!;
  const error = await manager
    .withContext(async (context) => {
      process.kill(pid, 'SIGKILL');
      const page = await context.newPage(); // Playwright may never settle this one
      await page.goto(`${site.url}/forms/plain`);
    })
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  expect(String(error)).toMatch(/closed|disconnected/i);
  expect(classifyError(error)).toBe('transient');
  expect(await manager.withContext(async (context) => (await context.newPage()).evaluate('6 * 7'))).toBe(42);
});
