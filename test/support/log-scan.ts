import { appendFileSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { API_ACCESS } from '../../lambdas/platform/system-config';

/**
 * "Nothing secret is ever logged", checked over the whole test run: every jest worker tees what it
 * writes to stdout/stderr into LOG_DIR (test/support/log-tee.ts, a setupFiles hook), the fixtures
 * register the secrets they create (service keys, API keys, webhook URLs), and the global teardown
 * scans all of it. Handlers run in the test workers (the local gateway and pollers invoke them
 * in-process), so their Powertools logs are in the scan too.
 */
export const LOG_DIR = path.resolve(import.meta.dirname, '../../.local-data/test-logs');

/** Records a secret a fixture created, for the scan at the end of the run. */
export function registerSecret(value: string): void {
  mkdirSync(LOG_DIR, { recursive: true });
  appendFileSync(path.join(LOG_DIR, `secrets-${process.pid}.txt`), `${value}\n`);
}

/** registerSecret, returning the value: for use inline where a fixture hands a secret on. */
export function registered(value: string): string {
  registerSecret(value);
  return value;
}

/** A whole API key: the prefix and more random characters than a key's displayable prefix has. */
const FULL_API_KEY = new RegExp(`${API_ACCESS.keyPrefix}[A-Za-z0-9_-]{20,}`);

export interface Leak {
  file: string;
  what: string;
}

/** The leaks in `logs` (file name -> text): a registered secret, or anything shaped like a whole API key. */
export function findLeaks(logs: Map<string, string>, secrets: string[]): Leak[] {
  const leaks: Leak[] = [];
  const distinct = [...new Set(secrets.filter((secret) => secret.length >= 12))];
  for (const [file, text] of logs) {
    for (const secret of distinct) {
      if (text.includes(secret)) leaks.push({ file, what: `a registered secret (${secret.slice(0, 6)}...)` });
    }
    const key = FULL_API_KEY.exec(text);
    if (key)
      leaks.push({ file, what: `an API key (${key[0].slice(0, API_ACCESS.keyPrefix.length + 4)}...)` });
  }
  return leaks;
}

/** Reads what the run wrote to LOG_DIR. */
export function readRunLogs(): { logs: Map<string, string>; secrets: string[] } {
  const logs = new Map<string, string>();
  const secrets: string[] = [];
  let files: string[] = [];
  try {
    files = readdirSync(LOG_DIR);
  } catch {
    return { logs, secrets };
  }
  for (const file of files) {
    const text = readFileSync(path.join(LOG_DIR, file), 'utf8');
    if (file.startsWith('secrets-')) secrets.push(...text.split('\n').filter(Boolean));
    else logs.set(file, text);
  }
  return { logs, secrets };
}
