import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { readLocalConfig } from './config';
import { collectEmfMetrics } from './metrics-file';
import { startLocalStack, type LocalStack } from './stack';

/**
 * `npm start`: the whole system on this machine. Starts every part, submits one demo job through
 * the API exactly as a client would, shows its progress and results, then keeps serving until
 * interrupted (Ctrl-C).
 */
async function main(): Promise<void> {
  const config = readLocalConfig();
  const log = (line: string) => process.stdout.write(`${line}\n`);
  // The handlers' EMF metric lines go to a file instead of the console (local/metrics-file.ts).
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'false';
  collectEmfMetrics(config.LOCAL_METRICS_FILE);
  log('DirectoryBolt: starting the local stack');
  const stack = await startLocalStack(config, log);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`\n${signal}: stopping`);
    await stack.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  log('');
  log(`API           ${stack.gatewayUrl}`);
  log(`API key       ${stack.apiKey}`);
  log(`metrics       ${config.LOCAL_METRICS_FILE} (EMF, one JSON document per line)`);
  log(`staff key     ${stack.apiKeys.staff}`);
  log(`admin key     ${stack.apiKeys.admin}`);
  log(`customer key  ${stack.apiKeys.customer}   (DEMO-CUSTOMER-001 only)`);
  log('more keys     npx tsx local/api-keys.ts create --role staff|admin|customer [--customer <id>]');
  log(`try           curl -H 'x-api-key: ${stack.apiKey}' ${stack.gatewayUrl}/jobs/<job id>`);
  log('');

  if (config.LOCAL_DEMO_JOB === 'true') {
    await runDemoJob(stack, log);
  }
  log(`ready: serving on ${stack.gatewayUrl} (Ctrl-C to stop)`);
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
  const { customerId, directoryIds } = await demoIds(stack.databaseUrl);
  const headers = { 'content-type': 'application/json', 'x-api-key': stack.apiKey };
  const created = await fetch(`${stack.gatewayUrl}/jobs`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ customer_id: customerId, directory_ids: directoryIds }),
  });
  const body = (await created.json()) as { job_id?: string };
  if (created.status !== 201 || !body.job_id) {
    throw new Error(`Demo job was not created: ${created.status} ${JSON.stringify(body)}`);
  }
  log(`demo job      ${body.job_id} (${directoryIds.length} directories)`);

  let last = '';
  for (;;) {
    const response = await fetch(`${stack.gatewayUrl}/jobs/${body.job_id}`, { headers });
    const job = (await response.json()) as JobView;
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
        const proof =
          result.status === 'submitted'
            ? (result.listing_url ?? result.screenshot_key ?? '')
            : `${result.last_error ?? ''} (screenshot ${result.screenshot_key ?? 'none'})`;
        log(
          `  ${result.directory.slug.padEnd(18)} ${result.status.padEnd(13)} attempt ${result.attempt}  ${proof}`,
        );
      }
      log('');
      return;
    }
    await sleep(500);
  }
}

async function demoIds(databaseUrl: string): Promise<{ customerId: string; directoryIds: string[] }> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const customer = await client.query<{ id: string }>(
      "select id from customers where external_ref = 'DEMO-CUSTOMER-001'",
    );
    const directories = await client.query<{ id: string }>(
      "select id from directories where slug like 'demo-%' and active order by slug",
    );
    const customerId = customer.rows[0]?.id;
    if (!customerId) throw new Error('The demo customer is missing from the seed');
    return { customerId, directoryIds: directories.rows.map((row) => row.id) };
  } finally {
    await client.end();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`DirectoryBolt local stack failed: ${(error as Error).message}\n`);
  process.exit(1);
});
