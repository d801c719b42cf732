/**
 * Tees everything a test worker writes to stdout and stderr (the handlers' Powertools logs included:
 * the local gateway runs them in this process) into memory, so a suite can check afterwards that no
 * secret it handled was ever logged. The writes still reach the terminal.
 */
export interface CapturedOutput {
  text(): string;
  restore(): void;
}

export function captureOutput(): CapturedOutput {
  const chunks: string[] = [];
  const originals = { out: process.stdout.write, err: process.stderr.write };
  const tee =
    (original: typeof process.stdout.write, stream: NodeJS.WriteStream) =>
    (chunk: unknown, ...rest: unknown[]): boolean => {
      chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
      return (original as (...args: unknown[]) => boolean).call(stream, chunk, ...rest);
    };
  process.stdout.write = tee(originals.out, process.stdout) as typeof process.stdout.write;
  process.stderr.write = tee(originals.err, process.stderr) as typeof process.stderr.write;
  return {
    text: () => chunks.join(''),
    restore: () => {
      process.stdout.write = originals.out;
      process.stderr.write = originals.err;
    },
  };
}

/** The secrets (or their distinctive middle, for long keys) found in the captured text. */
export function leakedSecrets(text: string, secrets: string[]): string[] {
  return secrets.filter((secret) => secret.length >= 8 && text.includes(secret));
}
