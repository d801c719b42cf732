/**
 * Chromium for the submitter, one per Lambda execution environment.
 *
 * - One browser per process, kept across invocations (warm reuse) and launched lazily on first use
 *   from @sparticuz/chromium's binary (decompressed to /tmp on a cold start, about 2 s).
 * - A browser that crashed or disconnected is dropped ('disconnected' event, isConnected()) and the
 *   next submission launches a new one.
 * - Each submission gets a fresh BrowserContext (no cookies, storage or cache shared between
 *   customers), which is always closed, its pages first; closing is raced with a timeout so it can
 *   never hang the invocation, and a context that will not close takes its browser down with it
 *   (killed by pid if it will not close either).
 *   "Its own user-data directory": a context from browser.newContext() is Chromium's off-the-record
 *   profile. Cookies, storage, cache and service-worker state live in memory only and are discarded
 *   when the context closes; nothing of it is written to the browser's user-data directory. So each
 *   submission has a profile of its own that no other submission (or later invocation) can read,
 *   without paying a browser launch per submission (see bench/).
 * - At most `maxParallelContexts` contexts are open at once (a semaphore): the records of one SQS
 *   batch run in parallel, but memory stays bounded.
 * - A browser is retired after `maxPagesPerBrowser` pages (renderer memory and cache grow with use):
 *   new submissions get a fresh browser, the old one closes when its last context does.
 * - Before each launch, what crashed browsers left in /tmp is removed (tmp-cleanup.ts).
 * - With a proxy (the SSRF guard's), every request of the browser, loopback included, goes through it.
 * - The flag list is chosen here, flag by flag; @sparticuz/chromium's `args` are not used because
 *   they include --disable-web-security and --allow-running-insecure-content.
 *
 * Nothing here knows whether it runs in Lambda or on a developer's machine.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { chromium as playwrightChromium } from 'playwright-core';
import type { Browser, BrowserContext, BrowserContextOptions, LaunchOptions } from 'playwright-core';
import { SUBMITTER } from '../platform/system-config';
import { explainLaunchFailure, sparticuzExecutablePath } from './chromium-binary';
import { SubmissionError } from './submission-error';
import { cleanStaleBrowserFiles } from './tmp-cleanup';

export { sparticuzExecutablePath } from './chromium-binary';

/**
 * Where logs go. Powertools' Logger satisfies it (its extra arguments are a rest list, hence the
 * rest parameter here); so does a console adapter.
 */
export interface LoggerPort {
  info(message: string, ...extra: Array<Record<string, unknown>>): void;
  warn(message: string, ...extra: Array<Record<string, unknown>>): void;
  error(message: string, ...extra: Array<Record<string, unknown>>): void;
}

/** What launches a browser (playwright-core's `chromium` satisfies it). */
export interface BrowserLauncher {
  launch(options: LaunchOptions): Promise<Browser>;
}

export interface BrowserManagerOptions {
  logger?: LoggerPort;
  /**
   * Path of the Chromium binary. Default: @sparticuz/chromium's, decompressed once per execution
   * environment with the libraries and fonts it runs with (chromium-binary.ts).
   */
  resolveExecutablePath?: () => Promise<string>;
  /** Default: playwright-core's chromium. */
  launcher?: BrowserLauncher;
  /** See chromiumArgs(). Default false. */
  singleProcess?: boolean;
  /** Extra flags appended after ours (must not weaken security; see chromiumArgs). */
  extraArgs?: readonly string[];
  launchTimeoutMs?: number;
  /** How long closing a context (or the browser) may take before it is abandoned. */
  closeTimeoutMs?: number;
  /**
   * The forward proxy every request must go through (the SSRF guard), resolved at each launch.
   * Loopback is proxied too (--proxy-bypass-list=<-loopback>).
   */
  proxyServer?: () => Promise<string | undefined>;
  /** Default SUBMITTER.maxPagesPerBrowser. */
  maxPagesPerBrowser?: number;
  /** Default SUBMITTER.maxParallelContexts. */
  maxParallelContexts?: number;
  /** Where crashed browsers' leftovers are looked for; default os.tmpdir(). */
  tmpDir?: string;
  /** Default SUBMITTER.staleTmpAgeSeconds. */
  staleTmpAgeMs?: number;
}

