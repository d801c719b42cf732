/**
 * The submitter's SSRF guard: a directory's page (and every redirect, subresource, XHR and WebSocket
 * it starts) may only reach public internet addresses, checked AFTER DNS resolution.
 *
 * Why: the submitter opens URLs that come from data (a directory row, a link or redirect on a page).
 * In Lambda the prizes are the runtime API on loopback (127.0.0.1:9001, the invocation's event and
 * credentials), /proc/self/environ (the role's keys), 169.254.169.254-style metadata endpoints and
 * anything private in a VPC. Checking a hostname's text is not enough (a public name can resolve to
 * 127.0.0.1, or resolve differently a second time: DNS rebinding), and page.route() does not see
 * redirects (Playwright calls the handler for the first URL only) nor fetches from service workers.
 *
 * How:
 * - An in-process forward proxy (node:http: absolute-URI requests for http://, CONNECT tunnels for
 *   https:// and WebSockets). Chromium is launched with --proxy-server pointing at it and
 *   --proxy-bypass-list=<-loopback> (Chromium otherwise connects to loopback directly, bypassing
 *   any proxy). The proxy resolves the target itself, refuses it if ANY resolved address is not
 *   public unicast, and connects to the address it checked (never resolving again), so a rebinding
 *   DNS answer cannot swap the address between check and connect.
 * - page.route()/routeWebSocket() run the same check first, to refuse non-http(s) schemes (file:,
 *   chrome:, data: navigations ...) and to give a refused navigation a clear error
 *   (net::ERR_BLOCKED_BY_CLIENT) instead of a proxy 403.
 * - Service workers are blocked in every context (browser.ts): their fetches bypass page.route().
 *
 * Why our own code: nothing on npm checks a browser's traffic with DNS pinning. Packages such as
 * request-filtering-agent or ssrf-req-filter guard Node's own http agents; Chromium does its own
 * DNS and connections, so the only place to pin it is a proxy it must use.
 *
 * Local mode: SUBMITTER_ALLOWED_HOSTS lists the only loopback/private origins allowed
 * ("127.0.0.1:43815", comma-separated host:port), e.g. the demo directory site. Unset (as in AWS):
 * strict, no exceptions.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import {
  createServer,
  request as httpRequest,
  Agent as HttpAgent,
  type IncomingMessage,
  type Server,
} from 'node:http';
import { request as httpsRequest, Agent as HttpsAgent } from 'node:https';
import { connect, isIP, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import ipaddr from 'ipaddr.js';
import type { LogPort } from '../platform/ports';
import { SUBMITTER } from '../platform/system-config';

/** Response header the proxy sets on a refusal, so the form filler can name it (not a plain 403). */
export const GUARD_HEADER = 'x-directorybolt-guard';

export type AddressVerdict = { allowed: true } | { allowed: false; range: string };

/**
 * Public unicast only. ipaddr.js names every special range (loopback, private RFC 1918, carrier-grade
 * NAT, link-local incl. 169.254.169.254, unique-local fc00::/7, fe80::/10, multicast, unspecified,
 * broadcast, reserved, documentation, benchmarking, 6to4/Teredo/NAT64 that embed IPv4 addresses);
 * anything but plain 'unicast' is refused. IPv4-mapped IPv6 (::ffff:127.0.0.1) is judged as IPv4.
 */
export function classifyAddress(address: string): AddressVerdict {
  if (!ipaddr.isValid(address)) return { allowed: false, range: 'invalid' };
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) {
    parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  }
  const range = parsed.range();
  return range === 'unicast' ? { allowed: true } : { allowed: false, range };
}

/** "host:port" as the guard compares it: lower case, IPv6 in brackets. */
export function originKey(hostname: string, port: number): string {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  return `${isIP(host) === 6 ? `[${host}]` : host}:${port}`;
}

/**
 * Parses SUBMITTER_ALLOWED_HOSTS ("127.0.0.1:43815,localhost:3000"). A malformed entry fails at
 * start-up: a typo must not silently turn into "allow nothing" or "allow everything".
 */
export function parseAllowedHosts(value: string | undefined): Set<string> {
  const hosts = new Set<string>();
  for (const entry of (value ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean)) {
    let url: URL;
    try {
      url = new URL(`http://${entry}`);
    } catch {
      throw new Error(`SUBMITTER_ALLOWED_HOSTS: "${entry}" is not host:port`);
    }
    if (!url.port || url.pathname !== '/' || url.username || url.search) {
      throw new Error(`SUBMITTER_ALLOWED_HOSTS: "${entry}" is not host:port`);
    }
    hosts.add(originKey(url.hostname, Number(url.port)));
  }
  return hosts;
}

