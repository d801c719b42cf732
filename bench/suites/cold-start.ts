import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { build, type BuildOptions } from 'esbuild';
import { API_ROUTES } from '../../lambdas/handlers/api/routes';
import {
  deferredModulesOf,
  LAMBDA_BUNDLING,
  routeDeferredSdkClients,
  type OptionalDeferredSdkClient,
} from '../../lib/constructs/platform/lambda-bundling';
import { percentile, round } from '../lib/stats';
import type { Suite } from '../lib/suite';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');
/** Modules the submitter gets from the Chromium layer, as in lib/constructs/browser/chromium-layer.ts. */
const LAYER_MODULES = ['@sparticuz/chromium', 'playwright-core'];
/** The Lambdas that get the Chromium layer: the submitter and the API routes that drive a browser. */
const BROWSER_ENTRIES = new Set([
  'handlers/submitter',
  ...API_ROUTES.filter((route) => route.browser).map((route) => route.entry),
]);

/**
 * The deferred SDK clients only some Lambdas ship, as the stacks give them (the submitter's construct,
 * routes that open credentials or drive a browser: lib/constructs/http/jobs-api.ts): those entries
 * leave them out of their bundle, the others bundle them should they reach them.
 */
const OPTIONAL_DEFERRED: ReadonlyMap<string, readonly OptionalDeferredSdkClient[]> = new Map([
  ['handlers/submitter', ['kms']],
  ...API_ROUTES.map((route) => [route.entry, routeDeferredSdkClients(route)] as const),
]);

/**
 * What a handler loads only when it first needs it: the deferred modules (LAMBDA_BUNDLING), files of
 * their own beside the bundle (the Secrets Manager read of the Supabase key, the AWS SDK clients).
 * Their cost moves from Init to that first call, so the suite measures them too, each bundled as
 * ServiceFunction bundles it (only the credential providers left out).
 */
const DEFERRED: readonly { name: string; source: string; deferred: boolean }[] = [
  // The same run's floor: a fresh Node process loading an empty bundle. What a row adds to it is the
  // bundle's own cost, comparable across runs on a busy machine.
  { name: 'baseline: an empty bundle', source: 'export {};', deferred: false },
  ...deferredModulesOf(
    Object.keys(LAMBDA_BUNDLING.optionalDeferredSdkClients) as OptionalDeferredSdkClient[],
  ).map((deferred) => ({
    name: `first use: ${deferred.file} (deferred module)`,
    source: `export * from ${JSON.stringify(path.join(ROOT, deferred.entry))};`,
    deferred: true,
  })),
];

/**
 * 7. Cold start: each Lambda bundled as the stacks bundle it (LAMBDA_BUNDLING: esbuild, CJS, node24,
 * minified, ES module builds first), its size, and the time a fresh Node process takes to load it
 * (module init, what Lambda's Init phase runs); then the same with the bundle's source map and
 * NODE_OPTIONS=--enable-source-maps, as ServiceFunction deploys it.
 */
