import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');

export interface WorkerProcess {
  child: ChildProcess;
  output(): string;
  /** Ends the process the way a crash or Lambda's runtime does: no cleanup, no goodbye. */
  kill(signal: NodeJS.Signals): Promise<void>;
}

/**
 * Starts local/worker.ts (the submitter's pollers and/or the operations timers) as a real child
 * process with the Lambda environment of this test process plus `env`, and waits until it polls.
 */
export async function startWorker(
  env: Record<string, string>,
  readyTimeoutMs = 60_000,
): Promise<WorkerProcess> {
  const child = spawn(
    process.execPath,
    ['--disable-warning=ExperimentalWarning', '--import', 'tsx', 'local/worker.ts'],
    {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker not ready in time:\n${text}`)), readyTimeoutMs);
    child.stdout?.on('data', () => {
      if (/^ready: worker/m.test(text)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`worker exited with ${code}:\n${text}`));
    });
  });
  return {
    child,
    output: () => text,
    kill: (signal) =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill(signal);
      }),
  };
}

/** Polls `check` until it returns a value (not undefined), or fails after `timeoutMs` with `what`. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
