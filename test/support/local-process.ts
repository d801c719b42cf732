import type { ChildProcess } from 'node:child_process';
import { startTsProcess } from '../../local/runtime/worker-process';

export interface LocalProcess {
  child: ChildProcess;
  output(): string;
  /** The value printed after a label in the start-up banner, e.g. 'API'. */
  banner(label: string): string;
  stop(): Promise<number | null>;
}

/**
 * Starts `local/runtime/main.ts` (what `npm start` runs) as a real child process and waits for it to say it
 * is ready, so tests drive the system exactly as a developer or client would.
 */
export async function startLocalProcess(
  env: Record<string, string>,
  readyTimeoutMs = 120_000,
): Promise<LocalProcess> {
  const { child, output } = await startTsProcess('local/runtime/main.ts', env, /^ready: /m, readyTimeoutMs);

  return {
    child,
    output,
    banner: (label: string) => {
      const escaped = label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      const found = new RegExp(`^${escaped}\\s+(\\S+)`, 'm').exec(output());
      if (!found?.[1]) throw new Error(`"${label}" not in the banner:\n${output()}`);
      return found[1];
    },
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve(child.exitCode);
        child.once('exit', (code) => resolve(code));
        child.kill('SIGTERM');
      }),
  };
}
