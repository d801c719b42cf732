import { treeRssMb } from './sampler';

export interface MemorySample {
  /** Minutes since the first sample. */
  minute: number;
  /** V8 heap in use right after a full collection (when --expose-gc is on), MiB: what is really retained. */
  heapMb: number;
  /** This Node process's resident memory, MiB. */
  rssMb: number;
  /** Resident memory of this process and its descendants (Chromium), MiB. */
  treeRssMb: number;
  /** How many items of a known, deliberately growing store were held at the sample (see start()). */
  knownItems: number;
}

export interface MemoryVerdict {
  /** Median of each quarter of the run, in order. */
  heapQuartersMb: number[];
  treeRssQuartersMb: number[];
  /** Least-squares slope of the retained heap over the second half of the run, MiB per minute. */
  heapSlopeMbPerMin: number;
  bounded: boolean;
  reason: string;
}

/**
 * Samples memory every `intervalMs` during a long run. With `--expose-gc` (bench/run.ts starts suites
 * with it) each sample first runs a full collection, so the heap figure is what the process retains,
 * not garbage that has not been collected yet: growth in it is a leak, growth in RSS alone may not be.
 */
export class MemoryTrend {
  private readonly samples: MemorySample[] = [];
  private timer: NodeJS.Timeout | undefined;
  private startedAt = 0;
  private knownItems: () => number = () => 0;

  /**
   * `knownItems` counts what a store that grows on purpose holds (the soak's demo site records every
   * submission it receives): the verdict can then take that store's share out of the heap.
   */
  start(intervalMs: number, knownItems: () => number = () => 0): this {
    this.knownItems = knownItems;
    this.startedAt = performance.now();
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
    return this;
  }

  stop(): MemorySample[] {
    clearInterval(this.timer);
    this.sample();
    return [...this.samples];
  }

  private sample(): void {
    collectGarbage();
    const usage = process.memoryUsage();
    this.samples.push({
      minute: (performance.now() - this.startedAt) / 60_000,
      heapMb: usage.heapUsed / 2 ** 20,
      rssMb: usage.rss / 2 ** 20,
      treeRssMb: treeRssMb(process.pid),
      knownItems: this.knownItems(),
    });
  }
}

/** A full collection when the process runs with --expose-gc (bench/run.ts starts suites so). */
export function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** The heap in use after a full collection, MiB. */
export function retainedHeapMb(): number {
  collectGarbage();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

/** The samples with `mbPerItem` MiB taken out of the heap for each known item held at the time. */
export function withoutKnownItems(samples: readonly MemorySample[], mbPerItem: number): MemorySample[] {
  return samples.map((s) => ({ ...s, heapMb: s.heapMb - s.knownItems * mbPerItem }));
}

/**
 * Whether memory stayed bounded: the retained heap of the last quarter is within `toleranceMb` of
 * the second quarter's (the first quarter is warm-up: modules, pools, JIT), and the heap's slope over
 * the second half would not add more than `toleranceMb` in another run of the same length.
 */
export function memoryVerdict(samples: readonly MemorySample[], toleranceMb = 32): MemoryVerdict {
  const quarters = [0, 1, 2, 3].map((q) =>
    samples.filter((_, i) => Math.floor((i * 4) / samples.length) === q),
  );
  const heapQuartersMb = quarters.map((quarter) => median(quarter.map((s) => s.heapMb)));
  const treeRssQuartersMb = quarters.map((quarter) => median(quarter.map((s) => s.treeRssMb)));
  const secondHalf = samples.slice(Math.floor(samples.length / 2));
  const heapSlopeMbPerMin = slope(
    secondHalf.map((s) => s.minute),
    secondHalf.map((s) => s.heapMb),
  );
  const runMinutes = samples.at(-1)?.minute ?? 0;
  const growth = heapQuartersMb[3]! - heapQuartersMb[1]!;
  const projected = heapSlopeMbPerMin * runMinutes;
  if (samples.length < 8)
    return {
      heapQuartersMb,
      treeRssQuartersMb,
      heapSlopeMbPerMin,
      bounded: false,
      reason: 'too few samples',
    };
  const bounded = growth <= toleranceMb && projected <= toleranceMb;
  return {
    heapQuartersMb,
    treeRssQuartersMb,
    heapSlopeMbPerMin,
    bounded,
    reason: bounded
      ? `retained heap grew ${growth.toFixed(1)} MiB from the second quarter to the last, and its trend adds ` +
        `${projected.toFixed(1)} MiB per run length (tolerance ${toleranceMb} MiB)`
      : `retained heap grew ${growth.toFixed(1)} MiB from the second quarter to the last, trend ` +
        `${heapSlopeMbPerMin.toFixed(2)} MiB/min (tolerance ${toleranceMb} MiB)`,
  };
}

function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function slope(xs: readonly number[], ys: readonly number[]): number {
  const n = xs.length;
  if (n < 2) return 0;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i += 1) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}
