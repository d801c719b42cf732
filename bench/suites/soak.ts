import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { LOCAL_REGION } from '../../local/emulators/sqs-s3';
import { startSubmitterPollers } from '../../local/runtime/submitter-pollers';
import { startBenchApi } from '../lib/api';
import { startBenchEnvironment } from '../lib/environment';
import { fixedRate, type LoadResult } from '../lib/load';
import { memoryVerdict, MemoryTrend, retainedHeapMb, withoutKnownItems } from '../lib/memory';
import { ResourceSampler } from '../lib/sampler';
import { round, since } from '../lib/stats';
import type { Suite } from '../lib/suite';

type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

/**
 * Load and soak on the local stack (loopback only, bounded): many concurrent jobs through the API
 * while API traffic runs at 1000 requests/min, then the invariants: every task terminal, job counters
 * adding up, nothing submitted twice, no 5xx, and memory sampled over the run.
 */
export const soak: Suite = {
  name: 'soak',
  async run({ quick }) {
    const jobs = quick ? 10 : 100;
    const directoriesPerJob = quick ? 10 : 50;
    const timeoutMs = quick ? 5 * 60_000 : 80 * 60_000;
    const env = await startBenchEnvironment();
    const api = await startBenchApi(env.pool, env.customerId, 600);
    const submitter = (await import('../../lambdas/handlers/submitter')) as {
      handler: SqsHandler;
      shutdown: () => Promise<void>;
    };
    const pollers = startSubmitterPollers({
      sqs: env.aws.sqs,
      queues: env.aws.queues,
      region: LOCAL_REGION,
      handler: submitter.handler,
    });
    const sampler = new ResourceSampler().start(1000);
    const memory = new MemoryTrend().start(quick ? 5000 : 15_000, () => env.demoSite.submissions().length);
    const start = performance.now();
    let apiLoad: LoadResult | undefined;
    let maxDepth = 0;
    try {
      // Directories of their own per job: one business is listed once per directory, so 100 jobs of
      // the same directories would be one job of submissions and 99 of duplicates.
      const directoriesOfJob: string[][] = [];
      for (let j = 0; j < jobs; j += 1) directoriesOfJob.push(await env.directories(directoriesPerJob));
      // All jobs at once: the queue fills before the submitters can drain it.
      const created = await Promise.all(
        directoriesOfJob.map(async (directoryIds) => {
          const response = await fetch(`${api.url}/jobs`, {
            method: 'POST',
            headers: api.headers(),
            body: JSON.stringify({ customer_id: env.customerId, directory_ids: directoryIds }),
          });
          if (response.status !== 201) throw new Error(`POST /jobs answered ${response.status}`);
          return ((await response.json()) as { job_id: string }).job_id;
        }),
      );
      // API traffic at 1000 requests/min while the jobs run: reads of the jobs being processed.
      let reads = 0;
      const traffic = fixedRate(
        () =>
          fetch(`${api.url}/jobs/${created[reads++ % created.length]}`, { headers: api.headers() }).then(
            async (response) => {
              await response.arrayBuffer();
              return response.status;
            },
          ),
        1000,
        quick ? 60_000 : 10 * 60_000,
      );
      for (;;) {
        const open = await env.pool.query<{ n: number; depth: number }>(
          `select count(*) filter (where status not in ('submitted','needs_manual','failed','dead_lettered'))::int as n,
                  count(*) filter (where status in ('pending','queued'))::int as depth
             from job_results`,
        );
        maxDepth = Math.max(maxDepth, open.rows[0]!.depth);
        if (open.rows[0]!.n === 0) break;
        if (since(start) > timeoutMs)
          throw new Error(`soak: ${open.rows[0]!.n} tasks still open after the time limit`);
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
      apiLoad = await traffic;
    } finally {
      await pollers.stop();
      await submitter.shutdown();
    }
    const elapsedMs = since(start);
    const resources = sampler.stop();
    const memorySamples = memory.stop();

    // The invariants, on the data.
    const counters = await env.pool.query<{ bad: number }>(
      `select count(*)::int as bad from jobs j
        where j.tasks_total <> (select count(*) from job_results r where r.job_id = j.id)
           or j.tasks_submitted <> (select count(*) from job_results r where r.job_id = j.id and r.status = 'submitted')
           or j.status not in ('completed', 'failed', 'cancelled')`,
    );
    const duplicates = await env.pool.query<{ n: number }>(
      `select count(*)::int as n from (
         select task_id from queue_history where event = 'task_submitted' group by task_id having count(*) > 1) d`,
    );
    const outcomes = await env.pool.query<{ status: string; n: number }>(
      'select status, count(*)::int as n from job_results group by status order by status',
    );
    const received = env.demoSite.submissions().filter((s) => s.accepted).length;
    const submitted = outcomes.rows.find((row) => row.status === 'submitted')?.n ?? 0;
    // The demo site stands in for the directories in this process and keeps every submission it
    // receives (tests read them): what releasing that record frees is its share of the heap, which
    // the verdict takes out so that it judges our own code.
    const recorded = env.demoSite.submissions().length;
    const heapWithRecord = retainedHeapMb();
    env.demoSite.reset();
    const demoRecordMb = Math.max(heapWithRecord - retainedHeapMb(), 0);
    const mbPerRecord = recorded > 0 ? demoRecordMb / recorded : 0;
    const rawVerdict = memoryVerdict(memorySamples);
    const verdict = memoryVerdict(withoutKnownItems(memorySamples, mbPerRecord));
    await api.stop();
    await env.stop();

    const fiveHundreds = Object.entries(apiLoad?.statuses ?? {})
      .filter(([status]) => status.startsWith('5'))
      .reduce((sum, [, n]) => sum + n, 0);
    const quarters = (values: number[]): string => values.map((v) => round(v)).join(' / ');
    const total = jobs * directoriesPerJob;
    return {
      title: `Load and soak: ${jobs} concurrent jobs of ${directoriesPerJob} directories`,
      method:
        'The local stack in one process (pollers with the configured per-priority concurrency and batch size, ' +
        'the real submitter, one warm Chromium), all jobs posted at once, GET /jobs/{id} at 1000 requests/min meanwhile.',
      columns: ['measure', 'value'],
      rows: [
        ['tasks', total],
        ['wall time, s', round(elapsedMs / 1000)],
        ['submissions per minute', round((submitted / elapsedMs) * 60_000)],
        ['largest queue depth (pending + queued)', maxDepth],
        ['outcomes', outcomes.rows.map((row) => `${row.status} ${row.n}`).join(', ')],
        ['submissions the directories received (accepted)', received],
        ['tasks submitted more than once', duplicates.rows[0]!.n],
        ['jobs whose counters do not add up, or not finished', counters.rows[0]!.bad],
        ['API requests during the run / 5xx', `${apiLoad?.requests ?? 0} / ${fiveHundreds}`],
        ['API p50 / p99 ms under load', `${round(apiLoad?.p50 ?? 0)} / ${round(apiLoad?.p99 ?? 0)}`],
        [
          'machine CPU %, peak RSS of the process tree MiB',
          `${round(resources.cpuPercent)} / ${round(resources.peakRssMb)}`,
        ],
        ['memory samples (full GC before each)', memorySamples.length],
        ['retained heap, median of each quarter of the run, MiB', quarters(rawVerdict.heapQuartersMb)],
        [
          "of which the demo site's record of every submission (freed at the end), MiB",
          `${round(demoRecordMb)} (${round(mbPerRecord * 1024, 2)} KiB per submission)`,
        ],
        ['retained heap without that record, median of each quarter, MiB', quarters(verdict.heapQuartersMb)],
        [
          'process tree RSS (Node, Postgres, Chromium), median of each quarter, MiB',
          quarters(verdict.treeRssQuartersMb),
        ],
        [
          'retained heap trend over the second half, with / without the record, MiB/min',
          `${round(rawVerdict.heapSlopeMbPerMin, 2)} / ${round(verdict.heapSlopeMbPerMin, 2)}`,
        ],
        ['memory bounded', `${verdict.bounded ? 'yes' : 'NO'}: ${verdict.reason}`],
      ],
      figures: {
        soakSubmissionsPerMinute: (submitted / elapsedMs) * 60_000,
        soakDuplicates: duplicates.rows[0]!.n,
        soakBadJobs: counters.rows[0]!.bad,
        soakApi5xx: fiveHundreds,
        soakMaxDepth: maxDepth,
        soakHeapSlopeMbPerMin: verdict.heapSlopeMbPerMin,
        soakMemoryBounded: verdict.bounded ? 1 : 0,
      },
    };
  },
};
