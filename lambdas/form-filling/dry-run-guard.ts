/**
 * The dry-run guarantee, enforced in the browser: once filling starts, nothing that could carry what
 * was typed leaves Chromium, whatever the page's buttons and scripts do. Button classification is
 * not trusted (a submit-type "Continue" taken for a "Next" step once submitted a real form); the
 * guard sits below it, on the BrowserContext, so popups, iframes and workers are covered too.
 *
 * Install it on a fresh context before the first navigation; until arm() the page loads normally
 * (nothing typed yet, so even its POSTs go out). After arm() it stops and records ("would have sent"):
 * - any request with a body or a method other than GET/HEAD/OPTIONS (forms, fetch, XHR, sendBeacon,
 *   <a ping>, keepalive fetches);
 * - any document navigation of any frame, GET included (a GET form puts the values in its query
 *   string; a page that navigated away has nothing left to dry-run). Navigations are answered with
 *   an empty 204 instead of being aborted: an aborted navigation commits Chromium's error page, which
 *   unloads the filled document and runs its unload handlers (see below); a 204 leaves the document,
 *   and the filled form stays on screen for the screenshot;
 * - any request whose URL or headers (Cookie, Referer, custom ones) carry a typed value: literally,
 *   percent-encoded, form-encoded (+ for spaces), in any letter case;
 * - WebSocket messages from the page, and WebSockets opened after arming (also from dedicated workers).
 * What is let through continues with route.fallback(), so the SSRF guard still decides it.
 *
 * How Playwright chains request handlers (playwright-core 1.65, BrowserContext._onRoute): a context
 * keeps its routes newest first and calls each matching one in turn; route.fallback() passes the
 * request to the next, older one, and after the last it continues to the network. browser.ts's
 * withContext() installs the SSRF route before handing the context out, so this guard, installed
 * later, runs first: what it stops never reaches the SSRF check (it never leaves), what it lets through
 * is decided by the SSRF route as before. Routes installed after this guard, and every page.route()
 * (page routes run before context routes), run before it: a route.continue() there bypasses both
 * guards, so the form-filling code must not use them.
 * WebSocket routes do not chain: Playwright calls only the newest matching routeWebSocket handler.
 * Ours therefore replaces withContext's SSRF WebSocket check; pass it as `allowWebSocket` to keep it.
 * (The SSRF proxy still sees every connection: the mocked socket connects from the page.)
 *
 * What request interception does not see, each verified on Chromium 153 (headless shell):
 * - Playwright continues, without calling any route, a paused request it cannot attribute to a
 *   frame (crNetworkManager._onRequest in playwright-core 1.65). That happens to requests sent while
 *   a document unloads (page close, iframe removal, a popup's window.close(), the error page an
 *   aborted navigation commits: sendBeacon, keepalive fetch and images from pagehide, unload and
 *   visibilitychange handlers, which form-abandonment trackers use) and to requests of a blank popup
 *   its opener writes scripts into. So, in every document before its own scripts, an init script
 *   registers capturing listeners that stop the unload family once armed (they run first) and refuses
 *   window.open once armed; arm() closes popups still blank; dispose() switches scripts off in every
 *   page before the context closes them.
 * - Shared workers: their fetches and sockets are not routed at all. SharedWorker is removed from
 *   every document from the start, as the context's serviceWorkers: 'block' does for service workers.
 * - WebSockets in dedicated workers: Playwright's WebSocket routing is a mock in the page only (worker
 *   fetches are routed). Once armed, each worker's WebSocket is patched to drop messages and refuse new
 *   sockets.
 * - WebRTC and WebTransport (not HTTP requests): refused once armed.
 * - Speculation rules (<script type=speculationrules> prefetch/prerender) are fetched by the browser
 *   process: neither route(), CDP Network.setBlockedURLs, Page.setPrerenderingAllowed nor
 *   --disable-features=Prerender2 stopped them. A page script that writes a typed value into a rule's
 *   URL can send it as a GET; only the SSRF proxy sees those requests. Not handled here.
 * - DNS: a hostname carrying a value is caught with its URL before the request starts; Chromium's
 *   dns-prefetch and preconnect hints resolved nothing in a net log of the headless shell with our
 *   flags, with or without the proxy.
 * Refusals made inside the page or a worker (window.open, worker sockets) are reported through a
 * fetch to MARKER_ORIGIN that this route records; a page's CSP connect-src can lose the report, not
 * the refusal.
 * Also out of reach: requests let through before arm() (they cannot hold what was not typed yet,
 * except a fetch() with a streaming body, HTTP/2 only, that keeps streaming); values a script
 * transforms before sending in a GET URL (base64, hashed, split); sockets and workers in realms the
 * patches do not reach (nested workers); a page that defeats the in-page patches on purpose (its
 * scripts run in the same world). The SSRF proxy still bounds where any of these can go.
 */
