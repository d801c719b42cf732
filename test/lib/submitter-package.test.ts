/**
 * The submitter as Lambda runs it: the synthesized function asset (the esbuild bundle) and the
 * Chromium layer asset from the cloud assembly, laid out as Lambda lays them out, run by a stock
 * Node 24 in a child process that is not root, with NODE_PATH as Lambda sets it for layers. The
 * handler takes one real task (Postgres behind the RPC endpoint, fauxqs, the demo site) and submits
 * it with Chromium from the layer.
 *
 * What this catches that the other tests cannot: a package the bundle expects from the layer that the
 * layer lacks, a module Node cannot resolve there (ES module resolution ignores NODE_PATH), a deferred
 * module missing beside the bundle (the Supabase key is read from Secrets Manager, a stand-in here,
 * through secrets.js as deployed), a write outside /tmp (the code and the layer are read-only), and
 * anything that needs root.
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  copyFileSync,
  cpSync,
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse } from 'aws-lambda';
import { LAMBDA_BUNDLING } from '../../lib/constructs/platform/lambda-bundling';
import { rpc } from '../support/database';
import { startSecretsManagerStandIn, type SecretsManagerStandIn } from '../support/secrets-manager-stand-in';
import { startHandlerEnvironment, type HandlerEnvironment } from '../support/handler-environment';
import { buildTestApp, type TestApp } from './app-fixture';

let env: HandlerEnvironment;
let secretsManager: SecretsManagerStandIn;
let testApp: TestApp;
const SERVICE_KEY_ARN =
  'arn:aws:secretsmanager:us-east-1:000000000000:secret:directorybolt/supabase-service-key-AbCdEf';
let root: string;

/** Lambda's places, under `root`: the runtime's Node, the function code, the layers, /tmp. */
const place = (name: 'lang' | 'task' | 'opt' | 'tmp') => path.join(root, name);

/** Who the child runs as: this process's user, or `nobody` when that is root (Lambda is not root). */
function childUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(spawnSync('id', [flag, 'nobody'], { encoding: 'utf8' }).stdout.trim());
  return { uid: id('-u'), gid: id('-g') };
}

/** Makes a tree read-only for everyone (or writable again, to delete it). */
function setWritable(dir: string, writable: boolean): void {
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const file = path.join(entry.parentPath, entry.name);
    const { mode } = lstatSync(file);
    if (entry.isSymbolicLink()) continue;
    chmodSync(file, writable ? mode | 0o200 : mode & ~0o222);
  }
  chmodSync(dir, writable ? 0o755 : 0o555);
}

/** The directory of the asset the resource whose id starts with `prefix` was built from. */
function assetDir(resources: Record<string, Record<string, unknown>>, prefix: string) {
  const found = Object.entries(resources).find(([id]) => id.startsWith(prefix))?.[1].Properties as
    Record<string, unknown> | undefined;
  const code = (found?.Code ?? found?.Content) as { S3Key?: unknown } | undefined;
  if (typeof code?.S3Key !== 'string') throw new Error(`no asset for ${prefix}`);
  return path.join(testApp.outdir, `asset.${code.S3Key.replace(/\.zip$/, '')}`);
}

beforeAll(async () => {
  env = await startHandlerEnvironment();
  secretsManager = await startSecretsManagerStandIn();
  secretsManager.set(SERVICE_KEY_ARN, process.env.SUPABASE_SERVICE_KEY!);
  // Really bundled: esbuild for the function, node_modules for the layer.
  testApp = buildTestApp({ bundle: ['DirectoryBolt-Submitter'] });
  const template = testApp.template('submitter');
  const functionAsset = assetDir(template.findResources('AWS::Lambda::Function'), 'SubmitterFunction');
  const layerAsset = assetDir(template.findResources('AWS::Lambda::LayerVersion'), 'ChromiumLayer');

  root = mkdtempSync(path.join(tmpdir(), 'directorybolt-lambda-'));
  chmodSync(root, 0o755);
  mkdirSync(path.join(place('lang'), 'bin'), { recursive: true });
  const node = path.join(place('lang'), 'bin', 'node');
  try {
    linkSync(process.execPath, node);
  } catch {
    copyFileSync(process.execPath, node);
  }
  cpSync(functionAsset, place('task'), { recursive: true });
  cpSync(layerAsset, place('opt'), { recursive: true, verbatimSymlinks: true });
  setWritable(place('task'), false);
  setWritable(place('opt'), false);
  mkdirSync(place('tmp'), { mode: 0o700 });
  const user = childUser();
  if (user) chownSync(place('tmp'), user.uid, user.gid);
}, 180_000);

afterAll(async () => {
  await env?.stop();
  await secretsManager?.close();
  testApp?.cleanup();
  if (root) {
    for (const dir of [place('task'), place('opt')]) setWritable(dir, true);
    rmSync(root, { recursive: true, force: true });
  }
});

