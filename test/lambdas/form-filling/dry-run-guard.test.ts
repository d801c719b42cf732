/**
 * The dry-run guard on real Chromium (@sparticuz/chromium), behind withContext's SSRF route as in
 * production. Every trap is a self-contained page served by a node:http server that records what
 * it receives; the assertions are on that server: after arm(), nothing carrying a typed value and
 * no POST may arrive, whatever the page does. One browser for the file, a fresh context per test.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { BrowserContext, Page } from 'playwright-core';
import {
  installDryRunGuard,
  type DryRunGuard,
  type WouldHaveSent,
} from '../../../lambdas/form-filling/dry-run-guard';
import { BrowserManager, sparticuzExecutablePath } from '../../../lambdas/browser/browser';

// What the engine would type: with spaces, & and @ and +, so every encoding is exercised.
const VALUES = ['Acme Plumbing & Sons', 'owner@acme-plumbing.test', '+1 555 0100 777'];
const SETTLE_MS = 250;

interface Received {
  method: string;
  url: string;
  body: string;
}
const received: Received[] = [];
const socketMessages: string[] = [];
const pages = new Map<string, string>();
let server: Server;
let base: string;
let manager: BrowserManager;

/** A minimal WebSocket endpoint (no `ws` package here): echoes text frames; "push" gets a late push. */
function acceptWebSocket(req: IncomingMessage, socket: Socket): void {
  const accept = createHash('sha1')
    .update(`${req.headers['sec-websocket-key']}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`)
    .digest('base64');
  socket.write(
    `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
  );
  const sendText = (text: string): void => {
    const payload = Buffer.from(text);
    socket.write(Buffer.concat([Buffer.from([0x81, payload.length]), payload]));
  };
  let pending = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk]);
    for (;;) {
      if (pending.length < 2) return;
      let length = pending[1]! & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (pending.length < 4) return;
        length = pending.readUInt16BE(2);
        offset = 4;
      }
      if (pending.length < offset + 4 + length) return;
      const mask = pending.subarray(offset, offset + 4);
      const payload = pending.subarray(offset + 4, offset + 4 + length).map((byte, i) => byte ^ mask[i % 4]!);
      const opcode = pending[0]! & 0x0f;
      pending = pending.subarray(offset + 4 + length);
      if (opcode === 0x8) return void socket.end();
      const text = Buffer.from(payload).toString();
      socketMessages.push(text);
      if (text === 'push') setTimeout(() => sendText('pushed'), 400);
      else sendText(`echo:${text}`);
    }
  });
  socket.on('error', () => undefined);
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ method: req.method ?? '', url: req.url ?? '', body: Buffer.concat(chunks).toString() });
      const page = pages.get(new URL(req.url ?? '/', base).pathname);
      res.writeHead(200, { 'content-type': page === undefined ? 'text/plain' : 'text/html' });
      res.end(page ?? 'ok');
    });
  });
  server.on('upgrade', (req, socket) => acceptWebSocket(req, socket as Socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  manager = new BrowserManager({ resolveExecutablePath: sparticuzExecutablePath });
  await manager.getBrowser();
});
afterAll(async () => {
  await manager?.close();
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
});

let pageCount = 0;
/** Serves `html` at a fresh path; returns the path. */
function servePage(html: string): string {
  pageCount += 1;
  const path = `/p/${pageCount}`;
  pages.set(path, `<!doctype html><html><body>${html}</body></html>`);
  return path;
}

/** The form every trap page has; `script` wires the trap (v() is what was typed, by field name). */
function formPage({ form = 'method="post" action="/submit"', inside = '', after = '', script = '' }): string {
  return servePage(`
    <form id="form" ${form}>
      <input id="business" name="business"><input id="email" name="email"><input id="phone" name="phone">
      ${inside}
    </form>
    ${after}
    <script>
      const form = document.getElementById('form');
      const v = () => Object.fromEntries(new FormData(form));
      const q = () => new URLSearchParams(v()).toString();
      ${script}
    </script>`);
}

interface Run {
  context: BrowserContext;
  page: Page;
  guard: DryRunGuard;
  /** URLs the SSRF route (withContext's allowRequest) was asked about, and WebSocket URLs. */
  ssrfSeen: string[];
  /** Arms with VALUES, types them, and remembers where the server's log stood. */
  armAndFill(): Promise<void>;
}

let armedAt = 0;
/** Opens `path` in a fresh guarded context (SSRF route first, as withContext installs it). */
async function dryRun(path: string, body: (run: Run) => Promise<void>): Promise<void> {
  const ssrfSeen: string[] = [];
  armedAt = Number.POSITIVE_INFINITY;
  await manager.withContext(
    async (context) => {
      const guard = await installDryRunGuard(context, {
        allowWebSocket: (url) => {
          ssrfSeen.push(url);
          return true;
        },
      });
      try {
        const page = await context.newPage();
        await page.goto(`${base}${path}`);
        const armAndFill = async (): Promise<void> => {
          armedAt = received.length;
          guard.arm(VALUES);
          await page.fill('#business', VALUES[0]!);
          await page.fill('#email', VALUES[1]!);
          await page.fill('#phone', VALUES[2]!);
        };
        await body({ context, page, guard, ssrfSeen, armAndFill });
      } finally {
        await guard.dispose();
      }
    },
    {
      allowRequest: (url) => {
        ssrfSeen.push(url);
        return true;
      },
    },
  );
}

const sinceArmed = (): Received[] => received.slice(armedAt);
const encodings = (value: string): string[] => {
  const percent = encodeURIComponent(value);
  return [value, percent, percent.replace(/%20/g, '+')].map((s) => s.toLowerCase());
};
const carriesValue = (text: string): boolean => {
  const lower = text.toLowerCase();
  let decoded = lower;
  try {
    decoded = decodeURIComponent(lower.replace(/\+/g, ' '));
  } catch {
    // keep it raw
  }
  return VALUES.some((value) => encodings(value).some((e) => lower.includes(e) || decoded.includes(e)));
};

/** The server saw no POST (no body, no unsafe method) and nothing carrying a typed value since arm(). */
function expectNothingSent(): void {
  const after = sinceArmed();
  expect(after.filter((r) => r.method !== 'GET' || r.body !== '')).toEqual([]);
  expect(after.filter((r) => carriesValue(r.url) || carriesValue(r.body))).toEqual([]);
}

/** Waits until `check` holds (jest has no expect.poll). */
async function until(check: () => boolean, ms = 3_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Condition not met in ${ms} ms: ${check.toString()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const kinds = (guard: DryRunGuard): Array<WouldHaveSent['kind']> => guard.stopped().map((s) => s.kind);
const settle = (page: Page): Promise<void> => page.waitForTimeout(SETTLE_MS);

test('a submit-type "Continue" posts the form: stopped as a form, the filled page stays', async () => {
  const path = formPage({ inside: '<button type="submit">Continue</button>' });
  await dryRun(path, async ({ page, guard, armAndFill }) => {
    await armAndFill();
    const stop = guard.waitForStop(3_000);
    await page.click('text=Continue');
    expect(await stop).toBe(true);
    await settle(page);

    expectNothingSent();
    const [form] = guard.stopped();
    expect(form).toMatchObject({ method: 'POST', kind: 'form', url: `${base}/submit` });
    expect(form!.reason).toMatch(/carries a body/);
    expect(form!.reason).toMatch(/navigation after filling started/);
    expect(form!.bodyBytes).toBeGreaterThan(0);
    expect(Date.parse(form!.at)).not.toBeNaN();
    // Answered 204, not aborted: no error page replaced the filled form.
    expect(page.url()).toBe(`${base}${path}`);
    expect(await page.inputValue('#email')).toBe(VALUES[1]);
  });
});

test("the page's own form.submit() from a script is stopped", async () => {
  const path = formPage({
    script: `document.getElementById('phone').addEventListener('change', () => form.submit());`,
  });
  await dryRun(path, async ({ page, guard, armAndFill }) => {
    await armAndFill();
    await page.press('#phone', 'Tab'); // blur: the change event fires
    expect(await guard.waitForStop(3_000)).toBe(true);
    await settle(page);
    expectNothingSent();
    expect(kinds(guard)).toEqual(['form']);
  });
});

test('a type=button "Next" that fetches POST: stopped as fetch', async () => {
  const path = formPage({
    inside: '<button type="button" id="next">Next</button>',
    script: `document.getElementById('next').onclick = () =>
      fetch('/api/step', { method: 'POST', body: JSON.stringify(v()) }).catch(() => {});`,
  });
  await dryRun(path, async ({ page, guard, armAndFill }) => {
    await armAndFill();
    await page.click('#next');
    expect(await guard.waitForStop(3_000)).toBe(true);
    await settle(page);
    expectNothingSent();
    expect(guard.stopped()).toEqual([
      expect.objectContaining({ method: 'POST', kind: 'fetch', reason: 'carries a body; method POST' }),
    ]);
  });
});

test('XHR POST, keepalive fetch and sendBeacon: stopped as xhr, fetch and beacon', async () => {
  const path = formPage({
    script: `window.trap = () => {
      const xhr = new XMLHttpRequest(); xhr.open('POST', '/api/xhr'); xhr.send(q());
      fetch('/api/keepalive', { method: 'POST', body: q(), keepalive: true }).catch(() => {});
      navigator.sendBeacon('/api/beacon', q());
    };`,
  });
  await dryRun(path, async ({ page, guard, armAndFill }) => {
    await armAndFill();
    await page.evaluate('trap()');
    await settle(page);
    expectNothingSent();
    expect(kinds(guard).sort()).toEqual(['beacon', 'fetch', 'xhr']);
    expect(guard.stopped().every((s) => s.method === 'POST' && s.bodyBytes > 0)).toBe(true);
  });
});

test('<a ping>: the hyperlink-auditing POST is stopped as ping, the link navigation too', async () => {
  const path = formPage({ after: '<a id="out" href="/elsewhere" ping="/audit">Next</a>' });
  await dryRun(path, async ({ page, guard, armAndFill }) => {
    await armAndFill();
    await page.click('#out');
    await settle(page);
    expectNothingSent();
    expect(kinds(guard).sort()).toEqual(['navigation', 'ping']);
    expect(page.url()).toBe(`${base}${path}`);
  });
});

test('a GET form ("Next" puts the values in the query string): stopped navigation, URL redacted', async () => {
  const path = formPage({ form: 'method="get" action="/step2"', inside: '<button>Next</button>' });
  await dryRun(path, async ({ page, guard, armAndFill }) => {
    await armAndFill();
    await page.click('text=Next');
    expect(await guard.waitForStop(3_000)).toBe(true);
    await settle(page);
    expectNothingSent();
    const [nav] = guard.stopped();
    expect(nav).toMatchObject({ method: 'GET', kind: 'navigation', bodyBytes: 0 });
    expect(nav!.reason).toBe('navigation after filling started; URL carries a typed value');
    // The record goes to logs and API answers: the typed values are not in it.
    expect(carriesValue(nav!.url)).toBe(false);
    expect(nav!.url).toContain('[typed]');
  });
});

test('location.href set to a URL with the value on a change event', async () => {
  const path = formPage({
    script: `document.getElementById('email').addEventListener('change', (e) => {
      location.href = '/check?email=' + e.target.value;
    });`,
  });
  await dryRun(path, async ({ page, guard, armAndFill }) => {
    await armAndFill();
    await page.press('#email', 'Tab');
    expect(await guard.waitForStop(3_000)).toBe(true);
    await settle(page);
    expectNothingSent();
    expect(guard.stopped()).toEqual([
      expect.objectContaining({
        kind: 'navigation',
        reason: 'navigation after filling started; URL carries a typed value',
      }),
    ]);
  });
});

test('window.open of a URL with the value is refused; a form posting to a new window is stopped', async () => {
  const path = formPage({
    form: 'method="post" action="/submit" target="_blank"',
    script: `window.trap = () => String(window.open('/share?' + q()));`,
  });
  await dryRun(path, async ({ context, page, guard, armAndFill }) => {
    await armAndFill();
    expect(await page.evaluate('trap()')).toBe('null'); // as a popup blocker would answer
    expect(await guard.waitForStop(3_000)).toBe(true);
    expect(guard.stopped()).toEqual([
      expect.objectContaining({
        method: 'GET',
        kind: 'navigation',
        reason: 'window.open after filling started',
      }),
    ]);
    expect(guard.stopped()[0]!.url).toMatch(new RegExp(`^${base}/share\\?.*\\[typed\\]`));

    const popup = context.waitForEvent('page');
    await page.evaluate(() => (document.getElementById('form') as HTMLFormElement).requestSubmit());
    expect(await guard.waitForStop(3_000)).toBe(true);
    // A new window has no document worth keeping: aborted, it shows Chromium's error page.
    await (await popup).waitForURL(/^chrome-error:/);
    await settle(page);
    expectNothingSent();
    expect(kinds(guard)).toEqual(['navigation', 'form']);
  });
});

test('scripts written into blank frames and popups are routed; a blank popup from before arm() is closed', async () => {
  const path = formPage({
    script: `
      window.early = window.open('');
      window.trap = () => {
        const frame = document.createElement('iframe');
        document.body.append(frame);
        frame.contentWindow.document.write(
          '<script>fetch("/api/from-frame", { method: "POST", body: ' + JSON.stringify(q()) + ' }).catch(() => {});<' + '/script>');
        try { early.fetch('/api/from-popup', { method: 'POST', body: q() }).catch(() => {}); } catch {}
      };`,
  });
  await dryRun(path, async ({ context, page, guard, armAndFill }) => {
    await until(() => context.pages().length === 2);
    await armAndFill();
    await until(() => context.pages().length === 1); // the blank popup is gone
    await page.evaluate('trap()');
    expect(await guard.waitForStop(3_000)).toBe(true);
    await settle(page);
    expectNothingSent();
    expect(guard.stopped()).toEqual([
      expect.objectContaining({ method: 'POST', kind: 'fetch', url: `${base}/api/from-frame` }),
    ]);
  });
});

test('new Image().src carrying the value: stopped although it is a GET subresource', async () => {
  const path = formPage({ script: `window.trap = () => { new Image().src = '/pixel.gif?' + q(); };` });
  await dryRun(path, async ({ page, guard, armAndFill }) => {
    await armAndFill();
    await page.evaluate('trap()');
    expect(await guard.waitForStop(3_000)).toBe(true);
    await settle(page);
    expectNothingSent();
    expect(guard.stopped()).toEqual([
      expect.objectContaining({ method: 'GET', kind: 'other', reason: 'URL carries a typed value' }),
    ]);
  });
});

test('a typed value in a header (custom header, cookie) of a GET: stopped', async () => {
  const path = formPage({
    script: `window.trap = () => {
      fetch('/api/lookup', { headers: { 'x-business': v().business } }).catch(() => {});
      document.cookie = 'draft=' + encodeURIComponent(v().email) + '; path=/';
      new Image().src = '/logo.png';
    };`,
  });
  await dryRun(path, async ({ page, guard, armAndFill }) => {
    await armAndFill();
    await page.evaluate('trap()');
    await settle(page);
    expectNothingSent();
    expect(sinceArmed()).toEqual([]); // the cookie rides on the image request too
    expect(guard.stopped().map((s) => s.reason)).toEqual([
      'a header carries a typed value',
      'a header carries a typed value',
    ]);
  });
});

test('an iframe navigated to a URL with the value, and a POST form targeting an iframe', async () => {
  const path = formPage({
    form: 'method="post" action="/frame-post" target="sink"',
    after: '<iframe name="sink" id="sink" src="about:blank"></iframe>',
    script: `window.trap = () => { document.getElementById('sink').src = '/framed?' + q(); };`,
  });
  await dryRun(path, async ({ page, guard, armAndFill }) => {
    await armAndFill();
    await page.evaluate('trap()');
    expect(await guard.waitForStop(3_000)).toBe(true);
    await page.evaluate(() => (document.getElementById('form') as HTMLFormElement).requestSubmit());
    await settle(page);
    expectNothingSent();
    expect(guard.stopped().map((s) => [s.kind, s.method])).toEqual([
      ['navigation', 'GET'],
      ['form', 'POST'],
    ]);
    expect(page.url()).toBe(`${base}${path}`);
  });
});

test('WebSocket: page messages dropped once armed, server pushes still arrive, new sockets refused', async () => {
  const path = formPage({
    script: `
      window.pushed = [];
      window.openSocket = (name) => new Promise((resolve) => {
        const socket = new WebSocket(location.origin.replace('http', 'ws') + '/ws/' + name);
        socket.onopen = () => resolve('open');
        socket.onclose = (event) => resolve('closed ' + event.code);
        socket.onmessage = (event) => window.pushed.push(event.data);
        window[name] = socket;
      });`,
  });
  await dryRun(path, async ({ page, guard, ssrfSeen, armAndFill }) => {
    expect(await page.evaluate(`openSocket('early')`)).toBe('open');
    await page.evaluate(`early.send('before arming'); early.send('push')`);
    await page.waitForFunction(`pushed.includes('echo:before arming')`);
    expect(socketMessages).toContain('before arming'); // forwarded both ways until arm()
    expect(ssrfSeen).toContain(`${base.replace('http', 'ws')}/ws/early`); // the SSRF check still ran

    const messagesAtArm = socketMessages.length;
    await armAndFill();
    await page.evaluate(`early.send(JSON.stringify(v()))`);
    expect(await guard.waitForStop(3_000)).toBe(true);
    await page.waitForFunction(`pushed.includes('pushed')`); // server -> page still flows
    expect(await page.evaluate(`openSocket('late')`)).toBe('closed 1008');
    await settle(page);

    expect(socketMessages.slice(messagesAtArm)).toEqual([]);
    expect(guard.stopped()).toEqual([
      expect.objectContaining({ method: 'MESSAGE', kind: 'websocket', reason: 'WebSocket message' }),
      expect.objectContaining({
        method: 'GET',
        kind: 'websocket',
        reason: 'WebSocket opened after filling started',
      }),
    ]);
    expect(guard.stopped()[0]!.bodyBytes).toBeGreaterThan(20);
    expectNothingSent();
  });
});

test("a dedicated worker's WebSocket (outside Playwright's socket routing) is silenced once armed", async () => {
  const worker = `
    let socket;
    onmessage = (event) => {
      if (event.data.open) {
        socket = new WebSocket(event.data.open);
        socket.onopen = () => postMessage('open');
      } else if (event.data.send) {
        socket.send(event.data.send);
        postMessage('sent');
      } else {
        try { new WebSocket(event.data.late); postMessage('late open'); } catch (e) { postMessage('late refused'); }
      }
    };`;
  const path = formPage({
    script: `
      const w = new Worker(URL.createObjectURL(new Blob([${JSON.stringify(worker)}], { type: 'text/javascript' })));
      window.ask = (message) => new Promise((resolve) => { w.onmessage = (e) => resolve(e.data); w.postMessage(message); });`,
  });
  await dryRun(path, async ({ page, guard, armAndFill }) => {
    const wsUrl = `${base.replace('http', 'ws')}/ws/worker`;
    expect(await page.evaluate(`ask({ open: ${JSON.stringify(wsUrl)} })`)).toBe('open');
    await page.evaluate(`ask({ send: 'before arming' })`);
    await until(() => socketMessages.includes('before arming'));

    const messagesAtArm = socketMessages.length;
    await armAndFill();
    await page.evaluate(`ask({ send: JSON.stringify(v()) })`);
    expect(await page.evaluate(`ask({ late: ${JSON.stringify(wsUrl)} })`)).toBe('late refused');
    await until(() => guard.stopped().length === 2);
    await settle(page);

    expect(socketMessages.slice(messagesAtArm)).toEqual([]);
    expect(guard.stopped().map((s) => [s.kind, s.method, s.reason])).toEqual([
      ['websocket', 'MESSAGE', 'WebSocket message (worker)'],
      ['websocket', 'GET', 'WebSocket opened after filling started (worker)'],
    ]);
    expectNothingSent();
  });
});

test('unload-time requests (iframe removed, popup closing itself, page closed) send nothing', async () => {
  // pagehide / visibilitychange beacons, keepalive fetches and images escape request interception
  // while a document unloads; form-abandonment trackers send exactly these.
  const leak = (prefix: string) => `
    const send = (tag) => {
      const data = new URLSearchParams(Object.fromEntries(new FormData(
        (window.opener || (parent !== window ? parent : window)).document.getElementById('form')))).toString();
      navigator.sendBeacon('/${prefix}-beacon-' + tag, data);
      fetch('/${prefix}-keepalive-' + tag, { method: 'POST', body: data, keepalive: true }).catch(() => {});
      new Image().src = '/${prefix}-pixel-' + tag + '?' + data;
    };
    addEventListener('pagehide', () => send('pagehide'));
    addEventListener('unload', () => send('unload'));
    document.addEventListener('visibilitychange', () => send('hidden'));`;
  const framePath = servePage(`<script>${leak('frame')}</script>`);
  const popupPath = servePage(`<script>${leak('popup')}</script>`);
  const path = formPage({ after: `<iframe id="child" src="${framePath}"></iframe>`, script: leak('page') });
  let page: Page | undefined;
  await dryRun(path, async (run) => {
    page = run.page;
    const popupEvent = run.context.waitForEvent('page');
    await run.page.evaluate(`window.open(${JSON.stringify(popupPath)})`);
    const popup = await popupEvent;
    await popup.waitForLoadState();
    await run.armAndFill();
    await run.page.evaluate(`document.getElementById('child').remove()`);
    await popup.evaluate('window.close()');
    await settle(run.page);
    expectNothingSent();
    // The harness disposes the guard, then withContext closes the page: its handlers would run then.
  });
  expect(page!.isClosed()).toBe(true);
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  expectNothingSent();
  expect(sinceArmed().filter((r) => /(frame|popup|page)-/.test(r.url))).toEqual([]);
});

test('SharedWorker is absent (its requests are never routed); WebRTC is refused once armed', async () => {
  const path = formPage({});
  await dryRun(path, async ({ page, armAndFill }) => {
    expect(await page.evaluate('typeof SharedWorker')).toBe('undefined');
    expect(await page.evaluate('typeof new RTCPeerConnection()')).toBe('object');
    await armAndFill();
    await expect(page.evaluate('new RTCPeerConnection()')).rejects.toThrow(/dry run/);
  });
});

test('before arm() the page works normally: its POST reaches the server', async () => {
  const path = formPage({
    script: `window.trap = () => fetch('/api/early', { method: 'POST', body: 'nothing typed yet' }).then((r) => r.text());`,
  });
  await dryRun(path, async ({ page, guard, armAndFill }) => {
    const before = received.length;
    expect(await page.evaluate('trap()')).toBe('ok');
    expect(received.slice(before)).toEqual([
      { method: 'POST', url: '/api/early', body: 'nothing typed yet' },
    ]);
    expect(guard.armed).toBe(false);
    expect(guard.stopped()).toEqual([]);

    await armAndFill();
    expect(guard.armed).toBe(true);
    await expect(page.evaluate('trap()')).rejects.toThrow(/Failed to fetch/);
    expectNothingSent();
  });
});

test('waitForStop: false when nothing tries to send, true as soon as something does', async () => {
  const path = formPage({ script: `window.trap = () => navigator.sendBeacon('/api/beacon', q());` });
  await dryRun(path, async ({ page, guard, armAndFill }) => {
    await armAndFill();
    const started = Date.now();
    expect(await guard.waitForStop(300)).toBe(false);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);

    const stop = guard.waitForStop(5_000);
    await page.evaluate('trap()');
    const fired = Date.now();
    expect(await stop).toBe(true);
    expect(Date.now() - fired).toBeLessThan(2_000);
  });
});

test('the SSRF route still decides what the guard lets through, and never sees what it stops', async () => {
  const path = formPage({
    script: `window.trap = () => {
      new Image().src = '/logo.png';
      fetch('/api/plain-get').catch(() => {});
      fetch('/api/post', { method: 'POST', body: q() }).catch(() => {});
    };`,
  });
  await dryRun(path, async ({ page, guard, ssrfSeen, armAndFill }) => {
    expect(ssrfSeen).toContain(`${base}${path}`);
    await armAndFill();
    await page.evaluate('trap()');
    await settle(page);

    expect(ssrfSeen).toEqual(expect.arrayContaining([`${base}/logo.png`, `${base}/api/plain-get`]));
    expect(ssrfSeen).not.toContain(`${base}/api/post`);
    expect(
      sinceArmed()
        .map((r) => r.url)
        .sort(),
    ).toEqual(['/api/plain-get', '/logo.png']);
    expect(kinds(guard)).toEqual(['fetch']);
    expectNothingSent();
  });
});

test('arm() can add values later; values shorter than 3 characters are ignored', async () => {
  const path = formPage({ script: `window.load = (s) => { new Image().src = '/img?' + s; };` });
  await dryRun(path, async ({ page, guard }) => {
    guard.arm(['TX']);
    await page.evaluate(`load('state=TX')`);
    await settle(page);
    expect(guard.stopped()).toEqual([]);
    guard.arm(['Springfield']);
    await page.evaluate(`load('city=springfield')`);
    expect(await guard.waitForStop(3_000)).toBe(true);
    expect(guard.stopped()[0]!.url).toBe(`${base}/img?city=[typed]`);
  });
});

test('dispose(): unarmed it removes the guard; armed it switches scripts off in every page', async () => {
  const path = formPage({
    script: `window.ticks = 0; setInterval(() => { ticks += 1; }, 10);
      window.trap = () => fetch('/api/after-dispose', { method: 'POST', body: 'x' }).then((r) => r.text());`,
  });
  await dryRun(path, async ({ page, guard }) => {
    await guard.dispose();
    expect(await page.evaluate('trap()')).toBe('ok'); // no dry run any more: the page is itself
    expect(await guard.waitForStop(10)).toBe(false);
    expect(() => guard.arm(VALUES)).toThrow(/disposed/); // nothing would enforce it
  });
  await dryRun(path, async ({ page, guard, armAndFill }) => {
    await armAndFill();
    await guard.dispose();
    const ticks = await page.evaluate('ticks');
    await settle(page);
    expect(await page.evaluate('ticks')).toBe(ticks); // timers, and unload handlers at close, never run
    expectNothingSent();
  });
});
