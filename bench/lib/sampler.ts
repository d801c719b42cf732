import { readFileSync, readdirSync } from 'node:fs';

/**
 * Samples machine CPU utilisation (from /proc/stat) and the resident memory of this process and all
 * its descendants (Chromium runs as child processes) while a benchmark runs.
 */
export class ResourceSampler {
  private timer: NodeJS.Timeout | undefined;
  private cpuStart = readCpu();
  private peakRssMb = 0;

  start(intervalMs = 250): this {
    this.cpuStart = readCpu();
    this.peakRssMb = treeRssMb(process.pid);
    this.timer = setInterval(() => {
      this.peakRssMb = Math.max(this.peakRssMb, treeRssMb(process.pid));
    }, intervalMs);
    this.timer.unref();
    return this;
  }

  stop(): { cpuPercent: number; peakRssMb: number } {
    clearInterval(this.timer);
    const end = readCpu();
    const busy = end.busy - this.cpuStart.busy;
    const total = end.total - this.cpuStart.total;
    return {
      cpuPercent: total > 0 ? (100 * busy) / total : 0,
      peakRssMb: Math.max(this.peakRssMb, treeRssMb(process.pid)),
    };
  }
}

function readCpu(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  const fields = line.trim().split(/\s+/).slice(1).map(Number);
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
  const total = fields.reduce((sum, v) => sum + v, 0);
  return { busy: total - idle, total };
}

/** RSS of a process and its descendants, in MiB. */
export function treeRssMb(rootPid: number): number {
  const parents = new Map<number, number>();
  const rss = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parents.set(Number(entry), Number(fields[1]));
      rss.set(Number(entry), Number(fields[21]) * 4096);
    } catch {
      // the process ended between readdir and read
    }
  }
  let total = 0;
  const stack = [rootPid];
  const seen = new Set<number>();
  while (stack.length > 0) {
    const pid = stack.pop()!;
    if (seen.has(pid)) continue;
    seen.add(pid);
    total += rss.get(pid) ?? 0;
    for (const [child, parent] of parents) if (parent === pid) stack.push(child);
  }
  return total / 2 ** 20;
}
