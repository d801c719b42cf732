/**
 * Emulates: a Slack incoming webhook. Leaves out: Slack's rate limits and message rendering.
 *
 * The local stand-in for a Slack incoming webhook: an HTTP server on loopback that prints and records
 * every alert it accepts. The stack uses it as SLACK_WEBHOOK_URL unless a real webhook is configured.
 *
 * For fault tests it can misbehave on purpose: `error` answers 500 (as Slack does when it is having a
 * bad day), `hang` never answers (the sender's timeout must fire). Only alerts answered with 200 are
 * recorded: an alert the sink refused or never answered was not delivered.
 *
 *   POST /services/<secret>  an alert (Slack's JSON body: text, blocks); the path is in webhookUrl
 *   GET  /_alerts            every delivered alert, in order (JSON)
 *   POST /_mode {"mode": m}  ok | error | hang
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type SlackSinkMode = 'ok' | 'error' | 'hang';

export interface DeliveredAlert {
  receivedAt: string;
  text: string;
  body: { text?: string; blocks?: unknown[] };
}

export interface SlackSink {
  /** The webhook URL to give the senders. */
  webhookUrl: string;
  url: string;
  alerts(): DeliveredAlert[];
  /** Every POST to the webhook, delivered or not. */
  attempts(): number;
  setMode(mode: SlackSinkMode): void;
  stop(): Promise<void>;
}

const MAX_BODY = 64 * 1024;

export async function startSlackSink(
  options: { port?: number; log?: (line: string) => void; mode?: SlackSinkMode } = {},
): Promise<SlackSink> {
  let mode: SlackSinkMode = options.mode ?? 'ok';
  let attempts = 0;
  const delivered: DeliveredAlert[] = [];
  const hanging = new Set<ServerResponse>();
  // Like a real Slack incoming webhook, the URL carries a secret path: whoever has it can post.
  const webhookPath = `/services/${randomBytes(12).toString('hex')}`;

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) reply(res, 400, 'invalid_payload');
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://sink.local').pathname;
    if (path === '/_alerts' && req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end(JSON.stringify(delivered));
    }
    if (path === '/_mode' && req.method === 'POST') {
      const { mode: next } = JSON.parse(await readBody(req)) as { mode?: string };
      if (next !== 'ok' && next !== 'error' && next !== 'hang')
        return reply(res, 400, 'mode must be ok, error or hang');
      mode = next;
      return reply(res, 200, 'ok');
    }
    if (path !== webhookPath || req.method !== 'POST') return reply(res, 404, 'no_service');

    const text = await readBody(req);
    attempts += 1;
    if (mode === 'error') return reply(res, 500, 'internal_error');
    if (mode === 'hang') {
      hanging.add(res);
      res.on('close', () => hanging.delete(res));
      return;
    }
    const body = JSON.parse(text) as DeliveredAlert['body'];
    if (typeof body.text !== 'string' || body.text === '') return reply(res, 400, 'no_text');
    delivered.push({ receivedAt: new Date().toISOString(), text: body.text, body });
    options.log?.(`slack         ${body.text}`);
    reply(res, 200, 'ok');
  }

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    webhookUrl: `${url}${webhookPath}`,
    alerts: () => delivered.map((alert) => structuredClone(alert)),
    attempts: () => attempts,
    setMode: (next) => {
      mode = next;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function reply(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain' });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new Error('body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
