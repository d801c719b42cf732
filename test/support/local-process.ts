import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export interface LocalProcess {
  child: ChildProcess;
  output(): string;
  /** The value printed after a label in the start-up banner, e.g. 'API'. */
  banner(label: string): string;
  stop(): Promise<number | null>;
}

const ROOT = path.resolve(import.meta.dirname, '../..');

/**
 * Starts `local/main.ts` (what `npm start` runs) as a real child process and waits for it to say it
 * is ready, so tests drive the system exactly as a developer or client would.
 */
export async function startLocalProcess(
  env: Record<string, string>,
  readyTimeoutMs = 120_000,
): Promise<LocalProcess> {
  const child = spawn(
    process.execPath,
    ['--disable-warning=ExperimentalWarning', '--import', 'tsx', 'local/main.ts'],
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
      () => reject(new Error(`local stack not ready in time:\n${text}`)),
      readyTimeoutMs,
    );
    const check = () => {
      if (/^ready: /m.test(text)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`local stack exited with ${code}:\n${text}`));
    });
  });

  return {
    child,
    output: () => text,
    banner: (label: string) => {
      const escaped = label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      const found = new RegExp(`^${escaped}\\s+(\\S+)`, 'm').exec(text);
      if (!found?.[1]) throw new Error(`"${label}" not in the banner:\n${text}`);
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
