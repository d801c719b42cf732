/**
 * The SSRF guard on real Chromium (@sparticuz/chromium) behind the guard's real proxy, against the
 * real demo site and a "canary" server on another loopback port that counts every connection it
 * gets: nothing may reach it.
 */
import { createServer, type Server } from 'node:net';
import { BrowserManager, sparticuzExecutablePath } from '../../../lambdas/browser/browser';
import { fillAndSubmit } from '../../../lambdas/form-filling/fill-flow';
import { SubmissionError } from '../../../lambdas/browser/submission-error';
import {
  BlockedError,
  classifyAddress,
  parseAllowedHosts,
  SsrfGuard,
} from '../../../lambdas/browser/ssrf-guard';
import { startDemoSite, type DemoSite } from '../../../local/demo-site/server';
import { PROFILE } from '../../support/business-fixtures';

let site: DemoSite;
let guard: SsrfGuard;
let browser: BrowserManager;
let canary: Server;
let canaryUrl: string;
let canaryHits = 0;
const timeouts = { navigationMs: 8_000, actionMs: 3_000 };

beforeAll(async () => {
  [site] = await Promise.all([startDemoSite(), sparticuzExecutablePath()]);
  canary = createServer((socket) => {
    canaryHits += 1;
    socket.destroy();
  });
  await new Promise<void>((resolve) => canary.listen(0, '127.0.0.1', resolve));
  canaryUrl = `http://127.0.0.1:${(canary.address() as { port: number }).port}`;
  guard = new SsrfGuard({ allowedHosts: parseAllowedHosts(new URL(site.url).host) });
  browser = new BrowserManager({
    resolveExecutablePath: sparticuzExecutablePath,
    proxyServer: () => guard.proxyUrl(),
  });
});
afterAll(async () => {
  await browser?.close();
  await guard?.close();
  await site?.stop();
  await new Promise((resolve) => canary?.close(resolve));
});
beforeEach(() => {
  site.reset();
  canaryHits = 0;
});

const guarded = {
  allowRequest: (url: string, kind: { navigation: boolean }) => guard.allowRequest(url, kind),
};

test.each([
  ['8.8.8.8', true],
  ['2606:4700:4700::1111', true],
  ['127.0.0.1', false],
  ['127.1.2.3', false],
  ['10.0.0.5', false],
  ['172.16.9.9', false],
  ['192.168.1.1', false],
  ['100.64.0.1', false],
  ['169.254.169.254', false],
  ['0.0.0.0', false],
  ['224.0.0.1', false],
  ['255.255.255.255', false],
  ['240.0.0.1', false],
  ['::1', false],
  ['::', false],
  ['fe80::1', false],
  ['fd00:ec2::254', false],
  ['ff02::1', false],
  ['::ffff:127.0.0.1', false],
  ['::ffff:169.254.169.254', false],
  ['64:ff9b::a9fe:a9fe', false], // NAT64 of 169.254.169.254
  ['2002:7f00:1::', false], // 6to4 of 127.0.0.1
  ['not an address', false],
])('classifyAddress(%s) allowed: %s', (address, allowed) => {
  expect(classifyAddress(address).allowed).toBe(allowed);
});

test('allowed hosts: host:port only, malformed entries fail loudly', () => {
  expect([...parseAllowedHosts(' 127.0.0.1:43815, LOCALHOST:3000,[::1]:8080 ')]).toEqual([
    '127.0.0.1:43815',
    'localhost:3000',
    '[::1]:8080',
  ]);
  expect(parseAllowedHosts(undefined).size).toBe(0);
  expect(() => parseAllowedHosts('127.0.0.1')).toThrow(/host:port/);
  expect(() => parseAllowedHosts('http://127.0.0.1:80/x')).toThrow(/host:port/);
});

