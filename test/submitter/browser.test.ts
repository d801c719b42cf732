/**
 * BrowserManager on real Chromium (@sparticuz/chromium): warm reuse, relaunch after the browser
 * process dies, fresh contexts, flags chosen on purpose; plus a fake browser for the close timeout.
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { Browser, BrowserContext } from 'playwright-core';
import {
  BrowserManager,
  chromiumArgs,
  sparticuzExecutablePath,
  type LoggerPort,
} from '../../lambdas/submitter/browser';

const logs: Array<{ level: string; message: string }> = [];
const logger: LoggerPort = {
  info: (message) => logs.push({ level: 'info', message }),
  warn: (message) => logs.push({ level: 'warn', message }),
  error: (message) => logs.push({ level: 'error', message }),
};

let manager: BrowserManager;
beforeAll(() => {
  manager = new BrowserManager({ resolveExecutablePath: sparticuzExecutablePath, logger });
});
afterAll(async () => {
  await manager?.close();
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
  const context = { close: () => new Promise<void>(() => {}) } as unknown as BrowserContext;
  const fakeBrowser = {
    isConnected: () => !browserClosed,
    newContext: async () => context,
    on: () => undefined,
    version: () => 'fake',
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
