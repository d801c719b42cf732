import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { BrowserManager, sparticuzExecutablePath } from '../../lambdas/browser/browser';
import { fillAndSubmit } from '../../lambdas/form-filling/fill-flow';
import { startSqsEventSource } from '../../local/emulators/sqs-event-source';
import { LOCAL_REGION } from '../../local/emulators/sqs-s3';
import { startBenchApi, type BenchApi } from '../lib/api';
import { startBenchEnvironment, type BenchEnvironment } from '../lib/environment';
import { ResourceSampler } from '../lib/sampler';
import { percentile, round, since } from '../lib/stats';
import type { Suite } from '../lib/suite';
import { BENCH_PROFILE } from './profile';

type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

/**
 * 1b + 2. Throughput at rising concurrency, and what the whole pipeline (API, queue, claim, browser,
 * record) costs on top of a bare loop filling the same forms with the same concurrency.
 */
export const throughput: Suite = {
  name: 'throughput',
  async run({ quick }) {
    const levels = quick ? [1, 4] : [1, 2, 4, 8];
    const perLevel = quick ? 8 : 32;
    const rounds = quick ? 1 : 3;
    const env = await startBenchEnvironment();
    const api = await startBenchApi(env.pool, env.customerId, 20);
    const submitter = (await import('../../lambdas/handlers/submitter')) as {
      handler: SqsHandler;
      shutdown: () => Promise<void>;
    };
    const executablePath = await sparticuzExecutablePath();
    const bare = new BrowserManager({ resolveExecutablePath: async () => executablePath });
    const url = `${env.demoSite.url}/forms/plain`;
    const rows: (string | number)[][] = [];
    const figures: Record<string, number> = {};
    try {
      // Warm both browsers so neither pays its cold start inside a measurement.
      await bare.withContext(async () => undefined);
      await runPipeline(env, api, submitter.handler, await env.directories(1), 1);

      for (const concurrency of levels) {
        // Interleaved rounds (bare, pipeline, bare, pipeline, ...) and the median of each: one round
        // of 32 submissions moves by about 10 % from run to run on this shared machine.
        const bareRuns: Measured[] = [];
        const pipelineRuns: Measured[] = [];
        for (let r = 0; r < rounds; r += 1) {
          bareRuns.push(
            await measure(async () => {
              const start = performance.now();
              await runBare(bare, url, perLevel, concurrency);
              return since(start);
            }),
          );
          // Set-up the bare loop has no counterpart of (directory rows) stays outside the timing.
          const directoryIds = await env.directories(perLevel);
          pipelineRuns.push(
            await measure(() => runPipeline(env, api, submitter.handler, directoryIds, concurrency)),
          );
        }
        const bareMs = median(bareRuns.map((run) => run.ms));
        const pipelineMs = median(pipelineRuns.map((run) => run.ms));
        const ratios = pipelineRuns.map((run, i) => run.ms / bareRuns[i]!.ms);
        const barePerMin = (perLevel / bareMs) * 60_000;
        const pipelinePerMin = (perLevel / pipelineMs) * 60_000;
        figures[`bare_c${concurrency}_per_min`] = barePerMin;
        figures[`pipeline_c${concurrency}_per_min`] = pipelinePerMin;
        figures[`overhead_c${concurrency}`] = pipelineMs / bareMs;
        rows.push([
          concurrency,
          round(barePerMin),
          round(pipelinePerMin),
          `${round(pipelineMs / bareMs, 2)}`,
          ratios.map((ratio) => round(ratio, 2)).join(' / '),
          round(median(pipelineRuns.map((run) => run.cpuPercent))),
          round(Math.max(...pipelineRuns.map((run) => run.peakRssMb))),
        ]);
      }
    } finally {
      await bare.close();
      await submitter.shutdown();
      await api.stop();
      await env.stop();
    }
    return {
      title: 'Throughput and pipeline overhead',
      method:
        `${perLevel} submissions of the demo site's plain form per round, ${rounds} interleaved rounds per level, medians. "bare": a playwright-core loop (warm browser, ` +
        'context per submission, same filler) with N workers. "pipeline": POST /jobs over HTTP through the local gateway and the create-job handler, ' +
        'fauxqs, an event source with maximumConcurrency N and batch size 1, the submitter handler (claim, browser, ' +
        "screenshot to S3, record), timed from just before POST /jobs to the job's completed_at (both on PostgreSQL's clock), so " +
        "neither the bench's status poll nor stopping the event source (pollers finishing a 1 s long poll) counts; " +
        'the directory rows are created before the timer starts. The old system managed about 8 submissions per minute.',
      columns: [
        'concurrency',
        'bare per min',
        'pipeline per min',
        'pipeline / bare time (medians)',
        'each round',
        'pipeline CPU %',
        'peak RSS MiB',
      ],
      rows,
      figures,
    };
  },
};

