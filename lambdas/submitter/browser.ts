/**
 * Chromium for the submitter, one per Lambda execution environment.
 *
 * - One browser per process, kept across invocations (warm reuse) and launched lazily on first use
 *   from @sparticuz/chromium's binary (decompressed to /tmp on a cold start, about 2 s).
 * - A browser that crashed or disconnected is dropped ('disconnected' event, isConnected()) and the
 *   next submission launches a new one.
 * - Each submission gets a fresh BrowserContext (no cookies, storage or cache shared between
 *   customers), which is always closed; closing is raced with a timeout so it can never hang the
 *   invocation, and a context that will not close takes its browser down with it.
 * - The flag list is chosen here, flag by flag; @sparticuz/chromium's `args` are not used because
 *   they include --disable-web-security and --allow-running-insecure-content.
 *
 * Nothing here knows whether it runs in Lambda or on a developer's machine.
 */
import { chromium as playwrightChromium } from 'playwright-core';
import type { Browser, BrowserContext, BrowserContextOptions, LaunchOptions } from 'playwright-core';

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
   * Path of the Chromium binary. Default: @sparticuz/chromium's executablePath(), which decompresses
   * the binary (and, on Amazon Linux 2023, sets LD_LIBRARY_PATH for its shared libraries) once per
   * execution environment.
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
}

export interface WithContextOptions {
  /** Merged over the defaults (viewport, locale, no service workers, no downloads). */
  contextOptions?: BrowserContextOptions;
  /**
   * Decides whether the page may fetch a URL (navigations, subresources, XHR, WebSockets): the SSRF
   * guard plugs in here. A refused request is aborted before it leaves the browser.
   */
  allowRequest?: (url: string) => boolean | Promise<boolean>;
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
  options: { singleProcess?: boolean; extraArgs?: readonly string[] } = {},
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
  ];
  if (options.singleProcess) {
    // @sparticuz/chromium always adds this (Sparticuz/chromium#80/#81: some Lambda images froze on
    // new page without it). It is off by default here: with Playwright, closing one of several
    // parallel contexts in a single-process browser crashes the whole browser (seen with Chromium
    // 153), and the submitter runs a batch of submissions in parallel contexts.
    args.push('--single-process');
  }
  // --disable-features / --enable-features are deliberately not set: Chromium keeps only the last
  // occurrence of a switch, so setting them would silently drop Playwright's list (which turns off
  // optimization hints, network time queries and search preconnects).
  for (const extra of options.extraArgs ?? []) {
    if (FORBIDDEN_FLAGS.some((flag) => extra === flag || extra.startsWith(`${flag}=`))) {
      throw new Error(`Refusing to launch Chromium with ${extra}`);
    }
    args.push(extra);
  }
  return args;
}

/** Playwright defaults we remove: see FORBIDDEN_FLAGS. */
const IGNORED_DEFAULT_ARGS = ['--enable-unsafe-swiftshader'];

/** The Chromium binary shipped by @sparticuz/chromium, decompressed to /tmp once per environment. */
export async function sparticuzExecutablePath(): Promise<string> {
  // Loaded lazily: importing @sparticuz/chromium sets up its environment, which code paths that
  // never launch a browser do not need.
  const { default: chromium } = await import('@sparticuz/chromium');
  return chromium.executablePath();
}

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

export class BrowserManager {
  private readonly logger: LoggerPort;
  private readonly resolveExecutablePath: () => Promise<string>;
  private readonly launcher: BrowserLauncher;
  private readonly args: string[];
  private readonly launchTimeoutMs: number;
  private readonly closeTimeoutMs: number;
  private browser: Browser | undefined;
  private launching: Promise<Browser> | undefined;
  private launches = 0;
  /** Browsers we closed on purpose: their 'disconnected' is not news. */
  private readonly closedOnPurpose = new WeakSet<Browser>();

