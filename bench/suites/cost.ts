import { SUBMITTER } from '../../lambdas/platform/system-config';
import { round } from '../lib/stats';
import type { SuiteResult } from '../lib/suite';

/**
 * AWS list prices, us-east-1, x86_64, as published when this was written. Change them here when
 * they change; nothing else reads them.
 */
const PRICES = {
  lambdaGbSecond: 0.0000166667,
  lambdaRequest: 0.2 / 1e6,
  sqsRequest: 0.4 / 1e6,
  s3Put: 0.005 / 1000,
  apiRequest: 3.5 / 1e6,
  logsIngestGb: 0.5,
};

/**
 * 8. Estimated cost per 1,000 submissions, from durations measured in this run (browser-cost and
 * throughput) and the submitter's configured memory.
 */
export function costFromFigures(figures: Record<string, number>): SuiteResult {
  const warm = figures['browser-cost.warmContextMs'];
  const pipelinePerMin = figures['throughput.pipeline_c1_per_min'];
  if (warm === undefined || pipelinePerMin === undefined) {
    throw new Error('cost needs the browser-cost and throughput suites in the same run');
  }
  // Billed duration per submission: at least the browser work, at most the whole pipeline time at
  // concurrency 1 (which also includes queue polling the Lambda service does for free).
  const durations = { low: warm, high: 60_000 / pipelinePerMin };
  const gb = SUBMITTER.memoryMb / 1024;
  const perThousand = (ms: number) => {
    const compute = 1000 * (ms / 1000) * gb * PRICES.lambdaGbSecond;
    const requests = 1000 * PRICES.lambdaRequest;
    const sqs = 1000 * 2.5 * PRICES.sqsRequest; // send (batched), receive, delete (batched), occasional visibility change
    const s3 = 1000 * PRICES.s3Put;
    const api = 1000 * 0.2 * PRICES.apiRequest; // jobs of ~50 directories, polled ~10 times each
    const logs = 1000 * (4 / 1024 / 1024) * PRICES.logsIngestGb; // ~4 KiB of logs per submission
    return { compute, total: compute + requests + sqs + s3 + api + logs };
  };
  const low = perThousand(durations.low);
  const high = perThousand(durations.high);
  return {
    title: 'Estimated AWS cost per 1,000 submissions',
    method:
      `Submitter at ${SUBMITTER.memoryMb} MB, batch size 1 (batches of ${SUBMITTER.batchSize} share one invocation and cost less), ` +
      'list prices in bench/suites/cost.ts. Low: billed time = the browser work measured in browser-cost; high: the whole ' +
      'pipeline time per submission at concurrency 1. Supabase, NAT and data transfer are not included.',
    columns: ['estimate', 'billed ms per submission', 'Lambda compute $', 'total $ per 1,000'],
    rows: [
      ['low', round(durations.low), round(low.compute, 4), round(low.total, 4)],
      ['high', round(durations.high), round(high.compute, 4), round(high.total, 4)],
    ],
    figures: { costPerThousandLow: low.total, costPerThousandHigh: high.total },
  };
}
