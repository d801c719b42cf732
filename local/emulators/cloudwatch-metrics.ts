/**
 * Emulates: CloudWatch's embedded metric format (EMF) ingestion from a Lambda's stdout.
 * Reproduces: every EMF document a handler prints becomes one line of .local-data/metrics.jsonl.
 * Leaves out: aggregation into metrics, alarms and dashboards (the CDK stacks define those for AWS).
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';

/**
 * Where the handlers' metrics go locally. In AWS, Powertools writes each metric flush to stdout as an
 * EMF JSON line and CloudWatch turns it into metrics. Here the same lines are taken off stdout and
 * appended to a file (default .local-data/metrics.jsonl), one EMF document per line, so they neither
 * drown the console nor get lost:  tail -f .local-data/metrics.jsonl | jq -c '{t: ._aws.Timestamp} + .'
 * The handlers are unchanged: they do not know their stdout is read by anything but CloudWatch.
 */
export function collectEmfMetrics(file: string): () => void {
  mkdirSync(path.dirname(file), { recursive: true });
  const original = process.stdout.write.bind(process.stdout);
  const write = (chunk: unknown, ...rest: unknown[]): boolean => {
    const text =
      typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : undefined;
    if (text !== undefined && text.startsWith('{"_aws":')) {
      appendFileSync(file, text.endsWith('\n') ? text : `${text}\n`);
      const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
      callback?.();
      return true;
    }
    return (original as (...args: unknown[]) => boolean)(chunk, ...rest);
  };
  process.stdout.write = write as typeof process.stdout.write;
  return () => {
    process.stdout.write = original;
  };
}
