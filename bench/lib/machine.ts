import { cpus, freemem, totalmem, loadavg, platform, release } from 'node:os';

/** What the numbers were measured on; written at the top of RESULTS.md. */
export function describeMachine(): Record<string, string> {
  const cpu = cpus();
  return {
    date: new Date().toISOString(),
    cpu: `${cpu[0]?.model ?? 'unknown'} x ${cpu.length}`,
    memory: `${Math.round(totalmem() / 2 ** 30)} GiB (${Math.round(freemem() / 2 ** 30)} GiB free at start)`,
    'load average at start': loadavg()
      .map((l) => l.toFixed(2))
      .join(' '),
    os: `${platform()} ${release()}`,
    node: process.version,
  };
}