  constructor(options: BrowserManagerOptions = {}) {
    this.logger = options.logger ?? noopLogger;
    this.resolveExecutablePath = options.resolveExecutablePath ?? sparticuzExecutablePath;
    this.launcher = options.launcher ?? playwrightChromium;
    this.args = chromiumArgs({ singleProcess: options.singleProcess, extraArgs: options.extraArgs });
    this.launchTimeoutMs = options.launchTimeoutMs ?? 30_000;
    this.closeTimeoutMs = options.closeTimeoutMs ?? 5_000;
  }

  /** The flags this manager launches Chromium with (Playwright adds its defaults). */
  get launchArgs(): readonly string[] {
    return this.args;
  }

  /** How many browsers this manager has launched (1 while warm; more after crashes). */
  get launchCount(): number {
    return this.launches;
  }

  /** The live browser, launching one if there is none or the last one died. */
  async getBrowser(): Promise<Browser> {
    if (this.browser?.isConnected()) return this.browser;
    this.browser = undefined;
    // Single flight: parallel submissions in one invocation share one launch.
    this.launching ??= this.launch().finally(() => {
      this.launching = undefined;
    });
    return this.launching;
  }

  private async launch(): Promise<Browser> {
    const started = Date.now();
    const executablePath = await this.resolveExecutablePath();
    const browser = await this.launcher.launch({
      executablePath,
      headless: true, // the @sparticuz binary is the headless shell build; Playwright adds --headless
      chromiumSandbox: false, // see --no-sandbox
      args: this.args,
      ignoreDefaultArgs: IGNORED_DEFAULT_ARGS,
      timeout: this.launchTimeoutMs,
      // Lambda sends SIGTERM before freezing/stopping the environment; closeBrowser() handles it.
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
    });
    this.launches += 1;
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
    });
    return browser;
  }

  /**
   * Runs `fn` in a fresh context and always closes the context afterwards. If the browser died
   * before the context could be opened, it is relaunched once.
   */
  async withContext<T>(
    fn: (context: BrowserContext) => Promise<T>,
    options: WithContextOptions = {},
  ): Promise<T> {
    const context = await this.newContext(options);
    try {
      return await fn(context);
    } finally {
      await this.closeContext(context);
    }
  }

  private async newContext(options: WithContextOptions): Promise<BrowserContext> {
    const contextOptions: BrowserContextOptions = {
      viewport: { width: 1280, height: 900 },
      locale: 'en-US',
      // Service workers would fetch outside page.route(): block them so allowRequest sees everything.
      serviceWorkers: 'block',
      acceptDownloads: false,
      ...options.contextOptions,
    };
    let context: BrowserContext;
    try {
      context = await (await this.getBrowser()).newContext(contextOptions);
    } catch (error) {
      // The browser died between the connectivity check and newContext: one relaunch.
      this.logger.warn('Opening a context failed; relaunching Chromium', { error: String(error) });
      await this.dropBrowser();
      context = await (await this.getBrowser()).newContext(contextOptions);
    }
    if (options.allowRequest) {
      const allow = options.allowRequest;
      await context.route('**/*', async (route) => {
        const url = route.request().url();
        if (await allow(url)) return route.fallback();
        this.logger.warn('Request blocked', { url });
        return route.abort('blockedbyclient');
      });
      await context.routeWebSocket(/.*/, async (ws) => {
        if (await allow(ws.url())) ws.connectToServer();
        else await ws.close({ code: 1008, reason: 'blocked' });
      });
    }
    return context;
  }

  private async closeContext(context: BrowserContext): Promise<void> {
    const closed = await withTimeout(
      context.close().catch((error: unknown) => {
        // Already closed with its browser: nothing to do.
        this.logger.warn('Closing a context failed', { error: String(error) });
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
    if (!browser) return;
    this.closedOnPurpose.add(browser);
    const closed = await withTimeout(
      browser.close().catch(() => undefined),
      this.closeTimeoutMs,
    );
    if (!closed) this.logger.error('Closing Chromium timed out', { timeoutMs: this.closeTimeoutMs });
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
