import { Agent, createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { API_ROUTES } from '../../lambdas/handlers/api/routes';
import { startBenchApi } from '../lib/api';
import { startBenchEnvironment } from '../lib/environment';
import { fixedRate, saturate, type LoadResult } from '../lib/load';
import { round } from '../lib/stats';
import type { Suite } from '../lib/suite';

/**
 * 3. API latency at 1000 requests per minute and at saturation, against a bare Node HTTP server
 * doing the same single database call (get_job) with a plain pg pool.
 */
export const apiLatency: Suite = {
  name: 'api-latency',
  async run({ quick }) {
    const durationMs = quick ? 6_000 : 30_000;
    const clients = 16;
    const env = await startBenchEnvironment();
    const api = await startBenchApi(env.pool, env.customerId);
    const [directoryId] = await env.directories(1);
    const postJob = () =>
      fetch(`${api.url}/jobs`, {
        method: 'POST',
        headers: api.headers(),
        body: JSON.stringify({ customer_id: env.customerId, directory_ids: [directoryId] }),
      }).then(drain);
    const created = (await (
      await fetch(`${api.url}/jobs`, {
        method: 'POST',
        headers: api.headers(),
        body: JSON.stringify({ customer_id: env.customerId, directory_ids: [directoryId] }),
      })
    ).json()) as { job_id: string };
    const getJob = () => fetch(`${api.url}/jobs/${created.job_id}`, { headers: api.headers() }).then(drain);
    const bare = await startBareServer(env.pool);
    const bareGetJob = () => fetch(`${bare.url}/jobs/${created.job_id}`).then(drain);
    const hasHealth = API_ROUTES.some((route) => route.resource === '/health');
    // /health is public and limited per client IP (100/min): its load comes from many loopback
    // addresses, as many monitors would send it, so each stays under its limit and the figures are
    // the route's, not the limiter's refusals.
    const getHealth = fromManyAddresses(`${api.url}/health`, 1000);

    const cases: [string, () => Promise<number>][] = [
      ['bare node:http + pg: get_job', bareGetJob],
      ['GET /jobs/{id}', getJob],
      ['POST /jobs (1 directory)', postJob],
      ...(hasHealth ? ([['GET /health', getHealth]] as [string, () => Promise<number>][]) : []),
    ];
    const rows: (string | number)[][] = [];
    const figures: Record<string, number> = {};
    try {
      for (const [name, call] of cases) {
        for (let i = 0; i < 20; i += 1) await call(); // warm connections and caches
        const steady = await fixedRate(call, 1000, durationMs);
        const saturated = await saturate(call, clients, durationMs);
        rows.push(row(name, '1000/min', steady), row(name, `saturation (${clients} clients)`, saturated));
        figures[`${name} p50`] = steady.p50;
        figures[`${name} p99`] = steady.p99;
        figures[`${name} saturation rps`] = saturated.perSecond;
      }
      const ours = figures['GET /jobs/{id} p50']!;
      const baseline = figures['bare node:http + pg: get_job p50']!;
      figures.getJobOverheadRatio = ours / baseline;
    } finally {
      await bare.stop();
      await api.stop();
      await env.stop();
    }
    return {
      title: 'API latency',
      method:
        `Each case ${durationMs / 1000} s at a fixed 1000 requests/min (open model), then ${durationMs / 1000} s with ${clients} ` +
        'back-to-back clients. Ours: local gateway -> handler -> supabase-js -> RPC endpoint -> PostgreSQL. ' +
        'Baseline: node:http -> pg -> the same SQL function.',
      columns: ['case', 'load', 'requests', 'non-2xx', 'p50 ms', 'p99 ms', 'req/s'],
      rows,
      figures,
      notes: [
        'API routes answer through their Postgres rate limit (keys rotate, so no key reaches its limit). GET /health ' +
          'is public and limited per client IP (the audit preset: 100/min): its requests come from 1000 loopback ' +
          'addresses (127.0.x.y), each under its limit, so they measure the route and its limiter, not refusals.',
      ],
    };
  },
};

function row(name: string, load: string, result: LoadResult): (string | number)[] {
  return [
    name,
    load,
    result.requests,
    result.errors,
    round(result.p50),
    round(result.p99),
    round(result.perSecond),
  ];
}

/**
 * GET `url` from `count` different loopback source addresses in turn (127.0.1.1 upwards; Linux
 * routes all of 127/8 to loopback), one keep-alive connection per address.
 */
function fromManyAddresses(url: string, count: number): () => Promise<number> {
  const agents = Array.from(
    { length: count },
    (_, i) =>
      new Agent({ keepAlive: true, localAddress: `127.0.${1 + Math.floor(i / 250)}.${1 + (i % 250)}` }),
  );
  let next = 0;
  return () =>
    new Promise<number>((resolve, reject) => {
      const agent = agents[next++ % agents.length]!;
      httpRequest(url, { agent }, (response) => {
        response.resume();
        response.once('end', () => resolve(response.statusCode ?? 0));
      })
        .once('error', reject)
        .end();
    });
}

async function drain(response: Response): Promise<number> {
  await response.arrayBuffer();
  return response.status;
}

async function startBareServer(pool: import('pg').Pool): Promise<{ url: string; stop(): Promise<void> }> {
  const server = createServer((request, response) => {
    const id = /^\/jobs\/([0-9a-f-]{36})$/.exec(request.url ?? '')?.[1];
    if (!id) {
      response.writeHead(404).end();
      return;
    }
    pool.query('select get_job($1) as job', [id]).then(
      (result) => {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify(result.rows[0]?.job));
      },
      () => response.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
