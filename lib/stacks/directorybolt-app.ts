import type { App, Environment, StackProps } from 'aws-cdk-lib';
import { API_ROUTES } from '../../lambdas/api/routes';
import { SERVICE_NAME } from '../../lambdas/shared/system-config';
import type { SlackWebhookSettingsProps } from '../constructs/slack-webhook-settings';
import type { SupabaseSettingsProps } from '../constructs/supabase-settings';
import { ApiStack } from './api-stack';
import { OperationsStack } from './operations-stack';
import { QueueStack } from './queue-stack';
import { StorageStack } from './storage-stack';
import { SubmitterStack } from './submitter-stack';

/**
 * Deployment settings, from CDK context (`cdk deploy -c key=value` or cdk.json). Nothing secret:
 * the Supabase service key is referenced by its Secrets Manager name or ARN, never by value.
 */
export interface DeploymentContext {
  /** `account` and `region`, both or neither; neither makes environment-agnostic stacks. */
  readonly env?: Environment;
  readonly supabase: SupabaseSettingsProps;
  readonly logLevel: string;
  readonly apiStageName: string;
  readonly submitterReservedConcurrency?: number;
  /** Optional form-mapping service the submitter asks before its own field detection. */
  readonly mappingServiceUrl?: string;
  readonly slackWebhook: SlackWebhookSettingsProps;
  /** Where the repository's docs/runbooks folder is browsable: alarms and alerts link `<runbookBaseUrl>/<name>.md`. */
  readonly runbookBaseUrl: string;
  /** Optional: every alarm notification also by email, independent of Slack and the notifier. */
  readonly alarmEmail?: string;
}

export const CONTEXT_DEFAULTS = {
  /** A placeholder that synthesizes; a real deploy passes -c supabaseUrl=https://<ref>.supabase.co. */
  supabaseUrl: 'https://example.supabase.co',
  supabaseServiceKeySecretName: 'directorybolt/supabase-service-key',
  logLevel: 'INFO',
  apiStageName: 'v1',
  slackWebhookSecretName: 'directorybolt/slack-webhook',
  /** A placeholder that synthesizes; a real deploy passes the repository's URL (blob view of its main branch). */
  runbookBaseUrl: 'https://github.com/directorybolt/backend/blob/main/docs/runbooks',
} as const;

export function readDeploymentContext(app: App): DeploymentContext {
  const get = (key: string): string | undefined => {
    const value: unknown = app.node.tryGetContext(key);
    return value === undefined || value === null || value === '' ? undefined : String(value);
  };
  const account = get('account');
  const region = get('region');
  if ((account === undefined) !== (region === undefined)) {
    throw new Error('Context: give both account and region, or neither (environment-agnostic stacks)');
  }
  const runbookBaseUrl = get('runbookBaseUrl') ?? CONTEXT_DEFAULTS.runbookBaseUrl;
  if (!/^https:\/\/[^\s/]+/.test(runbookBaseUrl)) {
    throw new Error(`Context: runbookBaseUrl must be an https URL, got '${runbookBaseUrl}'`);
  }
  const alarmEmail = get('alarmEmail');
  if (alarmEmail !== undefined && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(alarmEmail)) {
    throw new Error(`Context: alarmEmail must be an email address, got '${alarmEmail}'`);
  }
  const mappingServiceUrl = get('mappingServiceUrl');
  if (mappingServiceUrl !== undefined && !/^https:\/\/[^\s/]+/.test(mappingServiceUrl)) {
    throw new Error(`Context: mappingServiceUrl must be an https URL, got '${mappingServiceUrl}'`);
  }
  const reserved = get('submitterReservedConcurrency');
  if (reserved !== undefined && !/^\d+$/.test(reserved)) {
    throw new Error(`Context: submitterReservedConcurrency must be a whole number, got '${reserved}'`);
  }
  return {
    env: account && region ? { account, region } : undefined,
    supabase: {
      url: get('supabaseUrl') ?? CONTEXT_DEFAULTS.supabaseUrl,
      serviceKeySecretArn: get('supabaseServiceKeySecretArn'),
      serviceKeySecretName:
        get('supabaseServiceKeySecretName') ?? CONTEXT_DEFAULTS.supabaseServiceKeySecretName,
    },
    logLevel: get('logLevel') ?? CONTEXT_DEFAULTS.logLevel,
    apiStageName: get('apiStageName') ?? CONTEXT_DEFAULTS.apiStageName,
    submitterReservedConcurrency: reserved === undefined ? undefined : Number(reserved),
    mappingServiceUrl,
    slackWebhook: {
      secretArn: get('slackWebhookSecretArn'),
      secretName: get('slackWebhookSecretName') ?? CONTEXT_DEFAULTS.slackWebhookSecretName,
    },
    runbookBaseUrl: runbookBaseUrl.replace(/\/+$/, ''),
    alarmEmail,
  };
}