import type {
  BrowserContext,
  CDPSession,
  Disposable,
  Page,
  Request,
  Route,
  WebSocketRoute,
  Worker,
} from 'playwright-core';

export interface WouldHaveSent {
  method: string; // GET, POST, ...; MESSAGE for a WebSocket message
  url: string; // truncated to 300 chars, typed values replaced by [typed]
  kind: 'navigation' | 'form' | 'fetch' | 'xhr' | 'beacon' | 'ping' | 'websocket' | 'other';
  bodyBytes: number; // 0 when none
  reason: string; // why it was stopped, e.g. "carries a body; navigation after filling started"
  at: string; // ISO time
}

export interface DryRunGuard {
  /**
   * From now on nothing that could carry typed data leaves the browser. `values` are the values the
   * engine is about to type (for the URL check). Can be called again to add values. Popups still
   * blank at the first call are closed. Throws once disposed.
   */
  arm(values?: readonly string[]): void;
  readonly armed: boolean;
  /** Everything stopped so far, oldest first. */
  stopped(): WouldHaveSent[];
  /**
   * Resolves at the next stopped request (or after `ms`, false): lets the engine notice "the Next
   * click tried to send". "Next" is any stop no earlier call has reported, so a stop that happened
   * during the awaited click (before this call) counts: `await click(); await waitForStop(500)` works.
   */
  waitForStop(ms: number): Promise<boolean>;
  /**
   * Ends the dry run; call it (awaited) before the context closes, after the last screenshot. Armed,
   * it switches script execution off in every page (closing a page runs its unload handlers, whose
   * requests escape interception) and leaves the blocks in place until the context closes. Unarmed,
   * it removes the guard.
   */
  dispose(): Promise<void>;
}

export interface DryRunGuardOptions {
  /**
   * The SSRF check for WebSocket URLs (withContext's allowRequest). Playwright runs only the newest
   * WebSocket route, so without it the guard's route replaces the SSRF guard's check.
   */
  allowWebSocket?: (url: string) => boolean | Promise<boolean>;
}

/** Where in-page refusals are reported (see above); .invalid never resolves, should one leak. */
const MARKER_ORIGIN = 'https://dry-run-guard.invalid';
/** The in-page arming function's name (non-writable, so the page cannot replace it). */
const ARM_KEY = '__directoryboltDryRunArm';
const URL_MAX = 300;
/** Memory bound against a page that spams requests; a dry run normally stops a handful. */
const MAX_RECORDS = 1000;
const MIN_VALUE_LENGTH = 3;
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

// The in-page parts are JavaScript source, not functions handed to Playwright: Playwright would
// serialize a function with Function.prototype.toString(), and transpilers add helpers to it
// (tsx, which runs the local runtime, wraps named functions in an __name() that does not exist in
// the page), so the script would throw in the page and guard nothing.

/**
 * Runs in every document before its own scripts (addInitScript), in every frame and popup.
 * - Capture listeners registered first run first (at the target, capture listeners run before the
 *   others), so stopImmediatePropagation() keeps every page handler of the unload family from
 *   running once armed. On each document too: a closing window dispatches visibilitychange to a
 *   document that no longer has the window in its event path (seen: a popup's window.close()).
 * - window.open refused once armed: a popup opened without a URL is a blank document its opener
 *   can write scripts into, and Playwright lets that document's requests through unrouted (it cannot
 *   tell their frame). The attempt is reported through a routed request to the marker origin.
 * - SharedWorker removed from the start; WebRTC and WebTransport refused once armed.
 * - window[ARM_KEY]() arms the window; non-writable, so the page cannot replace it.
 */
