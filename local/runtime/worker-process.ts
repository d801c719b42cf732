import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

export interface WorkerProcess {
  child: ChildProcess;
  output(): string;
  /** Ends the process the way a crash or Lambda's runtime does: no cleanup, no goodbye. */
  kill(signal: NodeJS.Signals): Promise<void>;
}

/**
 * Starts local/runtime/worker.ts (the submitter's pollers and/or the operations timers) as a real child
 * process with the Lambda environment of this test process plus `env`, and waits until it polls.
 */
export async function startWorker(
  env: Record<string, string>,
  readyTimeoutMs = 60_000,
): Promise<WorkerProcess> {
  const started = await startTsProcess('local/runtime/worker.ts', env, /^ready: worker/m, readyTimeoutMs);
  return {
    child: started.child,
    output: started.output,
    kill: (signal) =>
      new Promise((resolve) => {
        if (started.child.exitCode !== null || started.child.signalCode !== null) return resolve();
        started.child.once('exit', () => resolve());
        started.child.kill(signal);
      }),
  };
}

/**
 * Starts a TypeScript entry point of this repository (tsx, the project's Node) as a real child
 * process with this process's environment plus `env`, collects its output, and resolves once the
 * output matches `ready`; rejects if it exits first or takes longer than `readyTimeoutMs`.
 */
export async function startTsProcess(
  script: string,
  env: Record<string, string>,
  ready: RegExp,
  readyTimeoutMs: number,
): Promise<{ child: ChildProcess; output(): string }> {
  const child = spawn(
    process.execPath,
    ['--disable-warning=ExperimentalWarning', '--import', 'tsx', script],
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
    const timer = setTimeout(
      () => reject(new Error(`${script} not ready in time:\n${text}`)),
      readyTimeoutMs,
    );
    const check = () => {
      if (ready.test(text)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited with ${code}:\n${text}`));
    });
  });
  return { child, output: () => text };
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
