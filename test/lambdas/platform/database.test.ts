/**
 * The Lambdas call the database through @supabase/postgrest-js alone (lambdas/platform/database.ts)
 * instead of the whole supabase-js client. Both are held to the same wire behaviour here, against one
 * recording server: the same request (method, path, headers, body) and the same answers and errors for
 * every kind of reply, as the handlers see them through rpcThrough. (The handlers' own tests run
 * through the local RPC server with this client.)
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClient } from '@supabase/supabase-js';
import { createRpcClient } from '../../../lambdas/platform/database';
import { RpcError, rpcThrough, type RpcClient } from '../../../lambdas/platform/rpc';

interface Seen {
  method: string | undefined;
  url: string | undefined;
  headers: IncomingHttpHeaders;
  body: string;
}

type Reply = { status: number; type?: string; body: string };

const KEY = 'service-key-for-the-wire-test';
let server: Server;
let url: string;
let seen: Seen[] = [];
let reply: Reply = { status: 200, body: '{}' };

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      seen.push({ method: request.method, url: request.url, headers: request.headers, body });
      response.writeHead(reply.status, reply.type ? { 'content-type': reply.type } : {});
      response.end(reply.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** How the Lambdas made their client before (lambdas/shared/supabase.ts) and how they make it now. */
const clients = (base: string): Record<'supabase-js' | 'postgrest-js', RpcClient> => ({
  'supabase-js': createClient(base, KEY, { accessToken: async () => KEY }),
  'postgrest-js': createRpcClient(base, KEY),
});

/** One call through each client, with the request each one sent. */
async function callBoth(fn: string, args: Record<string, unknown>) {
  const results: Record<string, { answer: unknown; error: unknown; request: Seen | undefined }> = {};
  for (const [name, client] of Object.entries(clients(url))) {
    seen = [];
    const { data, error } = await client.rpc(fn, args);
    let thrown: unknown;
    try {
      await rpcThrough(client)(fn, args);
    } catch (e) {
      thrown = e;
    }
    results[name] = {
      answer: { data, error: error ? { ...error } : null },
      error:
        thrown instanceof RpcError ? { fn: thrown.fn, code: thrown.code, message: thrown.message } : thrown,
      request: seen[0],
    };
  }
  return results;
}

describe('the RPC client the Lambdas use', () => {
  it('sends what supabase-js sends: POST /rest/v1/rpc/<fn>, the key twice, Content-Profile, the JSON body', async () => {
    // Prepare
    reply = { status: 200, type: 'application/json', body: '{"ok":true}' };
    // Act
    const results = await callBoth('get_job', { p_job_id: '7c9e6679-7425-40de-944b-e07fc1f90ae7' });
    // Assess
    const [before, now] = [results['supabase-js']!.request!, results['postgrest-js']!.request!];
    expect(now.method).toBe('POST');
    expect(now.url).toBe('/rest/v1/rpc/get_job');
    expect(now.body).toBe(before.body);
    const { 'x-client-info': clientInfoBefore, ...headersBefore } = before.headers;
    const { 'x-client-info': clientInfoNow, ...headersNow } = now.headers;
    expect(headersNow).toEqual(headersBefore);
    expect(headersNow).toMatchObject({
      apikey: KEY,
      authorization: `Bearer ${KEY}`,
      'content-profile': 'public',
      'content-type': 'application/json',
    });
    // Only the client's name differs, as it should.
    expect(clientInfoBefore).toMatch(/^supabase-js\//);
    expect(clientInfoNow).toMatch(/^directorybolt-postgrest-js; runtime=node/);
  });

  it.each<[string, Reply]>([
    ['a JSON object', { status: 200, type: 'application/json', body: '{"job_id":"j","tasks_total":3}' }],
    ['a JSON array', { status: 200, type: 'application/json', body: '[{"id":1},{"id":2}]' }],
    ['a JSON scalar', { status: 200, type: 'application/json', body: '42' }],
    ['JSON null', { status: 200, type: 'application/json', body: 'null' }],
    ['an empty body (a void function)', { status: 204, body: '' }],
    [
      "PostgREST's error for a refused argument",
      {
        status: 400,
        type: 'application/json',
        body: '{"code":"22023","message":"p_limit: must be 1 to 100","details":null,"hint":null}',
      },
    ],
    [
      'an unknown function',
      {
        status: 404,
        type: 'application/json',
        body: '{"code":"PGRST202","message":"Could not find the function","details":"x","hint":"y"}',
      },
    ],
    [
      'a statement timeout',
      {
        status: 500,
        type: 'application/json',
        body: '{"code":"57014","message":"canceling statement due to statement timeout"}',
      },
    ],
    [
      'a gateway error that is not JSON',
      { status: 502, type: 'text/html', body: '<html>Bad Gateway</html>' },
    ],
    [
      'a 401 from the gateway',
      { status: 401, type: 'application/json', body: '{"message":"Invalid API key"}' },
    ],
  ])('answers %s exactly as supabase-js did', async (_what, answer) => {
    // Prepare
    reply = answer;
    // Act
    const results = await callBoth('some_function', { p_a: 1, p_b: ['x'], p_c: { nested: true } });
    // Assess
    expect(results['postgrest-js']!.answer).toEqual(results['supabase-js']!.answer);
    expect(results['postgrest-js']!.error).toEqual(results['supabase-js']!.error);
  });

  it('reports an unreachable database as supabase-js did: no SQLSTATE, so the API answers 503', async () => {
    // Prepare: a port nothing listens on
    const closed = clients('http://127.0.0.1:9');
    // Act
    const before = await closed['supabase-js'].rpc('health_ping', {});
    const now = await closed['postgrest-js'].rpc('health_ping', {});
    // Assess
    expect(now.data).toBeNull();
    expect(now.error).toMatchObject({ code: before.error!.code, message: before.error!.message });
    expect(now.error!.message).toMatch(/^TypeError: fetch failed/);
    expect(now.error!.code ?? '').toBe('');
  });
});