const IN_PAGE_GUARD = `(() => {
  const ARM_KEY = ${JSON.stringify(ARM_KEY)};
  const MARKER = ${JSON.stringify(MARKER_ORIGIN)};
  const existing = Object.getOwnPropertyDescriptor(window, ARM_KEY)?.value;
  if (existing) return void existing(false);
  let armed = false;
  const apply = Reflect.apply;
  const construct = Reflect.construct;
  const stopImmediate = Event.prototype.stopImmediatePropagation;
  const report = fetch.bind(window);
  const seen = new WeakSet();
  const [has, add] = [WeakSet.prototype.has, WeakSet.prototype.add];
  const UNLOAD_FAMILY = ['pagehide', 'unload', 'beforeunload', 'visibilitychange', 'freeze'];
  const stopOnceArmed = (event) => { if (armed) apply(stopImmediate, event, []); };
  const guardDocument = (doc) => {
    if (apply(has, seen, [doc])) return;
    apply(add, seen, [doc]);
    for (const type of UNLOAD_FAMILY) doc.addEventListener(type, stopOnceArmed, true);
  };
  for (const type of UNLOAD_FAMILY) window.addEventListener(type, stopOnceArmed, true);
  guardDocument(document);
  // A window reused for its next same-origin document (a popup's or an iframe's first blank one)
  // does not run init scripts again: its new document is caught as it loads.
  for (const type of ['readystatechange', 'DOMContentLoaded']) {
    window.addEventListener(type, () => guardDocument(document), true);
  }
  window.open = new Proxy(window.open, {
    apply(target, thisArg, args) {
      if (!armed) return apply(target, thisArg, args);
      let url = String(args[0] ?? '');
      try { url = url ? new URL(url, location.href).href : 'about:blank'; } catch {}
      report(MARKER + '/popup?' + new URLSearchParams({ url })).catch(() => {});
      return null;
    },
  });
  delete window.SharedWorker;
  for (const name of ['RTCPeerConnection', 'webkitRTCPeerConnection', 'WebTransport']) {
    if (typeof window[name] !== 'function') continue;
    window[name] = new Proxy(window[name], {
      construct(target, args, newTarget) {
        if (armed) throw new DOMException(name + ' refused: dry run', 'SecurityError');
        return construct(target, args, newTarget);
      },
    });
  }
  // arm() arms for good, arm(false) does not; both guard the current document.
  Object.defineProperty(window, ARM_KEY, {
    value: (arm = true) => {
      guardDocument(document);
      return (armed ||= arm);
    },
  });
})();`;

/** Arms a document (frame.evaluate), and every document created after arm() (addInitScript). */
const ARM_DOCUMENT = `window[${JSON.stringify(ARM_KEY)}]?.();`;

/**
 * Runs in a dedicated worker once armed (Worker.evaluate): WebSocket messages are dropped and new
 * sockets refused, each reported through a (routed) fetch to the marker origin; no WebTransport.
 */
const WORKER_GUARD = `(() => {
  const MARKER = ${JSON.stringify(MARKER_ORIGIN)};
  const report = fetch.bind(self);
  const tell = (path, params) => report(MARKER + '/' + path + '?' + new URLSearchParams(params)).catch(() => {});
  const size = (data) => typeof data === 'string' ? new TextEncoder().encode(data).length
    : data instanceof Blob ? data.size : (data?.byteLength ?? 0);
  if (typeof WebSocket === 'function') {
    WebSocket.prototype.send = function (data) { tell('message', { url: this.url, bytes: String(size(data)) }); };
    self.WebSocket = new Proxy(WebSocket, {
      construct(_target, args) {
        tell('open', { url: String(args[0]) });
        throw new DOMException('WebSocket refused: dry run', 'SecurityError');
      },
    });
  }
  delete self.WebTransport;
})();`;

/** Percent-decodes what decodes; a malformed sequence stays as it is. */
function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text.replace(/(?:%[0-9a-f]{2})+/gi, (run) => {
      try {
        return decodeURIComponent(run);
      } catch {
        return run;
      }
    });
  }
}

/** The typed values as they can appear in a URL or header: raw, percent- and form-encoded, lower case. */
class TypedValues {
  private readonly raw = new Set<string>();
  private readonly encoded = new Set<string>();

  add(values: readonly string[]): void {
    for (const value of values) {
      const trimmed = value.trim();
      if (trimmed.length < MIN_VALUE_LENGTH) continue;
      const lower = trimmed.toLowerCase();
      const percent = encodeURIComponent(trimmed).toLowerCase();
      this.raw.add(lower);
      this.encoded.add(lower).add(percent).add(percent.replace(/%20/g, '+'));
    }
  }

  in(text: string): boolean {
    if (this.raw.size === 0 || text.length < MIN_VALUE_LENGTH) return false;
    const lower = text.toLowerCase();
    for (const needle of this.encoded) if (lower.includes(needle)) return true;
    // Encodings the variants miss: Chromium escapes only some characters of a script-set URL, form
    // encoding escapes !'()~ which encodeURIComponent keeps.
    const decoded = [safeDecode(lower), safeDecode(lower.replace(/\+/g, ' '))];
    for (const value of this.raw) if (decoded.some((d) => d.includes(value))) return true;
    return false;
  }