export interface WithContextOptions {
  /** Merged over the defaults (viewport, locale, no service workers, no downloads). */
  contextOptions?: BrowserContextOptions;
  /**
   * Decides whether the page may fetch a URL (navigations, subresources, XHR, WebSockets): the SSRF
   * guard plugs in here. A refused request is aborted before it leaves the browser.
   */
  allowRequest?: (url: string, kind: { navigation: boolean }) => boolean | Promise<boolean>;
}

const noopLogger: LoggerPort = { info: () => {}, warn: () => {}, error: () => {} };

/** Flags that must never reach Chromium, whatever is passed in extraArgs. */
const FORBIDDEN_FLAGS = [
  '--disable-web-security', // would let any page read any other origin (and file:) — SSRF heaven
  '--allow-running-insecure-content', // mixed content on https pages
  '--disable-site-isolation-trials',
  '--ignore-certificate-errors', // a directory with a bad certificate is a failed submission, not a MITM target
  '--remote-debugging-port', // an open CDP port on the network; Playwright talks over a pipe
  '--enable-unsafe-swiftshader', // WebGL through a JIT in an unsandboxed process; forms do not need it
];

/**
 * The flags Chromium is launched with, each on purpose. Playwright adds its own automation defaults
 * (--headless, --no-first-run, --disable-sync, --disable-features=<its list> ...); several are
 * repeated here so that the choice does not depend on a Playwright version.
 */
export function chromiumArgs(
  options: { singleProcess?: boolean; extraArgs?: readonly string[]; proxyServer?: string } = {},
): string[] {
  const args = [
    // Lambda has no user namespaces and no setuid helper: Chromium's sandbox cannot start there.
    // The page is isolated by the execution environment (Firecracker) instead.
    '--no-sandbox',
    // The zygote pre-forks sandboxed renderers; with no sandbox it only adds a process and fails in
    // Lambda with "Cannot communicate with zygote".
    '--no-zygote',
    // /dev/shm is tiny or missing in Lambda; shared memory goes to /tmp instead.
    '--disable-dev-shm-usage',
    // No GPU in Lambda: software rendering (screenshots still work), GPU work in the browser process
    // (one process less, less memory), and no WebGL (no SwiftShader JIT reachable from pages).
    '--disable-gpu',
    '--in-process-gpu',
    '--disable-webgl',
    // Never phone home: no background requests, component/variations updates, metrics uploads,
    // crash uploads, Safe Browsing pings, domain reliability reports or hyperlink auditing pings.
    // In Lambda these waste time and egress; locally they would leak.
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-domain-reliability',
    '--disable-client-side-phishing-detection',
    '--disable-breakpad',
    '--metrics-recording-only',
    '--no-pings',
    '--disable-sync',
    '--no-first-run',
    '--no-default-browser-check',
    // Nothing installed and nothing to show: extensions, default apps, print preview.
    '--disable-extensions',
    '--disable-default-apps',
    '--disable-print-preview',
    // /tmp is small (512 MB by default) and shared with the decompressed binary: bound the disk cache.
    '--disk-cache-size=33554432',
    // Stable text rendering across machines, so screenshots compare.
    '--font-render-hinting=none',
    '--mute-audio',
    // WebRTC's UDP does not go through an HTTP proxy: without this a page could reach addresses the
    // SSRF guard never sees.
    '--force-webrtc-ip-handling-policy=disable_non_proxied_udp',
  ];
  if (options.singleProcess) {
    // @sparticuz/chromium always adds this (Sparticuz/chromium#80/#81: some Lambda images froze on
    // new page without it). It is off by default here: with Playwright, closing one of several
    // parallel contexts in a single-process browser crashes the whole browser (seen with Chromium
    // 153), and the submitter runs a batch of submissions in parallel contexts.
    args.push('--single-process');
  }
  if (options.proxyServer) {
    args.push(`--proxy-server=${options.proxyServer}`);
    // Chromium connects to loopback directly whatever the proxy, unless told otherwise: "<-loopback>"
    // removes the implicit bypass, so 127.0.0.1 and localhost go through the guard too.
    args.push('--proxy-bypass-list=<-loopback>');
  }
  // --disable-features / --enable-features are deliberately not set: Chromium keeps only the last
  // occurrence of a switch, so setting them would silently drop Playwright's list (which turns off
  // optimization hints, network time queries and search preconnects).
  for (const extra of options.extraArgs ?? []) {
    if (/^--(proxy-server|proxy-bypass-list|proxy-pac-url|no-proxy-server)/.test(extra)) {
      throw new Error(`Refusing to launch Chromium with ${extra}: the proxy is the SSRF guard's`);
    }
    if (FORBIDDEN_FLAGS.some((flag) => extra === flag || extra.startsWith(`${flag}=`))) {
      throw new Error(`Refusing to launch Chromium with ${extra}`);
    }
    args.push(extra);
  }
  return args;
}