/** The runtime's part: load the handler module, invoke it once with the event, report. */
const RUNNER = `
const started = Date.now();
const { handler, shutdown } = require(process.env.LAMBDA_TASK_ROOT + '/index.js');
const context = {
  functionName: 'submitter', awsRequestId: 'packaging-test', memoryLimitInMB: '2048',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:submitter',
  getRemainingTimeInMillis: () => Math.max(0, started + 120000 - Date.now()),
};
handler(JSON.parse(process.env.TEST_EVENT), context).then(
  async (response) => {
    await shutdown();
    console.log('RESULT ' + JSON.stringify({
      response,
      uid: process.getuid(),
      chromium: require.resolve('@sparticuz/chromium'),
    }));
    process.exit(0);
  },
  (error) => { console.error(error); process.exit(1); },
);
`;

function runInLambdaLayout(event: unknown): Promise<{ code: number | null; output: string }> {
  const user = childUser();
  const child = spawn(path.join(place('lang'), 'bin', 'node'), ['-e', RUNNER], {
    cwd: place('task'),
    uid: user?.uid,
    gid: user?.gid,
    env: {
      // What the stacks and the local runtime set for the handler (SUPABASE_URL, queues, buckets ...).
      ...Object.fromEntries(
        Object.entries(process.env).filter(([name]) =>
          /^(SUPABASE_|TASK_QUEUE_URL_|SCREENSHOT_BUCKET|ASSETS_BUCKET|AWS_|S3_|SUBMITTER_|POWERTOOLS_)/.test(
            name,
          ),
        ),
      ),
      // The key as the stacks deploy it: a secret's ARN, never the key itself.
      SUPABASE_SERVICE_KEY: '',
      SUPABASE_SERVICE_KEY_SECRET_ARN: SERVICE_KEY_ARN,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secretsManager.url,
      // What Lambda's Node.js 24 runtime sets.
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
      AWS_LAMBDA_FUNCTION_NAME: 'submitter',
      LAMBDA_TASK_ROOT: place('task'),
      NODE_PATH: [
        path.join(place('opt'), 'nodejs', 'node24', 'node_modules'),
        path.join(place('opt'), 'nodejs', 'node_modules'),
        place('task'),
      ].join(':'),
      NODE_OPTIONS: '--enable-source-maps',
      PATH: `${path.join(place('lang'), 'bin')}:/usr/local/bin:/usr/bin:/bin`,
      TMPDIR: place('tmp'),
      TEST_EVENT: JSON.stringify(event),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output }));
  });
}

it('loads the handler and submits a task with Chromium from the layer, read-only, as a non-root user', async () => {
  const directory = env.demoDirectories.find((d) => d.slug === 'demo-plain')!;
  const job = await rpc(env.db.pool, 'create_job', {
    p_customer_id: env.demoCustomerId,
    p_directory_ids: [directory.id],
  });
  const [task] = job.tasks as Array<{ task_id: string }>;
  await env.aws.sqs.send(
    new SendMessageCommand({
      QueueUrl: env.aws.queues.p2.url,
      MessageBody: JSON.stringify({ task_id: task!.task_id, job_id: job.job_id, priority: 'p2' }),
    }),
  );
  await rpc(env.db.pool, 'mark_tasks_enqueued', { p_task_ids: [task!.task_id] });
  const records = await env.receive('p2');

  const { code, output } = await runInLambdaLayout({ Records: records });

  expect({ code, output: code === 0 ? '' : output }).toEqual({ code: 0, output: '' });
  const result = JSON.parse(/^RESULT (.*)$/m.exec(output)![1]!) as {
    response: SQSBatchResponse;
    uid: number;
    chromium: string;
  };
  const row = await env.db.pool.query(
    'select status, last_error, screenshot_key from job_results where job_id = $1',
    [job.job_id],
  );
  // Together, so that a failure shows why the task failed.
  expect({
    failures: result.response.batchItemFailures,
    status: row.rows[0].status,
    error: row.rows[0].last_error,
  }).toEqual({ failures: [], status: 'submitted', error: null });
  expect(result.uid).not.toBe(0);
  // The key came from Secrets Manager through the deferred module beside the bundle, which the
  // bundle itself does not carry; the screenshot went to S3 through the deferred SDK client.
  expect(secretsManager.requests.get(SERVICE_KEY_ARN)).toBe(1);
  // Every function's deferred modules and the submitter's own (the KMS client for account credentials).
  const deferredModules = testApp.stacks.submitter.submitter.function.deferredModules;
  expect(deferredModules.length).toBeGreaterThan(LAMBDA_BUNDLING.deferredModules.length);
  for (const deferred of deferredModules) {
    expect({ file: deferred.file, exists: existsSync(path.join(place('task'), deferred.file)) }).toEqual({
      file: deferred.file,
      exists: true,
    });
  }
  expect(readFileSync(path.join(place('task'), 'index.js'), 'utf8')).not.toContain('GetSecretValue');
  expect(result.chromium.startsWith(path.join(place('opt'), 'nodejs', 'node_modules'))).toBe(true);
  const screenshot = await env.aws.s3.send(
    new GetObjectCommand({ Bucket: env.aws.screenshotBucket, Key: row.rows[0].screenshot_key }),
  );
  expect(screenshot.ContentType).toBe('image/png');
}, 120_000);
