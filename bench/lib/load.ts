import { percentile, since } from './stats';

export interface LoadResult {
  requests: number;
  errors: number;
  statuses: Record<string, number>;
  p50: number;
  p99: number;
  perSecond: number;
}

type Call = () => Promise<number>;

/** Open model: starts a request every 60000/perMinute ms for `durationMs`, whatever the answers take. */
export async function fixedRate(call: Call, perMinute: number, durationMs: number): Promise<LoadResult> {
  const interval = 60_000 / perMinute;
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const inFlight: Promise<void>[] = [];
  const start = performance.now();
  for (let sent = 0; since(start) < durationMs; sent += 1) {
    const due = start + sent * interval;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    inFlight.push(timed(call, latencies, statuses));
  }
  await Promise.all(inFlight);
  return result(latencies, statuses, since(start));
}

/** Closed model: `clients` loops sending back-to-back for `durationMs` (saturation). */
export async function saturate(call: Call, clients: number, durationMs: number): Promise<LoadResult> {
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const start = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (since(start) < durationMs) await timed(call, latencies, statuses);
    }),
  );
  return result(latencies, statuses, since(start));
}

async function timed(call: Call, latencies: number[], statuses: Record<string, number>): Promise<void> {
  const start = performance.now();
  let status: string;
  try {
    status = String(await call());
  } catch {
    status = 'network error';
  }
  latencies.push(since(start));
  statuses[status] = (statuses[status] ?? 0) + 1;
}

function result(latencies: number[], statuses: Record<string, number>, elapsedMs: number): LoadResult {
  const errors = Object.entries(statuses)
    .filter(([status]) => !/^2\d\d$/.test(status))
    .reduce((sum, [, n]) => sum + n, 0);
  return {
    requests: latencies.length,
    errors,
    statuses,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    perSecond: (latencies.length / elapsedMs) * 1000,
  };
}