export interface DirectoryBoltStacks {
  readonly queues: QueueStack;
  readonly storage: StorageStack;
  readonly submitter: SubmitterStack;
  readonly api: ApiStack;
  readonly operations: OperationsStack;
}

/** Every stack of the app, wired together; bin/app.ts and the CDK tests build the app through this. */
export function buildDirectoryBoltApp(
  app: App,
  context: DeploymentContext = readDeploymentContext(app),
): DirectoryBoltStacks {
  const common: StackProps = { env: context.env, tags: { project: SERVICE_NAME } };
  const queues = new QueueStack(app, 'DirectoryBolt-Queues', {
    ...common,
    description: 'DirectoryBolt task queues (one per priority) and dead-letter queue',
  });
  const storage = new StorageStack(app, 'DirectoryBolt-Storage', {
    ...common,
    description: 'DirectoryBolt screenshot and profile-asset buckets',
  });
  const submitter = new SubmitterStack(app, 'DirectoryBolt-Submitter', {
    ...common,
    description: 'DirectoryBolt submitter Lambda with its Chromium layer',
    queues: queues.taskQueues.queues,
    supabase: context.supabase,
    logLevel: context.logLevel,
    reservedConcurrency: context.submitterReservedConcurrency,
    mappingServiceUrl: context.mappingServiceUrl,
  });
  // The submitter finds the bucket by its derived name, so the order is stated rather than inferred.
  submitter.addStackDependency(storage, 'writes screenshots and reads logos from the storage buckets');
  const api = new ApiStack(app, 'DirectoryBolt-Api', {
    ...common,
    description: 'DirectoryBolt REST API',
    queues: queues.taskQueues.queues,
    deadLetterQueue: queues.taskQueues.deadLetterQueue,
    supabase: context.supabase,
    logLevel: context.logLevel,
    stageName: context.apiStageName,
  });
  // As for the submitter: the logo upload finds the assets bucket by its derived name.
  api.addStackDependency(storage, 'stores logos in the assets bucket');
  const operations = new OperationsStack(app, 'DirectoryBolt-Operations', {
    ...common,
    description: 'DirectoryBolt self-healing jobs, history archive, alarms, Slack notifier and dashboard',
    queues: queues.taskQueues.queues,
    deadLetterQueue: queues.taskQueues.deadLetterQueue,
    submitter: submitter.submitter.function,
    api: {
      stage: api.jobsApi.api.deploymentStage,
      functions: new Map(
        API_ROUTES.flatMap((route) => {
          const fn = api.jobsApi.functions.get(`${route.method} ${route.resource}`);
          return fn ? [[route.name, fn] as const] : [];
        }),
      ),
    },
    supabase: context.supabase,
    slackWebhook: context.slackWebhook,
    runbookBaseUrl: context.runbookBaseUrl,
    alarmEmail: context.alarmEmail,
    logLevel: context.logLevel,
  });
  return { queues, storage, submitter, api, operations };
}