  /** The URL for the record: what was typed does not belong in logs or API answers. */
  redact(url: string): string {
    let out = url;
    for (const needle of this.encoded) {
      let at = out.toLowerCase().indexOf(needle);
      while (at !== -1) {
        out = `${out.slice(0, at)}[typed]${out.slice(at + needle.length)}`;
        at = out.toLowerCase().indexOf(needle, at + '[typed]'.length);
      }
    }
    if (!this.in(out)) return out;
    try {
      return `${new URL(url).origin}/[redacted]`;
    } catch {
      return '[redacted]';
    }
  }
}

function hasDocument(request: Request): boolean {
  try {
    const url = request.frame().url();
    return url !== '' && url !== 'about:blank';
  } catch {
    return false; // a popup's first navigation: Playwright has no frame for it yet
  }
}

function kindOf(request: Request, method: string, hasBody: boolean): WouldHaveSent['kind'] {
  if (request.isNavigationRequest()) return hasBody || method === 'POST' ? 'form' : 'navigation';
  switch (request.resourceType()) {
    case 'fetch':
      return 'fetch';
    case 'xhr':
      return 'xhr';
    case 'ping': {
      // Chromium reports sendBeacon and <a ping> both as 'ping'; hyperlink auditing adds Ping-To.
      const headers = request.headers();
      return headers['ping-to'] !== undefined || headers['content-type'] === 'text/ping' ? 'ping' : 'beacon';
    }
    default:
      return 'other';
  }
}