/** Playwright defaults we remove: see FORBIDDEN_FLAGS. */
const IGNORED_DEFAULT_ARGS = ['--enable-unsafe-swiftshader'];

/** Resolves to `undefined` when `ms` passes first; never rejects because of the timer. */
async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<{ value: T } | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([promise.then((value) => ({ value })), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The browser died while a submission was using it. Thrown by withContext as soon as Chromium
 * disconnects: Playwright calls in flight do not always settle when the browser process is killed
 * (a newPage() under way when Chromium is SIGKILLed never resolves nor rejects).
 */
export class BrowserDisconnectedError extends SubmissionError {
  constructor() {
    // Transient: the next attempt runs on a relaunched browser.
    super('transient', 'browser_closed', 'Browser closed: Chromium disconnected during the submission');
  }
}

/** A FIFO counting semaphore: bounds how many submissions hold a context at once. */
class Semaphore {
  private available: number;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError('maxParallelContexts must be >= 1');
    this.available = size;
  }

  async acquire(): Promise<() => void> {
    if (this.available > 0) this.available -= 1;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next)
        next(); // the slot passes straight to the next waiter
      else this.available += 1;
    };
  }
}

/** What the manager knows about each browser it launched. */
interface BrowserState {
  pid: number | undefined;
  /** Pages opened in it so far (for retirement). */
  pages: number;
  /** Contexts open in it now. */
  active: number;
  retired: boolean;
}

/** Chromium browser processes (not renderers) that are children of this process. */
function chromiumChildPids(executablePath: string): Set<number> {
  const pids = new Set<number>();
  try {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        if (ppid !== process.pid) continue;
        const argv0 = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0')[0];
        if (argv0 === executablePath) pids.add(Number(entry));
      } catch {
        // the process ended while we looked
      }
    }
  } catch {
    // no /proc: the pid stays unknown and a wedged browser cannot be killed, only abandoned
  }
  return pids;
}

export class BrowserManager {
  private readonly logger: LoggerPort;
  private readonly resolveExecutablePath: () => Promise<string>;
  private readonly launcher: BrowserLauncher;
  private readonly args: string[];
  private readonly options: BrowserManagerOptions;
  private readonly launchTimeoutMs: number;
  private readonly closeTimeoutMs: number;
  private readonly maxPagesPerBrowser: number;
  private readonly slots: Semaphore;
  private browser: Browser | undefined;
  private launching: Promise<Browser> | undefined;
  private launches = 0;
  private readonly states = new WeakMap<Browser, BrowserState>();
  /** Browsers we closed on purpose: their 'disconnected' is not news. */
  private readonly closedOnPurpose = new WeakSet<Browser>();

  constructor(options: BrowserManagerOptions = {}) {
    this.options = options;
    this.logger = options.logger ?? noopLogger;
    this.resolveExecutablePath = options.resolveExecutablePath ?? sparticuzExecutablePath;
    this.launcher = options.launcher ?? playwrightChromium;
    this.args = chromiumArgs({ singleProcess: options.singleProcess, extraArgs: options.extraArgs });
    this.launchTimeoutMs = options.launchTimeoutMs ?? 30_000;
    this.closeTimeoutMs = options.closeTimeoutMs ?? 5_000;
    this.maxPagesPerBrowser = options.maxPagesPerBrowser ?? SUBMITTER.maxPagesPerBrowser;
    this.slots = new Semaphore(options.maxParallelContexts ?? SUBMITTER.maxParallelContexts);
  }

  /** The flags this manager launches Chromium with (Playwright adds its defaults; the proxy flags are added at launch). */
  get launchArgs(): readonly string[] {
    return this.args;
  }

  /** How many browsers this manager has launched (1 while warm; more after crashes and retirements). */
  get launchCount(): number {
    return this.launches;
  }

  /** The pid of the current browser process, when known (tests kill it; close() kills a wedged one). */
  get browserPid(): number | undefined {
    return this.browser ? this.states.get(this.browser)?.pid : undefined;
  }