/**
 * Whether an http(s) URL points at one of the allow-listed host:port origins (the local runtime's
 * test sites): such a URL may name a directory although it is not a public web address.
 */
export function isAllowListedUrl(url: string, allowedHosts: ReadonlySet<string>): boolean {
  if (allowedHosts.size === 0) return false;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return false;
  const port = parsed.port ? Number(parsed.port) : parsed.protocol === 'https:' ? 443 : 80;
  return allowedHosts.has(originKey(parsed.hostname, port));
}

export class BlockedError extends Error {
  override readonly name = 'BlockedError';
}

export interface ResolvedTarget {
  host: string;
  port: number;
  /** The checked address to connect to. */
  address: string;
  family: 4 | 6;
}

export interface SsrfGuardOptions {
  /** Origins ("host:port") allowed even though they are loopback/private: local mode only. */
  allowedHosts?: ReadonlySet<string>;
  log?: LogPort;
  /** Default: the system resolver (getaddrinfo), every address. */
  resolve?: (hostname: string) => Promise<Array<{ address: string; family: number }>>;
  connectTimeoutMs?: number;
}

const DEFAULT_PORT: Record<string, number> = { 'http:': 80, 'https:': 443, 'ws:': 80, 'wss:': 443 };

/** Request headers that describe the hop to the proxy, not the request. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authorization',
  'proxy-authenticate',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

export class SsrfGuard {
  private readonly allowedHosts: ReadonlySet<string>;
  private readonly log: LogPort | undefined;
  private readonly resolve: (hostname: string) => Promise<Array<{ address: string; family: number }>>;
  private readonly connectTimeoutMs: number;
  private proxy: Promise<{ server: Server; url: string }> | undefined;
  private readonly agent: HttpAgent;
  private readonly sockets = new Set<Socket | Duplex>();
  private blockedCount = 0;

  constructor(options: SsrfGuardOptions = {}) {
    this.allowedHosts = options.allowedHosts ?? new Set();
    this.log = options.log;
    this.resolve = options.resolve ?? ((hostname) => dnsLookup(hostname, { all: true, verbatim: true }));
    this.connectTimeoutMs = options.connectTimeoutMs ?? SUBMITTER.proxyConnectTimeoutMs;
    // Connections are pooled per checked address (the agent never resolves a name).
    this.agent = new HttpAgent({ keepAlive: true, maxSockets: 16, timeout: this.connectTimeoutMs });
  }

  /** How many requests the guard refused (proxy and page checks). */
  get blocked(): number {
    return this.blockedCount;
  }

  private refuse(target: string, reason: string): BlockedError {
    this.blockedCount += 1;
    this.log?.warn('SSRF guard refused a request', { target: target.slice(0, 200), reason });
    return new BlockedError(`${target.slice(0, 200)} is not allowed: ${reason}`);
  }

  /**
   * Resolves host:port and checks every address. Throws BlockedError unless the origin is in the
   * allow list or every address is public unicast; returns the (first) checked address to use.
   */
  async resolveTarget(hostname: string, port: number): Promise<ResolvedTarget> {
    const host = hostname
      .toLowerCase()
      .replace(/^\[|\]$/g, '')
      .replace(/\.$/, '');
    if (!host || !Number.isInteger(port) || port < 1 || port > 65_535) {
      throw this.refuse(`${hostname}:${port}`, 'not a host and port');
    }
    const allowListed = this.allowedHosts.has(originKey(host, port));
    let addresses: Array<{ address: string; family: number }>;
    if (isIP(host)) {
      addresses = [{ address: host, family: isIP(host) }];
    } else {
      try {
        addresses = await this.resolve(host);
      } catch (error) {
        // Not a refusal: a name that does not resolve is a network failure (the directory may be down).
        throw Object.assign(new Error(`DNS lookup of ${host} failed: ${(error as Error).message}`), {
          code: (error as NodeJS.ErrnoException).code ?? 'ENOTFOUND',
        });
      }
    }
    if (addresses.length === 0) throw this.refuse(host, 'no address');
    if (!allowListed) {
      for (const { address } of addresses) {
        const verdict = classifyAddress(address);
        // One bad address refuses the name: a rebinding answer mixes a public and a private one.
        if (!verdict.allowed) throw this.refuse(`${host}:${port}`, `resolves to ${verdict.range} ${address}`);
      }
    }
    const first = addresses[0]!;
    return { host, port, address: first.address, family: first.family === 6 ? 6 : 4 };
  }

  /**
   * Whether the page may request `url`. http(s) and ws(s) targets are resolved and checked; data:
   * and blob: are in-memory and allowed for subresources, never as navigations; about:blank is
   * allowed; every other scheme (file:, chrome:, filesystem:, ftp: ...) is refused.
   */
  async allowRequest(url: string, kind: { navigation?: boolean } = {}): Promise<boolean> {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      this.refuse(url, 'not a URL');
      return false;
    }
    const port = DEFAULT_PORT[parsed.protocol];
    if (port !== undefined) {
      try {
        await this.resolveTarget(parsed.hostname, parsed.port ? Number(parsed.port) : port);
        return true;
      } catch (error) {
        // A name that does not resolve is left to fail in the browser (a network error, retried).
        return !(error instanceof BlockedError);
      }
    }
    if (url === 'about:blank') return true;
    if ((parsed.protocol === 'data:' || parsed.protocol === 'blob:') && !kind.navigation) return true;
    this.refuse(url, `the ${parsed.protocol} scheme is not allowed`);
    return false;
  }

  /** The proxy's URL (http://127.0.0.1:<port>), starting it on first use. */
  async proxyUrl(): Promise<string> {
    this.proxy ??= this.startProxy().catch((error: unknown) => {
      this.proxy = undefined;
      throw error;
    });
    return (await this.proxy).url;
  }

  private async startProxy(): Promise<{ server: Server; url: string }> {
    const server = createServer((req, res) => {
      this.forward(req, res).catch(() => {
        if (!res.headersSent) res.writeHead(502, { [GUARD_HEADER]: 'upstream-error' });
        res.end();
      });
    });
    server.on('connect', (req, socket) => this.tunnel(req, socket));
    // Absolute-URI upgrade requests are not used by Chromium (it tunnels WebSockets with CONNECT).
    server.on('upgrade', (_req, socket) => socket.destroy());
    server.on('clientError', (_error, socket) => socket.destroy());
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    // The proxy must not keep a process alive on its own (local runtime, tests).
    server.unref();
    const { port } = server.address() as { port: number };
    return { server, url: `http://127.0.0.1:${port}` };
  }

  /** Plain http:// through the proxy: the request line carries the absolute URL. */
  private async forward(req: IncomingMessage, res: import('node:http').ServerResponse): Promise<void> {
    let target: URL;
    try {
      target = new URL(req.url ?? '');
      if (target.protocol !== 'http:') throw new Error('not http');
    } catch {
      res.writeHead(400, { [GUARD_HEADER]: 'bad-request', 'content-type': 'text/plain' });
      res.end('The submitter proxy only forwards absolute http:// requests');
      return;
    }
    let resolved: ResolvedTarget;
    try {
      resolved = await this.resolveTarget(target.hostname, target.port ? Number(target.port) : 80);
    } catch (error) {
      const blocked = error instanceof BlockedError;
      res.writeHead(blocked ? 403 : 502, {
        [GUARD_HEADER]: blocked ? 'blocked' : 'upstream-error',
        'content-type': 'text/plain',
      });
      res.end(blocked ? 'Blocked by the submitter SSRF guard' : 'The directory could not be reached');
      return;
    }
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
    }
    headers.host = target.host;
    await new Promise<void>((resolve, reject) => {
      const upstream = httpRequest(
        {
          host: resolved.address,
          family: resolved.family,
          port: resolved.port,
          method: req.method,
          path: `${target.pathname}${target.search}`,
          headers,
          agent: this.agent,
        },
        (answer) => {
          const raw: string[] = [];
          for (let i = 0; i < answer.rawHeaders.length; i += 2) {
            if (!HOP_BY_HOP.has(answer.rawHeaders[i]!.toLowerCase()))
              raw.push(answer.rawHeaders[i]!, answer.rawHeaders[i + 1]!);
          }
          res.writeHead(answer.statusCode ?? 502, answer.statusMessage, raw);
          answer.pipe(res);
          answer.on('end', resolve);
          answer.on('error', reject);
        },
      );
      upstream.setTimeout(this.connectTimeoutMs, () => upstream.destroy(new Error('upstream timeout')));
      upstream.on('error', reject);
      req.on('error', reject);
      res.on('close', () => {
        upstream.destroy();
        resolve();
      });
      req.pipe(upstream);
    });
  }

  /** CONNECT host:port: https:// and WebSockets. The tunnel goes to the checked address. */
  private tunnel(req: IncomingMessage, client: Duplex): void {
    this.track(client);
    client.on('error', () => client.destroy());
    const match = /^\[?([^\]]+?)\]?:(\d+)$/.exec(req.url ?? '');
    const answer = (status: string, guard: string): void => {
      client.end(`HTTP/1.1 ${status}\r\n${GUARD_HEADER}: ${guard}\r\nContent-Length: 0\r\n\r\n`);
    };
    if (!match) return answer('400 Bad Request', 'bad-request');
    this.resolveTarget(match[1]!, Number(match[2])).then(
      (resolved) => {
        const upstream = connect({
          host: resolved.address,
          port: resolved.port,
          family: resolved.family,
          timeout: this.connectTimeoutMs,
        });
        this.track(upstream);
        upstream.once('timeout', () => upstream.destroy(new Error('connect timeout')));
        upstream.once('connect', () => {
          upstream.setTimeout(0);
          client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
          upstream.pipe(client);
          client.pipe(upstream);
        });
        upstream.on('error', () => {
          if (upstream.connecting) answer('502 Bad Gateway', 'upstream-error');
          else client.destroy();
        });
        client.on('close', () => upstream.destroy());
        upstream.on('close', () => client.destroy());
      },
      (error: unknown) =>
        error instanceof BlockedError
          ? answer('403 Forbidden', 'blocked')
          : answer('502 Bad Gateway', 'upstream-error'),
    );
  }

  private track(socket: Socket | Duplex): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
  }

  /**
   * A plain GET (or HEAD) from Node under the same rules, for code outside the browser (e.g.
   * verifying a listing): every hop, redirects included, is resolved, checked and connected to the
   * checked address (TLS still verifies the certificate for the hostname).
   */
  async fetch(
    url: string,
    options: {
      timeoutMs: number;
      headers?: Record<string, string>;
      maxRedirects?: number;
      maxBytes?: number;
    },
  ): Promise<{
    status: number;
    url: string;
    headers: Record<string, string | string[] | undefined>;
    body: string;
  }> {
    let current = new URL(url);
    const deadline = Date.now() + options.timeoutMs;
    for (let hop = 0; hop <= (options.maxRedirects ?? 3); hop += 1) {
      if (current.protocol !== 'http:' && current.protocol !== 'https:') {
        throw this.refuse(current.href, `the ${current.protocol} scheme is not allowed`);
      }
      const https = current.protocol === 'https:';
      const resolved = await this.resolveTarget(
        current.hostname,
        current.port ? Number(current.port) : https ? 443 : 80,
      );
      const answer = await new Promise<IncomingMessage>((resolve, reject) => {
        const request = (https ? httpsRequest : httpRequest)(
          {
            host: resolved.address,
            family: resolved.family,
            port: resolved.port,
            path: `${current.pathname}${current.search}`,
            headers: { accept: 'application/json', ...options.headers, host: current.host },
            // TLS checks the certificate against the name, not the address we connect to.
            ...(https
              ? { servername: isIP(resolved.host) ? undefined : resolved.host, agent: new HttpsAgent() }
              : {}),
            timeout: Math.max(1, deadline - Date.now()),
          },
          resolve,
        );
        request.on('timeout', () => request.destroy(new Error(`GET ${current.href} timed out`)));
        request.on('error', reject);
        request.end();
      });
      const location = answer.headers.location;
      if (answer.statusCode && answer.statusCode >= 300 && answer.statusCode < 400 && location) {
        answer.resume();
        current = new URL(location, current);
        continue;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of answer) {
        size += (chunk as Buffer).length;
        if (size > (options.maxBytes ?? 1024 * 1024)) {
          answer.destroy();
          throw new Error(
            `The answer from ${current.host} is larger than ${options.maxBytes ?? 1024 * 1024} bytes`,
          );
        }
        chunks.push(chunk as Buffer);
      }
      return {
        status: answer.statusCode ?? 0,
        url: current.href,
        headers: answer.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
    }
    throw new Error(`Too many redirects from ${url}`);
  }

  /** Stops the proxy and drops its connections (tests, local shutdown). */
  async close(): Promise<void> {
    const proxy = this.proxy;
    this.proxy = undefined;
    for (const socket of this.sockets) socket.destroy();
    this.agent.destroy();
    if (!proxy) return;
    const { server } = await proxy.catch(() => ({ server: undefined }));
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
