import { setTimeout as sleep } from 'node:timers/promises';
import { readLocalConfig } from './config';
import { collectEmfMetrics } from '../emulators/cloudwatch-metrics';
import { startLocalStack, type LocalStack } from './stack';

/**
 * `npm start`: the whole system on this machine. Starts every part, submits one demo job through
 * the API exactly as a client would, shows its progress and results, then keeps serving until
 * interrupted (Ctrl-C).
 */

const log = (line: string) => process.stdout.write(`${line}\n`);
let stack: LocalStack | undefined;
let stopping = false;

/**
 * Ctrl-C in a terminal sends SIGINT to the whole process group (npm, its shell and this process,
 * often twice through npm): the first one stops every part in order, the work that uses the
 * database before the database (which runs in a process group of its own, so the signal does not
 * shut it down under live connections); repeats are ignored.
 */
async function stop(signal: NodeJS.Signals): Promise<void> {
  if (stopping) return;
  stopping = true;
  log(`\n${signal}: stopping`);
  await stack?.stop();
  log('stopped');
  process.exit(0);
}

async function main(): Promise<void> {
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  const config = readLocalConfig();
  // The handlers' EMF metric lines go to a file instead of the console (local/emulators/cloudwatch-metrics.ts).
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'false';
  collectEmfMetrics(config.LOCAL_METRICS_FILE);
  watchEventLoop(log);
  log('DirectoryBolt: starting the local stack');
  const started = await startLocalStack(config, log);
  stack = started;

  const { apiKeys, demo, gatewayUrl } = started;
  const screenshots = `${started.aws.endpoint}/${started.aws.screenshotBucket}`;
  log('');
  log(`API           ${gatewayUrl}`);
  log(`staff key     ${apiKeys.staff}   ($KEY in the README's examples)`);
  log(`admin key     ${apiKeys.admin}`);
  log(`customer key  ${apiKeys.customer}   (DEMO-CUSTOMER-001 only)`);
  log('more keys     npx tsx scripts/local-api-keys.ts create --role staff|admin|customer [--customer <id>]');
  log(`customer      ${demo.customerId}   (DEMO-CUSTOMER-001)`);
  for (const directory of demo.directories) log(`directory     ${directory.id}   (${directory.slug})`);
  log(`screenshots   ${screenshots}/<screenshot key>   (bucket ${started.aws.screenshotBucket} in fauxqs)`);
  log(`metrics       ${config.LOCAL_METRICS_FILE} (EMF, one JSON document per line)`);
  log('try           (KEY: the staff key)');
  log(
    `              curl -s -H "x-api-key: $KEY" -H 'content-type: application/json' -d '${JSON.stringify({
      customer_id: demo.customerId,
      directory_ids: demo.directories.map((d) => d.id),
    })}' ${gatewayUrl}/jobs`,
  );
  log(`              curl -s -H "x-api-key: $KEY" ${gatewayUrl}/jobs/<job id>`);
  log(`              curl -so screenshot.png ${screenshots}/<a result's screenshot_key>`);
  log('');

  if (config.LOCAL_DEMO_JOB === 'true') {
    await runDemoJob(started, log);
  }
  if (!stopping) log(`ready: serving on ${gatewayUrl} (Ctrl-C to stop)`);
}

interface JobView {
  job_id: string;
  status: string;
  counters: Record<string, number>;
  results: {
    directory: { slug: string; name: string };
    status: string;
    attempt: number;
    listing_url: string | null;
    screenshot_key: string | null;
    last_error: string | null;
  }[];
}

async function runDemoJob(stack: LocalStack, log: (line: string) => void): Promise<void> {
  const { customerId, directories } = stack.demo;
  const headers = { 'content-type': 'application/json', 'x-api-key': stack.apiKeys.staff };
  const created = await fetch(`${stack.gatewayUrl}/jobs`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ customer_id: customerId, directory_ids: directories.map((d) => d.id) }),
  });
  const body = (await created.json()) as { job_id?: string };
  if (created.status !== 201 || !body.job_id) {
    throw new Error(`Demo job was not created: ${created.status} ${JSON.stringify(body)}`);
  }
  log(`demo job      ${body.job_id} (${directories.length} directories)`);

  let last = '';
  while (!stopping) {
    const response = await fetch(`${stack.gatewayUrl}/jobs/${body.job_id}`, { headers });
    const job = (await response.json()) as JobView;
    if (stopping) return;
    const progress = `${job.status}: ${Object.entries(job.counters)
      .filter(([, count]) => count > 0)
      .map(([name, count]) => `${name} ${count}`)
      .join(', ')}`;
    if (progress !== last) log(`  ${progress}`);
    last = progress;
    if (job.status === 'completed' || job.status === 'failed') {
      log('');
      log('results');
      for (const result of job.results) {
        const outcome =
          result.status === 'submitted' ? (result.listing_url ?? '') : (result.last_error ?? '');
        log(
          `  ${result.directory.slug.padEnd(18)} ${result.status.padEnd(13)} attempt ${result.attempt}  ${outcome}`,
        );
        if (result.screenshot_key) log(`  ${''.padEnd(18)} screenshot ${result.screenshot_key}`);
      }
      const shown = job.results.find((result) => result.screenshot_key)?.screenshot_key;
      if (shown) {
        const url = `${stack.aws.endpoint}/${stack.aws.screenshotBucket}/${encodeURI(shown)}`;
        log(`fetch one     curl -so screenshot.png ${url}`);
      }
      log('');
      return;
    }
    await sleep(500);
  }
}

/**
 * Every part of the stack shares this process's event loop (the API, the RPC endpoint, the submitter
 * driving Chromium). When something holds it for seconds, every timer fires late at once, and a
 * database connection that was answered in time still fails its connection timeout: the symptom is a
 * 503 that says the database is unreachable. Saying so here turns that into a cause one can read.
 */
function watchEventLoop(print: (line: string) => void): void {
  const tickMs = 1_000;
  const reportAboveMs = 2_000;
  let expected = Date.now() + tickMs;
  setInterval(() => {
    const late = Date.now() - expected;
    if (late > reportAboveMs)
      print(`event loop    held for ${late} ms: timers and connections waited that long`);
    expected = Date.now() + tickMs;
  }, tickMs).unref();
}

main().catch((error: unknown) => {
  if (stopping) return; // a request cut short by Ctrl-C is not a failure
  process.stderr.write(`DirectoryBolt local stack failed: ${(error as Error).message}\n`);
  process.exit(1);
});
