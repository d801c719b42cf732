import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { createApiKey } from '../../local/runtime/api-keys';
import { LOCAL_REGION } from '../../local/emulators/sqs-s3';
import { startSqsEventSource } from '../../local/emulators/sqs-event-source';
import { startBenchApi } from '../lib/api';
import { startBenchEnvironment } from '../lib/environment';
import { round } from '../lib/stats';
import type { Suite } from '../lib/suite';

type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

/**
 * Database round trips per submission and per API request (issue 12: decide the caching the audit
 * asked for with figures). The Lambdas reach the database only through RPC calls
 * (`/rest/v1/rpc/<fn>`), so a counting proxy in front of the RPC endpoint counts every round trip on
 * the wire, by function, while real requests and real submissions (demo site, Chromium) run.
 */
export const roundTrips: Suite = {
  name: 'round-trips',
  async run({ quick }) {
    const submissions = quick ? 4 : 16;
    const requests = quick ? 5 : 20;
    const env = await startBenchEnvironment();
    const counter = await startCountingProxy(process.env.SUPABASE_URL!);
    // Before any handler is imported: they read their configuration on first use.
    process.env.SUPABASE_URL = counter.url;
    const api = await startBenchApi(env.pool, env.customerId, 4);
    const staff = {
      'content-type': 'application/json',
      'x-api-key': (await createApiKey(env.pool, { role: 'staff' })).key,
    };
    const submitter = (await import('../../lambdas/handlers/submitter')) as {
      handler: SqsHandler;
      shutdown: () => Promise<void>;
    };
    const rows: (string | number)[][] = [];
    const figures: Record<string, number> = {};
    try {
      const [someDirectory] = await env.directories(1);
      const job = (await (
        await fetch(`${api.url}/jobs`, {
          method: 'POST',
          headers: api.headers(),
          body: JSON.stringify({ customer_id: env.customerId, directory_ids: [someDirectory] }),
        })
      ).json()) as { job_id: string };

      const cases: [string, () => Promise<Response>][] = [
        ['GET /jobs/{id}', () => fetch(`${api.url}/jobs/${job.job_id}`, { headers: api.headers() })],
        [
          'GET /customers/{id}',
          () => fetch(`${api.url}/customers/${env.customerId}`, { headers: api.headers() }),
        ],
        ['GET /directories', () => fetch(`${api.url}/directories?limit=20`, { headers: api.headers() })],
        [
          'GET /directories/{id} (staff)',
          () => fetch(`${api.url}/directories/${someDirectory}`, { headers: staff }),
        ],
        [
          'POST /jobs (1 new directory)',
          async () =>
            fetch(`${api.url}/jobs`, {
              method: 'POST',
              headers: api.headers(),
              body: JSON.stringify({ customer_id: env.customerId, directory_ids: await env.directories(1) }),
            }),
        ],
      ];
      for (const [name, call] of cases) {
        await (await call()).arrayBuffer(); // first use: clients and modules load outside the count
        const calls = await counter.during(async () => {
          for (let i = 0; i < requests; i += 1) {
            const response = await call();
            await response.arrayBuffer();
            if (response.status >= 300) throw new Error(`${name} answered ${response.status}`);
          }
        });
        const perRequest = total(calls) / requests;
        rows.push([name, round(perRequest, 2), breakdown(calls, requests)]);
        figures[`${name} round trips`] = perRequest;
      }

      // Submissions: one job of fresh directories through the event source and the real submitter.
      const directoryIds = await env.directories(submissions);
      const queue = env.aws.queues.p2; // the demo customer is on the pro tier
      const source = startSqsEventSource({
        sqs: env.aws.sqs,
        queueUrl: queue.url,
        queueArn: queue.arn,
        region: LOCAL_REGION,
        functionName: 'submitter',
        handler: submitter.handler,
        batchSize: 1,
        maximumConcurrency: 1,
        functionTimeoutMs: 120_000,
        waitTimeSeconds: 1,
      });
      let submittedJob = '';
      const calls = await counter.during(async () => {
        const response = await fetch(`${api.url}/jobs`, {
          method: 'POST',
          headers: api.headers(),
          body: JSON.stringify({ customer_id: env.customerId, directory_ids: directoryIds }),
        });
        submittedJob = ((await response.json()) as { job_id: string }).job_id;
        for (;;) {
          const state = await env.pool.query<{ status: string; tasks_submitted: number }>(
            'select status, tasks_submitted from jobs where id = $1',
            [submittedJob],
          );
          if (state.rows[0]!.status === 'completed' || state.rows[0]!.status === 'failed') {
            if (state.rows[0]!.tasks_submitted !== submissions)
              throw new Error('not every task was submitted');
            return;
          }
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      });
      await source.stop();
      // The POST /jobs of this job is counted above; the rest is the submitter's.
      for (const fn of ['admit_api_request', 'create_job', 'mark_tasks_enqueued']) calls.delete(fn);
      // The queue also held the tasks of the POST /jobs requests above, and the submitter drained them
      // too: every submission completes exactly once, so complete_task counts them.
      const submitted = calls.get('complete_task') ?? 0;
      if (submitted < submissions) throw new Error(`only ${submitted} submissions were recorded`);
      const perSubmission = total(calls) / submitted;
      rows.push([
        `one submission (submitter, ${submitted} made)`,
        round(perSubmission, 2),
        breakdown(calls, submitted),
      ]);
      figures['submission round trips'] = perSubmission;
    } finally {
      await submitter.shutdown();
      await api.stop();
      await counter.stop();
      await env.stop();
    }
    return {
      title: 'Database round trips per submission and per API request',
      method:
        `RPC calls counted on the wire by a proxy in front of the RPC endpoint (the only way the handlers reach ` +
        `the database), over ${requests} requests per route after one warm-up, and over a job of ${submissions} ` +
        'directories submitted by the real submitter (batch size 1) on the demo site.',
      columns: ['what', 'round trips each', 'by function (per request or submission)'],
      rows,
      figures,
      notes: [
        'A claim returns the task with its directory (URL, mapping, verification rule) and the business profile in the ' +
          'same round trip (claim_task), so caching directory metadata or profiles in the submitter would save no ' +
          'round trip; it would only let a PATCHed directory or an updated profile be submitted stale.',
        'Every API request spends one round trip on admit_api_request (key, role and the per-key rate limit in one ' +
          'call); a key cache could not remove it, because the rate-limit count must reach the database.',
      ],
    };
  },
};

const total = (calls: Map<string, number>): number => [...calls.values()].reduce((a, b) => a + b, 0);
const breakdown = (calls: Map<string, number>, per: number): string =>
  [...calls.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([fn, n]) => `${fn} ${round(n / per, 2)}`)
    .join(', ');

interface CountingProxy {
  url: string;
  /** The RPC calls, by function, made while `work` runs. */
  during(work: () => Promise<void>): Promise<Map<string, number>>;
  stop(): Promise<void>;
}

async function startCountingProxy(target: string): Promise<CountingProxy> {
  const upstream = new URL(target);
  let counts: Map<string, number> | undefined;
  const server: Server = createServer((req, res) => {
    const fn = /\/rest\/v1\/rpc\/([a-z0-9_]+)/.exec(req.url ?? '')?.[1];
    if (fn && counts) counts.set(fn, (counts.get(fn) ?? 0) + 1);
    const forward = httpRequest(
      {
        hostname: upstream.hostname,
        port: upstream.port,
        path: req.url,
        method: req.method,
        headers: { ...req.headers, host: upstream.host },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    during: async (work) => {
      counts = new Map();
      try {
        await work();
        return counts;
      } finally {
        counts = undefined;
      }
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
