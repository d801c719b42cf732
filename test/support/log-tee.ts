import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { LOG_DIR } from './log-scan';

/**
 * setupFiles hook: tees this test file's stdout and stderr writes (the handlers' logs included) into
 * LOG_DIR for the end-of-run secret scan. The writes still reach the terminal.
 */
mkdirSync(LOG_DIR, { recursive: true });
const file = path.join(LOG_DIR, `worker-${process.env.JEST_WORKER_ID ?? '0'}-${process.pid}.log`);
for (const stream of [process.stdout, process.stderr]) {
  const original = stream.write.bind(stream) as (...args: unknown[]) => boolean;
  stream.write = ((chunk: unknown, ...rest: unknown[]): boolean => {
    try {
      appendFileSync(file, typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array));
    } catch {
      // the scan is a check, never a reason for a test to fail on its own output
    }
    return original(chunk, ...rest);
  }) as typeof stream.write;
}
