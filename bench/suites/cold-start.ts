import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { API_ROUTES } from '../../lambdas/api/routes';
import { percentile, round } from '../lib/stats';
import type { Suite } from '../lib/suite';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');
/** Modules the submitter gets from the Chromium layer, as in lib/constructs/chromium-layer.ts. */
const LAYER_MODULES = ['@sparticuz/chromium', 'playwright-core'];
/** The Lambdas that get the Chromium layer: the submitter and the API routes that drive a browser. */
const BROWSER_ENTRIES = new Set([
  'submitter/handler',
  ...API_ROUTES.filter((route) => route.browser).map((route) => route.entry),
]);

/**
 * 7. Cold start: each Lambda bundled as the stacks bundle it (esbuild, CJS, node24, minified), its
 * size, and the time a fresh Node process takes to load it (module init, what Lambda's Init phase runs).
 */
export const coldStart: Suite = {
  name: 'cold-start',
  async run({ quick }) {
    const runs = quick ? 3 : 7;
    const out = await mkdtemp(path.join(tmpdir(), 'directorybolt-bundles-'));
    const entries = await lambdaEntries();
    const rows: (string | number)[][] = [];
    const figures: Record<string, number> = {};
    try {
      for (const entry of entries) {
        const outfile = path.join(out, `${entry.replaceAll('/', '-')}.cjs`);
        await build({
          entryPoints: [path.join(ROOT, 'lambdas', `${entry}.ts`)],
          bundle: true,
          platform: 'node',
          format: 'cjs',
          target: 'node24',
          minify: true,
          outfile,
          external: BROWSER_ENTRIES.has(entry) ? LAYER_MODULES : [],
          logLevel: 'silent',
        });
        const bytes = (await stat(outfile)).size;
        const inits: number[] = [];
        for (let i = 0; i < runs; i += 1) inits.push(await initTime(outfile));
        const init = percentile(inits, 50);
        figures[`${entry}_kb`] = bytes / 1024;
        figures[`${entry}_init_ms`] = init;
        rows.push([entry, round(bytes / 1024), round(init)]);
      }
    } finally {
      await rm(out, { recursive: true, force: true });
    }
    return {
      title: 'Cold start: bundle size and module init time',
      method: `esbuild with the stacks' options; init = median of ${runs} fresh Node ${process.version} processes requiring the bundle (the layer's modules resolved from node_modules).`,
      columns: ['Lambda', 'bundle KiB', 'init ms (median)'],
      rows,
      figures,
    };
  },
};

async function lambdaEntries(): Promise<string[]> {
  const entries = new Set(API_ROUTES.map((route) => route.entry));
  entries.add('submitter/handler');
  const ops = await readdir(path.join(ROOT, 'lambdas/ops')).catch(() => [] as string[]);
  for (const file of ops) if (file.endsWith('.ts')) entries.add(`ops/${file.slice(0, -3)}`);
  return [...entries].sort();
}

async function initTime(bundle: string): Promise<number> {
  const script = `const t=process.hrtime.bigint();require(${JSON.stringify(bundle)});process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`;
  const { stdout } = await run(process.execPath, ['-e', script], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_PATH: path.join(ROOT, 'node_modules'),
      // Placeholders: the handlers read their configuration at load and refuse to start without it.
      SUPABASE_URL: 'http://127.0.0.1:1',
      SUPABASE_SERVICE_KEY: 'bench-placeholder-key',
      TASK_QUEUE_URL_P1: 'http://127.0.0.1:1/q1',
      TASK_QUEUE_URL_P2: 'http://127.0.0.1:1/q2',
      TASK_QUEUE_URL_P3: 'http://127.0.0.1:1/q3',
      DLQ_URL: 'http://127.0.0.1:1/dlq',
      SCREENSHOT_BUCKET: 'bench',
      ARCHIVE_BUCKET: 'bench',
      SLACK_WEBHOOK_URL: 'http://127.0.0.1:9/unused',
      RUNBOOK_BASE_URL: 'https://example.com/runbooks',
      DASHBOARD_URL: 'https://example.com/dashboard',
      AWS_REGION: 'us-east-1',
      POWERTOOLS_METRICS_DISABLED: 'true',
    },
  });
  return Number(stdout);
}