  /** The live browser, launching one if there is none, the last one died, or it was retired. */
  async getBrowser(): Promise<Browser> {
    const current = this.browser;
    if (current?.isConnected()) {
      const state = this.states.get(current);
      if (!state || state.pages < this.maxPagesPerBrowser) return current;
      this.retire(current, state);
    }
    this.browser = undefined;
    // Single flight: parallel submissions in one invocation share one launch.
    this.launching ??= this.launch().finally(() => {
      this.launching = undefined;
    });
    return this.launching;
  }

  /** No new contexts in this browser; it closes when its last context does. */
  private retire(browser: Browser, state: BrowserState): void {
    state.retired = true;
    if (this.browser === browser) this.browser = undefined;
    this.logger.info('Retiring Chromium after its page budget', {
      pages: state.pages,
      maxPagesPerBrowser: this.maxPagesPerBrowser,
    });
    if (state.active === 0) void this.closeBrowser(browser);
  }

  private async launch(): Promise<Browser> {
    const started = Date.now();
    const removed = await cleanStaleBrowserFiles({
      dir: this.options.tmpDir,
      minAgeMs: this.options.staleTmpAgeMs ?? SUBMITTER.staleTmpAgeSeconds * 1000,
    });
    if (removed.length > 0) {
      this.logger.info('Removed files left in /tmp by crashed browsers', { removed: removed.length });
    }
    const executablePath = await this.resolveExecutablePath();
    const proxyServer = await this.options.proxyServer?.();
    const before = chromiumChildPids(executablePath);
    const browser = await this.launcher
      .launch({
        executablePath,
        headless: true, // the @sparticuz binary is the headless shell build; Playwright adds --headless
        chromiumSandbox: false, // see --no-sandbox
        args: proxyServer
          ? chromiumArgs({
              singleProcess: this.options.singleProcess,
              extraArgs: this.options.extraArgs,
              proxyServer,
            })
          : this.args,
        ignoreDefaultArgs: IGNORED_DEFAULT_ARGS,
        timeout: this.launchTimeoutMs,
        // Lambda sends SIGTERM before freezing/stopping the environment; closeBrowser() handles it.
        handleSIGINT: false,
        handleSIGTERM: false,
        handleSIGHUP: false,
      })
      .catch((error: unknown) => {
        throw explainLaunchFailure(error);
      });
    this.launches += 1;
    const pid = [...chromiumChildPids(executablePath)].find((p) => !before.has(p));
    this.states.set(browser, { pid, pages: 0, active: 0, retired: false });
    browser.on('disconnected', () => {
      if (this.browser === browser) this.browser = undefined;
      if (this.closedOnPurpose.has(browser)) return;
      this.logger.warn('Chromium disconnected; the next submission relaunches it', {
        launches: this.launches,
      });
    });
    this.browser = browser;
    this.logger.info('Chromium launched', {
      version: browser.version(),
      launchMs: Date.now() - started,
      launches: this.launches,
      proxied: proxyServer !== undefined,
    });
    return browser;
  }

  /**
   * Runs `fn` in a fresh context and always closes the context afterwards (pages first). Waits for
   * a free slot when maxParallelContexts contexts are open. If the browser died before the context
   * could be opened, it is relaunched once.
   */
  async withContext<T>(
    fn: (context: BrowserContext) => Promise<T>,
    options: WithContextOptions = {},
  ): Promise<T> {
    const release = await this.slots.acquire();
    try {
      const { context, browser } = await this.newContext(options);
      const state = this.states.get(browser);
      if (state) state.active += 1;
      let onDisconnect = (): void => {};
      const gone = new Promise<never>((_, reject) => {
        onDisconnect = () => reject(new BrowserDisconnectedError());
        if (!browser.isConnected()) onDisconnect();
        else browser.once('disconnected', onDisconnect);
      });
      try {
        const work = fn(context);
        work.catch(() => undefined); // if the browser wins the race, fn's own failure is not news
        return await Promise.race([work, gone]);
      } finally {
        browser.off('disconnected', onDisconnect);
        await this.closeContext(context);
        if (state) {
          state.active -= 1;
          if (state.retired && state.active === 0) await this.closeBrowser(browser);
        }
      }
    } finally {
      release();
    }
  }