export const coldStart: Suite = {
  name: 'cold-start',
  async run({ quick }) {
    const runs = quick ? 3 : 7;
    const out = await mkdtemp(path.join(tmpdir(), 'directorybolt-bundles-'));
    const rows: (string | number)[][] = [];
    const figures: Record<string, number> = {};
    const bundles: { name: string; options: BuildOptions; deferred?: boolean }[] = [
      ...(await lambdaEntries()).map((entry) => ({
        name: entry,
        options: {
          entryPoints: [path.join(ROOT, 'lambdas', `${entry}.ts`)],
          external: [
            ...(BROWSER_ENTRIES.has(entry) ? LAYER_MODULES : []),
            ...(OPTIONAL_DEFERRED.get(entry) ?? []).map(
              (client) => LAMBDA_BUNDLING.optionalDeferredSdkClients[client].importPath,
            ),
          ],
        },
      })),
      ...DEFERRED.map(({ name, source, deferred }) => ({
        name,
        deferred,
        options: {
          stdin: { contents: source, resolveDir: path.join(ROOT, 'lambdas/platform'), loader: 'ts' as const },
        },
      })),
    ];
    try {
      for (const [index, bundle] of bundles.entries()) {
        const outfile = path.join(out, `bundle-${index}.cjs`);
        await build({
          ...bundle.options,
          bundle: true,
          platform: 'node',
          format: LAMBDA_BUNDLING.format,
          target: LAMBDA_BUNDLING.target,
          minify: LAMBDA_BUNDLING.minify,
          mainFields: [...LAMBDA_BUNDLING.mainFields],
          sourcemap: true,
          sourcesContent: false,
          outfile,
          supported: LAMBDA_BUNDLING.supported,
          external: [
            ...LAMBDA_BUNDLING.sdkCredentialProvidersNotBundled,
            // A deferred module's own bundle carries what it defers; every other bundle leaves it out.
            ...(bundle.deferred
              ? []
              : LAMBDA_BUNDLING.deferredModules.map((deferred) => deferred.importPath)),
            ...(bundle.options.external ?? []),
          ],
          logLevel: 'silent',
        });
        const bytes = (await stat(outfile)).size;
        const inits: number[] = [];
        const withMaps: number[] = [];
        for (let i = 0; i < runs; i += 1) {
          inits.push(await initTime(outfile));
          withMaps.push(await initTime(outfile, '--enable-source-maps'));
        }
        const init = percentile(inits, 50);
        const initWithMaps = percentile(withMaps, 50);
        figures[`${bundle.name}_kb`] = bytes / 1024;
        figures[`${bundle.name}_init_ms`] = init;
        figures[`${bundle.name}_init_source_maps_ms`] = initWithMaps;
        rows.push([bundle.name, round(bytes / 1024), round(init), round(initWithMaps)]);
      }
    } finally {
      await rm(out, { recursive: true, force: true });
    }
    return {
      title: 'Cold start: bundle size and module init time',
      method:
        `esbuild with the stacks' options (LAMBDA_BUNDLING); init = median of ${runs} fresh Node ${process.version} ` +
        "processes requiring the bundle (the layer's modules resolved from node_modules); the last column " +
        'loads the same bundle with its source map and --enable-source-maps, as deployed. The "first use" ' +
        'rows are the deferred modules a handler loads on its first call that needs them; the baseline row is ' +
        "an empty bundle, the same run's floor.",
      columns: ['Lambda', 'bundle KiB', 'init ms (median)', 'init ms with source maps (as deployed)'],
      rows,
      figures,
    };
  },
};

async function lambdaEntries(): Promise<string[]> {
  const entries = new Set(API_ROUTES.map((route) => route.entry));
  // The Lambdas outside the API's table: every entry point directly in lambdas/handlers/ (the
  // submitter, the inbound-mail Lambda), then the scheduled operations.
  const top = await readdir(path.join(ROOT, 'lambdas/handlers')).catch(() => [] as string[]);
  for (const file of top) if (file.endsWith('.ts')) entries.add(`handlers/${file.slice(0, -3)}`);
  const ops = await readdir(path.join(ROOT, 'lambdas/handlers/operations')).catch(() => [] as string[]);
  for (const file of ops) if (file.endsWith('.ts')) entries.add(`handlers/operations/${file.slice(0, -3)}`);
  return [...entries].sort();
}

async function initTime(bundle: string, nodeOptions = ''): Promise<number> {
  const script = `const t=process.hrtime.bigint();require(${JSON.stringify(bundle)});process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`;
  const { stdout } = await run(process.execPath, ['-e', script], {
    cwd: ROOT,
    env: {
      ...process.env,
      ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}),
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
      ASSETS_BUCKET: 'bench',
      MAIL_BUCKET: 'bench',
      MAIL_DOMAIN: 'mail.bench.example',
      SLACK_WEBHOOK_URL: 'http://127.0.0.1:9/unused',
      RUNBOOK_BASE_URL: 'https://example.com/runbooks',
      DASHBOARD_URL: 'https://example.com/dashboard',
      AWS_REGION: 'us-east-1',
      POWERTOOLS_METRICS_DISABLED: 'true',
    },
  });
  return Number(stdout);
}