export async function installDryRunGuard(
  context: BrowserContext,
  options: DryRunGuardOptions = {},
): Promise<DryRunGuard> {
  const values = new TypedValues();
  const records: WouldHaveSent[] = [];
  /** Stops so far (past MAX_RECORDS too), and how many of them a waitForStop() has reported. */
  let stopCount = 0;
  let reportedCount = 0;
  const waiters = new Set<(stopped: boolean) => void>();
  const frozen = new WeakSet<Page>();
  let armed = false;
  let disposed = false;
  let armScript: Promise<Disposable | undefined> | undefined;

  const record = (entry: Omit<WouldHaveSent, 'at'>): void => {
    if (records.length < MAX_RECORDS) {
      records.push({
        ...entry,
        url: values.redact(entry.url).slice(0, URL_MAX),
        at: new Date().toISOString(),
      });
    }
    stopCount += 1;
    for (const wake of [...waiters]) wake(true);
  };

  const neuterWorker = (worker: Worker): void => {
    worker.evaluate(WORKER_GUARD).catch(() => undefined); // a worker that ended needs none
  };
  const armFrames = (page: Page): void => {
    for (const frame of page.frames()) {
      frame.evaluate(ARM_DOCUMENT).catch(() => undefined); // a frame that detached or is navigating gets the arm init script
    }
    for (const worker of page.workers()) neuterWorker(worker);
  };
  // A popup still blank when filling starts is a document its opener can script, whose requests
  // Playwright does not route (see IN_PAGE_GUARD): nobody fills a form there, so it goes.
  const closeIfBlankPopup = (page: Page): void => {
    if (page.url() !== 'about:blank') return;
    page
      .opener()
      .then((opener) => (opener && page.url() === 'about:blank' ? page.close() : undefined))
      .catch(() => undefined);
  };
  const onWorker = (worker: Worker): void => {
    if (armed) neuterWorker(worker);
  };
  const watchPage = (page: Page): void => {
    page.on('worker', onWorker);
  };
  context.on('page', watchPage);
  for (const page of context.pages()) watchPage(page);

  const onMarker = (url: URL): void => {
    const target = url.searchParams.get('url') ?? '';
    if (url.pathname === '/popup') {
      record({
        method: 'GET',
        url: target,
        kind: 'navigation',
        bodyBytes: 0,
        reason: 'window.open after filling started',
      });
      return;
    }
    const opened = url.pathname === '/open';
    record({
      method: opened ? 'GET' : 'MESSAGE',
      url: target,
      kind: 'websocket',
      bodyBytes: Number(url.searchParams.get('bytes') ?? 0) || 0,
      reason: opened ? 'WebSocket opened after filling started (worker)' : 'WebSocket message (worker)',
    });
  };

  const onRoute = async (route: Route, request: Request): Promise<void> => {
    if (!armed) return route.fallback();
    const url = request.url();
    if (url.startsWith(`${MARKER_ORIGIN}/`)) {
      onMarker(new URL(url));
      return route.abort('blockedbyclient');
    }
    const method = request.method().toUpperCase();
    const bodyBytes = request.postDataBuffer()?.length ?? 0;
    const navigation = request.isNavigationRequest();
    const reasons: string[] = [];
    if (bodyBytes > 0) reasons.push('carries a body');
    if (!SAFE_METHODS.has(method)) reasons.push(`method ${method}`);
    if (navigation) reasons.push('navigation after filling started');
    if (values.in(url)) reasons.push('URL carries a typed value');
    if (Object.values(request.headers()).some((value) => values.in(value))) {
      reasons.push('a header carries a typed value');
    }
    if (reasons.length === 0) return route.fallback();
    record({
      method,
      url,
      kind: kindOf(request, method, bodyBytes > 0),
      bodyBytes,
      reason: reasons.join('; '),
    });
    // 204 No Content: the frame keeps its (filled) document; see the module comment. A frame still
    // on its first blank document (a popup opened before arming) gets the error page instead: a
    // blank popup left in place is scriptable by its opener, and its requests are not routed.
    if (navigation)
      return hasDocument(request) ? route.fulfill({ status: 204 }) : route.abort('blockedbyclient');
    return route.abort('blockedbyclient');
  };

  const onWebSocket = async (ws: WebSocketRoute): Promise<void> => {
    if (armed) {
      record({
        method: 'GET',
        url: ws.url(),
        kind: 'websocket',
        bodyBytes: 0,
        reason: 'WebSocket opened after filling started',
      });
      return ws.close({ code: 1008, reason: 'dry run' });
    }
    if (options.allowWebSocket && !(await options.allowWebSocket(ws.url()))) {
      return ws.close({ code: 1008, reason: 'blocked' });
    }
    if (armed) return onWebSocket(ws); // armed while the SSRF check ran
    const server = ws.connectToServer();
    // With a page handler set, Playwright forwards nothing from the page by itself; messages from
    // the server keep flowing to the page (no server handler).
    ws.onMessage((message) => {
      if (!armed) return server.send(message);
      record({
        method: 'MESSAGE',
        url: ws.url(),
        kind: 'websocket',
        bodyBytes: typeof message === 'string' ? Buffer.byteLength(message) : message.length,
        reason: 'WebSocket message',
      });
    });
  };

  const [routeHandle, initScript] = await Promise.all([
    context.route('**/*', onRoute),
    context.addInitScript(IN_PAGE_GUARD),
    context.routeWebSocket(/.*/, onWebSocket),
  ]);

  /** Turns scripts off in the page and in every frame with a session of its own (out-of-process). */
  const freeze = async (page: Page): Promise<void> => {
    if (frozen.has(page) || page.isClosed()) return;
    frozen.add(page);
    for (const frame of page.frames()) {
      let session: CDPSession;
      try {
        session = await context.newCDPSession(frame === page.mainFrame() ? page : frame);
      } catch {
        continue; // an in-process frame: covered by its page's session
      }
      // Never detached: detaching a session drops its emulation overrides.
      await session.send('Emulation.setScriptExecutionDisabled', { value: true }).catch(() => undefined);
    }
  };

  return {
    arm(more: readonly string[] = []): void {
      // Arming a removed guard would promise what nothing enforces any more.
      if (disposed && !armed) throw new Error('The dry-run guard was disposed before it was armed');
      values.add(more);
      if (armed) return;
      armed = true;
      // Documents created from now on are armed by their own init script; those that exist by a call.
      armScript = context.addInitScript(ARM_DOCUMENT).catch(() => undefined);
      for (const page of context.pages()) {
        armFrames(page);
        closeIfBlankPopup(page);
      }
    },
    get armed(): boolean {
      return armed;
    },
    stopped(): WouldHaveSent[] {
      return records.map((entry) => ({ ...entry }));
    },
    waitForStop(ms: number): Promise<boolean> {
      if (disposed) return Promise.resolve(false);
      if (stopCount > reportedCount) {
        reportedCount = stopCount;
        return Promise.resolve(true);
      }
      return new Promise<boolean>((resolve) => {
        const done = (stopped: boolean): void => {
          clearTimeout(timer);
          waiters.delete(done);
          if (stopped) reportedCount = stopCount;
          resolve(stopped);
        };
        const timer = setTimeout(() => done(false), ms);
        waiters.add(done);
      });
    },
    async dispose(): Promise<void> {
      if (disposed) return;
      disposed = true;
      for (const wake of [...waiters]) wake(false);
      context.off('page', watchPage);
      for (const page of context.pages()) page.off('worker', onWorker);
      if (armed) {
        await armScript;
        await Promise.all(context.pages().map((page) => freeze(page).catch(() => undefined)));
        return;
      }
      // routeWebSocket has no removal: the handler stays, forwarding both ways while unarmed.
      await Promise.all([routeHandle.dispose(), initScript.dispose()]).catch(() => undefined);
    },
  };
}