  private async newContext(
    options: WithContextOptions,
  ): Promise<{ context: BrowserContext; browser: Browser }> {
    const contextOptions: BrowserContextOptions = {
      viewport: { width: 1280, height: 900 },
      locale: 'en-US',
      // Service workers would fetch outside page.route(): block them so allowRequest sees everything.
      serviceWorkers: 'block',
      acceptDownloads: false,
      ...options.contextOptions,
    };
    let browser = await this.getBrowser();
    let context: BrowserContext;
    try {
      context = await browser.newContext(contextOptions);
    } catch (error) {
      // The browser died between the connectivity check and newContext: one relaunch.
      this.logger.warn('Opening a context failed; relaunching Chromium', { error: String(error) });
      await this.dropBrowser();
      browser = await this.getBrowser();
      context = await browser.newContext(contextOptions);
    }
    const state = this.states.get(browser);
    context.on('page', () => {
      if (state) state.pages += 1;
    });
    if (options.allowRequest) {
      const allow = options.allowRequest;
      // Both installed before the context is handed out (no page exists yet), so nothing can be
      // requested unguarded; installing them together saves a round trip to the browser.
      await Promise.all([
        context.route('**/*', async (route) => {
          const request = route.request();
          const url = request.url();
          if (await allow(url, { navigation: request.isNavigationRequest() })) return route.fallback();
          this.logger.warn('Request blocked', { url: url.slice(0, 200) });
          return route.abort('blockedbyclient');
        }),
        context.routeWebSocket(/.*/, async (ws) => {
          if (await allow(ws.url(), { navigation: false })) ws.connectToServer();
          else await ws.close({ code: 1008, reason: 'blocked' });
        }),
      ]);
    }
    return { context, browser };
  }

  private async closeContext(context: BrowserContext): Promise<void> {
    const closed = await withTimeout(
      (async () => {
        // Pages first: a page stuck in a beforeunload or a long script is closed without running it.
        await Promise.all(context.pages().map((page) => page.close({ runBeforeUnload: false })));
        await context.close();
      })().catch((error: unknown) => {
        // Already closed with its browser: nothing to do.
        this.logger.warn('Closing a context failed', { error: String(error).split('\n')[0] });
      }),
      this.closeTimeoutMs,
    );
    if (!closed) {
      // A context that will not close means a wedged browser: drop it, the next one is fresh.
      this.logger.error('Closing a context timed out; dropping the browser', {
        timeoutMs: this.closeTimeoutMs,
      });
      await this.dropBrowser();
    }
  }

  /** Forgets the current browser and closes it (bounded by the close timeout). */
  private async dropBrowser(): Promise<void> {
    const browser = this.browser;
    this.browser = undefined;
    if (browser) await this.closeBrowser(browser);
  }

  /** Closes one browser, pages and contexts first; kills its process if that does not finish in time. */
  private async closeBrowser(browser: Browser): Promise<void> {
    if (this.closedOnPurpose.has(browser)) return;
    this.closedOnPurpose.add(browser);
    if (this.browser === browser) this.browser = undefined;
    const closed = await withTimeout(
      (async () => {
        for (const context of browser.contexts()) {
          await Promise.all(context.pages().map((page) => page.close({ runBeforeUnload: false })));
        }
        await browser.close();
      })().catch(() => undefined),
      this.closeTimeoutMs,
    );
    if (closed) return;
    const pid = this.states.get(browser)?.pid;
    this.logger.error('Closing Chromium timed out; killing it', { timeoutMs: this.closeTimeoutMs, pid });
    if (pid !== undefined) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }

  /** Closes the browser (e.g. on SIGTERM or at the end of a test run). Never hangs. */
  async close(): Promise<void> {
    const launching = this.launching;
    if (launching) await launching.catch(() => undefined);
    await this.dropBrowser();
  }
}

// The process-wide browser: module state survives between invocations of a warm Lambda.
let shared: BrowserManager | undefined;

/**
 * The process's BrowserManager, created on first call. Options only apply to that first call (the
 * handler's cold start); later calls return the same manager.
 */
export function getBrowserManager(options?: BrowserManagerOptions): BrowserManager {
  shared ??= new BrowserManager(options);
  return shared;
}

/** Runs `fn` in a fresh context of the process-wide browser. */
export function withContext<T>(
  fn: (context: BrowserContext) => Promise<T>,
  options?: WithContextOptions,
): Promise<T> {
  return getBrowserManager().withContext(fn, options);
}

/**
 * Closes the process-wide browser, if any (the manager and its options stay); the next
 * withContext() launches a new one.
 */
export async function closeBrowser(): Promise<void> {
  await shared?.close();
}
