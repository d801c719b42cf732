import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildDirectoryBoltApp, type DirectoryBoltStacks } from '../../lib/stacks/directorybolt-app';

const PROJECT_ROOT = join(import.meta.dirname, '..', '..');
/** The feature flags and context `cdk synth` uses, so the tests synthesize what deploys. */
const CDK_JSON_CONTEXT = (
  JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as { context: object }
).context;

/**
 * The values a real deployment passes (README, Deploy), real-looking but made up: the stacks are
 * tested as they deploy, not with the demo placeholders (`-c demo=true`).
 */
export const DEPLOY_CONTEXT = {
  supabaseUrl: 'https://abcdefghijklmnopqrst.supabase.co',
  supabaseServiceKeySecretName: 'directorybolt/supabase-service-key',
  slackWebhookSecretName: 'directorybolt/slack-webhook',
  runbookBaseUrl: 'https://github.com/directorybolt/backend/blob/main/docs/runbooks',
  mailDomain: 'verify.directorybolt.io',
} as const;

export interface TestApp {
  readonly app: App;
  readonly stacks: DirectoryBoltStacks;
  readonly outdir: string;
  template(stack: keyof DirectoryBoltStacks): Template;
  cleanup(): void;
}

/**
 * Builds the whole app as bin/app.ts does, into a temporary cloud assembly. `bundle` lists the stack
 * ids whose assets are really built (esbuild, the Chromium layer); the rest get placeholder assets,
 * which keeps a test file that looks only at queues from copying the 80 MB layer. The context is
 * DEPLOY_CONTEXT unless `context` overrides a key (set one to undefined to leave it out).
 */
export function buildTestApp(
  options: { bundle?: string[]; context?: Record<string, unknown> } = {},
): TestApp {
  const outdir = mkdtempSync(join(tmpdir(), 'directorybolt-cdk-'));
  const app = new App({
    outdir,
    context: {
      ...CDK_JSON_CONTEXT,
      'aws:cdk:bundling-stacks': options.bundle ?? [],
      ...DEPLOY_CONTEXT,
      ...options.context,
    },
  });
  const stacks = buildDirectoryBoltApp(app);
  const templates = new Map<keyof DirectoryBoltStacks, Template>();
  return {
    app,
    stacks,
    outdir,
    template(stack) {
      let template = templates.get(stack);
      if (!template) {
        template = Template.fromStack(stacks[stack]);
        templates.set(stack, template);
      }
      return template;
    },
    cleanup: () => rmSync(outdir, { recursive: true, force: true }),
  };
}