test('checks happen after DNS: a public-looking name that resolves to loopback or metadata is refused', async () => {
  const rebinding = new SsrfGuard({
    resolve: async (host) =>
      host === 'mixed.example'
        ? [
            { address: '93.184.215.14', family: 4 },
            { address: '169.254.169.254', family: 4 },
          ]
        : host === 'public.example'
          ? [{ address: '93.184.215.14', family: 4 }]
          : [{ address: '127.0.0.1', family: 4 }],
  });
  await expect(rebinding.resolveTarget('evil.example', 80)).rejects.toBeInstanceOf(BlockedError);
  await expect(rebinding.resolveTarget('mixed.example', 443)).rejects.toThrow(/linkLocal 169.254.169.254/);
  await expect(rebinding.resolveTarget('public.example', 443)).resolves.toMatchObject({
    address: '93.184.215.14',
  });
  expect(await rebinding.allowRequest('http://evil.example/')).toBe(false);
  expect(await rebinding.allowRequest('file:///proc/self/environ')).toBe(false);
  expect(await rebinding.allowRequest('chrome://settings')).toBe(false);
  expect(await rebinding.allowRequest('data:text/html,hi', { navigation: true })).toBe(false);
  expect(await rebinding.allowRequest('data:image/png;base64,AA==', { navigation: false })).toBe(true);
  // The demo site's own loopback origin is refused without the local allow list.
  await expect(rebinding.fetch(`${site.url}/listings?email=x`, { timeoutMs: 2_000 })).rejects.toBeInstanceOf(
    BlockedError,
  );
  await rebinding.close();
});

test('a hostile page: fetch, img, iframe, redirect and WebSocket to loopback, metadata and file: all blocked; same origin works', async () => {
  const run = (options: typeof guarded | Record<string, never>) =>
    browser.withContext(async (context) => {
      const page = await context.newPage();
      await page.goto(`${site.url}/probes/ssrf?canary=${encodeURIComponent(canaryUrl)}`);
      return page.evaluate<Record<string, string>>('window.__probes');
    }, options);

  // With the page checks and the proxy (as deployed) ...
  const probes = await run(guarded);
  expect(probes.sameOrigin).toMatch(/^ok:/);
  for (const key of ['fetchCanary', 'fetchMetadata', 'fetchFile', 'redirectToCanary']) {
    expect([key, probes[key]]).toEqual([key, expect.stringMatching(/^(error|status):/)]);
  }
  expect(probes.webSocket).not.toBe('open');
  expect(probes.fileFrame).not.toMatch(/PATH=|HOME=|AWS_/);

  // ... and with the proxy alone: it is the layer that sees redirects and every connection.
  const proxyOnly = await run({});
  expect(proxyOnly.sameOrigin).toMatch(/^ok:/);
  expect(proxyOnly.fetchCanary).toMatch(/^(error|status):/);
  expect(proxyOnly.webSocket).not.toBe('open');
  expect(canaryHits).toBe(0);
  expect(guard.blocked).toBeGreaterThan(0);
});

async function failure(promise: Promise<unknown>): Promise<SubmissionError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SubmissionError);
  return error as SubmissionError;
}

const submitTo = (url: string) =>
  browser.withContext(
    async (context) => fillAndSubmit(await context.newPage(), { url, profile: PROFILE, timeouts }),
    guarded,
  );

test('a redirect from the allowed site to a loopback origin is blocked: permanent, nothing reached', async () => {
  const error = await failure(
    submitTo(`${site.url}/redirect?to=${encodeURIComponent(`${canaryUrl}/forms/plain`)}`),
  );
  expect(error).toMatchObject({ kind: 'permanent', code: 'blocked' });
  const toMetadata = await failure(
    submitTo(`${site.url}/redirect?to=${encodeURIComponent('http://169.254.169.254/latest/meta-data/')}`),
  );
  expect(toMetadata).toMatchObject({ kind: 'permanent', code: 'blocked' });
  expect(canaryHits).toBe(0);
});

test('directory URLs on other schemes or disallowed hosts are refused before any request', async () => {
  for (const url of [
    'file:///proc/self/environ',
    'data:text/html,<form>',
    'javascript:alert(1)',
    `${canaryUrl}/x`,
  ]) {
    const error = await failure(submitTo(url));
    expect([url, error.kind, error.code]).toEqual([url, 'permanent', 'blocked']);
  }
  expect(canaryHits).toBe(0);
});

test('the allowed origin works end to end through the proxy', async () => {
  const result = await submitTo(`${site.url}/forms/plain`);
  expect(result.status).toBe('submitted');
  expect(site.submissions().filter((s) => s.accepted)).toHaveLength(1);
  const lookup = await guard.fetch(`${site.url}/listings?email=${encodeURIComponent(PROFILE.email)}`, {
    timeoutMs: 2_000,
  });
  expect(lookup.status).toBe(200);
  expect(JSON.parse(lookup.body)).toMatchObject({ listings: [{ business_name: PROFILE.business_name }] });
});