interface Measured {
  ms: number;
  cpuPercent: number;
  peakRssMb: number;
}

/** `run` returns the time it measured itself; the sampler covers the whole run. */
async function measure(run: () => Promise<number>): Promise<Measured> {
  const sampler = new ResourceSampler().start();
  const ms = await run();
  return { ms, ...sampler.stop() };
}

function median(values: number[]): number {
  return percentile(values, 50);
}

async function runBare(
  manager: BrowserManager,
  url: string,
  total: number,
  concurrency: number,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < total) {
      next += 1;
      await manager.withContext(async (context) => {
        const page = await context.newPage();
        const outcome = await fillAndSubmit(page, { url, profile: BENCH_PROFILE });
        if (outcome.status !== 'submitted') throw new Error(`bare submission ended ${outcome.status}`);
      });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

/**
 * Runs one job of `directoryIds` through the pipeline and returns its time: from just before
 * POST /jobs to the job's completed_at, both read from PostgreSQL's clock. Neither the status poll's
 * interval nor stopping the event source (its pollers finish their long polls) is counted: the bare
 * loop has neither, and a deployed event source never stops.
 */
async function runPipeline(
  env: BenchEnvironment,
  api: BenchApi,
  submitter: SqsHandler,
  directoryIds: string[],
  concurrency: number,
): Promise<number> {
  const total = directoryIds.length;
  const queue = env.aws.queues.p2; // the demo customer is on the pro tier
  const source = startSqsEventSource({
    sqs: env.aws.sqs,
    queueUrl: queue.url,
    queueArn: queue.arn,
    region: LOCAL_REGION,
    functionName: 'submitter',
    handler: submitter,
    batchSize: 1,
    maximumConcurrency: concurrency,
    functionTimeoutMs: 120_000,
    waitTimeSeconds: 1,
  });
  try {
    // Taken before the request is sent, so the figure can only overstate the pipeline's time.
    const started = await env.pool.query<{ ms: string }>(
      'select extract(epoch from clock_timestamp()) * 1000 as ms',
    );
    const response = await fetch(`${api.url}/jobs`, {
      method: 'POST',
      headers: api.headers(),
      body: JSON.stringify({ customer_id: env.customerId, directory_ids: directoryIds }),
    });
    const body = await response.text();
    if (response.status !== 201) throw new Error(`POST /jobs answered ${response.status}: ${body}`);
    const jobId = (JSON.parse(body) as { job_id: string }).job_id;
    for (;;) {
      const job = await env.pool.query<{ status: string; tasks_submitted: number; completed_ms: string }>(
        'select status, tasks_submitted, extract(epoch from completed_at) * 1000 as completed_ms from jobs where id = $1',
        [jobId],
      );
      const row = job.rows[0]!;
      if (row.status === 'completed' || row.status === 'failed') {
        if (row.tasks_submitted !== total)
          throw new Error(`pipeline submitted ${row.tasks_submitted} of ${total}`);
        return Number(row.completed_ms) - Number(started.rows[0]!.ms);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    await source.stop();
  }
}
