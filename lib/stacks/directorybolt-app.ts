import { Annotations, type App, type Environment, type StackProps } from 'aws-cdk-lib';
import { API_ROUTES } from '../../lambdas/handlers/api/routes';
import { receivingDomain } from '../../lambdas/mail/submission-address';
import { SERVICE_NAME } from '../../lambdas/platform/system-config';
import type { SlackWebhookSettingsProps } from '../constructs/operations/slack-webhook-settings';
import type { SupabaseSettingsProps } from '../constructs/platform/supabase-settings';
import { ApiStack } from './api-stack';
import { MailStack } from './mail-stack';
import { OperationsStack } from './operations-stack';
import { QueueStack } from './queue-stack';
import { StorageStack } from './storage-stack';
import { API_STACK } from './stack-outputs';
import { SubmitterStack } from './submitter-stack';

/**
 * Deployment settings, from CDK context (`cdk deploy -c key=value` or cdk.json). Nothing secret:
 * the Supabase service key is referenced by its Secrets Manager name or ARN, never by value.
 */
export interface DeploymentContext {
  /** `account` and `region`, both or neither; neither makes environment-agnostic stacks. */
  readonly env?: Environment;
  /** `-c demo=true`: placeholders stand in for the required values (offline synth only). */
  readonly demo?: boolean;
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
  /** The domain SES receives directories' mail on: the submission addresses are `<local part>@<it>`. */
  readonly mailDomain: string;
}

export const CONTEXT_DEFAULTS = {
  logLevel: 'INFO',
  apiStageName: 'v1',
} as const;

/**
 * Placeholders for what a deployment must name itself; used only with `-c demo=true` (offline synth,
 * tests, trying the app out). A stack synthesized with them does not work when deployed.
 */
export const DEMO_CONTEXT = {
  supabaseUrl: 'https://example.supabase.co',
  supabaseServiceKeySecretName: 'directorybolt/supabase-service-key',
  slackWebhookSecretName: 'directorybolt/slack-webhook',
  runbookBaseUrl: 'https://github.com/directorybolt/backend/blob/main/docs/runbooks',
  mailDomain: 'mail.example.com',
} as const;

/** The context a real deployment must give, each with what it is: the synth error lists the missing ones. */
export const REQUIRED_CONTEXT = [
  { keys: ['supabaseUrl'], what: 'the Supabase project URL, https://<project ref>.supabase.co' },
  {
    keys: ['supabaseServiceKeySecretName', 'supabaseServiceKeySecretArn'],
    what: 'the Secrets Manager secret holding the Supabase service-role key (plain string)',
  },
  {
    keys: ['slackWebhookSecretName', 'slackWebhookSecretArn'],
    what: 'the Secrets Manager secret holding the Slack incoming-webhook URL',
  },
  {
    keys: ['runbookBaseUrl'],
    what: 'where docs/runbooks is browsable, e.g. https://github.com/<org>/<repo>/blob/main/docs/runbooks',
  },
  {
    keys: ['mailDomain'],
    what: "the domain SES receives directories' mail on (the submission addresses'), e.g. mail.<your domain>",
  },
] as const;

/** A missing or malformed context value: the deployer's to fix, so bin/app.ts prints only the message. */
export class ContextError extends Error {
  override readonly name = 'ContextError';
}

/**
 * The receiving domain as the Lambdas compare it (receivingDomain: lower case, ASCII, no final dot),
 * and with at least two labels: SES receives for a domain with an MX record, never a bare name.
 */
function mailDomainOf(given: string): string {
  let domain: string | undefined;
  try {
    domain = receivingDomain(given);
  } catch {
    domain = undefined;
  }
  if (!domain?.includes('.')) {
    throw new ContextError(`Context: mailDomain must be a domain name like mail.example.com, got '${given}'`);
  }
  return domain;
}

export function readDeploymentContext(app: App): DeploymentContext {
  const get = (key: string): string | undefined => {
    const value: unknown = app.node.tryGetContext(key);
    return value === undefined || value === null || value === '' ? undefined : String(value);
  };
  const demo = get('demo');
  if (demo !== undefined && demo !== 'true' && demo !== 'false') {
    throw new ContextError(`Context: demo must be true or false, got '${demo}'`);
  }
  // Required values have no silent defaults: a deploy against a placeholder Supabase URL or secret
  // would go through and then fail every request. Placeholders only when asked for by name.
  const missing = REQUIRED_CONTEXT.filter(({ keys }) => keys.every((key) => get(key) === undefined));
  if (missing.length > 0 && demo !== 'true') {
    throw new ContextError(
      'Context: missing required values (-c key=value or cdk.json "context"):\n' +
        missing.map(({ keys, what }) => `  - ${keys.join(' or ')}: ${what}`).join('\n') +
        '\nOr pass -c demo=true to synthesize with placeholders (offline checks only; never deploy that).',
    );
  }
  const orDemo = (key: keyof typeof DEMO_CONTEXT): string | undefined =>
    get(key) ?? (demo === 'true' ? DEMO_CONTEXT[key] : undefined);
  const account = get('account');
  const region = get('region');
  if ((account === undefined) !== (region === undefined)) {
    throw new ContextError('Context: give both account and region, or neither (environment-agnostic stacks)');
  }
  const runbookBaseUrl = orDemo('runbookBaseUrl')!;
  if (!/^https:\/\/[^\s/]+/.test(runbookBaseUrl)) {
    throw new ContextError(`Context: runbookBaseUrl must be an https URL, got '${runbookBaseUrl}'`);
  }
  const mailDomain = mailDomainOf(orDemo('mailDomain')!);
  const alarmEmail = get('alarmEmail');
  if (alarmEmail !== undefined && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(alarmEmail)) {
    throw new ContextError(`Context: alarmEmail must be an email address, got '${alarmEmail}'`);
  }
  const mappingServiceUrl = get('mappingServiceUrl');
  if (mappingServiceUrl !== undefined && !/^https:\/\/[^\s/]+/.test(mappingServiceUrl)) {
    throw new ContextError(`Context: mappingServiceUrl must be an https URL, got '${mappingServiceUrl}'`);
  }
  const reserved = get('submitterReservedConcurrency');
  if (reserved !== undefined && !/^\d+$/.test(reserved)) {
    throw new ContextError(`Context: submitterReservedConcurrency must be a whole number, got '${reserved}'`);
  }
  const supabaseKeyArn = get('supabaseServiceKeySecretArn');
  const slackArn = get('slackWebhookSecretArn');
  return {
    env: account && region ? { account, region } : undefined,
    demo: demo === 'true',
    supabase: {
      url: orDemo('supabaseUrl')!,
      serviceKeySecretArn: supabaseKeyArn,
      // An ARN wins over a name; the demo name stands in only when neither is given.
      serviceKeySecretName: supabaseKeyArn ? undefined : orDemo('supabaseServiceKeySecretName'),
    },
    logLevel: get('logLevel') ?? CONTEXT_DEFAULTS.logLevel,
    apiStageName: get('apiStageName') ?? CONTEXT_DEFAULTS.apiStageName,
    submitterReservedConcurrency: reserved === undefined ? undefined : Number(reserved),
    mappingServiceUrl,
    slackWebhook: {
      secretArn: slackArn,
      secretName: slackArn ? undefined : orDemo('slackWebhookSecretName'),
    },
    runbookBaseUrl: runbookBaseUrl.replace(/\/+$/, ''),
    alarmEmail,
    mailDomain,
  };
}

export interface DirectoryBoltStacks {
  readonly queues: QueueStack;
  readonly storage: StorageStack;
  readonly mail: MailStack;
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
    description:
      'DirectoryBolt screenshot and profile-asset buckets and the directory-account credentials key',
  });
  const mail = new MailStack(app, 'DirectoryBolt-Mail', {
    ...common,
    description: 'DirectoryBolt inbound mail: SES receipt rule set, mail bucket and inbound-mail Lambda',
    mailDomain: context.mailDomain,
    queues: queues.taskQueues.queues,
    supabase: context.supabase,
    logLevel: context.logLevel,
  });
  const submitter = new SubmitterStack(app, 'DirectoryBolt-Submitter', {
    ...common,
    description: 'DirectoryBolt submitter Lambda with its Chromium layer',
    queues: queues.taskQueues.queues,
    supabase: context.supabase,
    logLevel: context.logLevel,
    reservedConcurrency: context.submitterReservedConcurrency,
    mappingServiceUrl: context.mappingServiceUrl,
    credentialsKey: storage.credentialsKey.key,
    mailDomain: context.mailDomain,
  });
  // The submitter finds the bucket by its derived name, so the order is stated rather than inferred.
  submitter.addStackDependency(storage, 'writes screenshots and reads logos from the storage buckets');
  const api = new ApiStack(app, API_STACK.name, {
    ...common,
    description: 'DirectoryBolt REST API',
    queues: queues.taskQueues.queues,
    deadLetterQueue: queues.taskQueues.deadLetterQueue,
    supabase: context.supabase,
    logLevel: context.logLevel,
    stageName: context.apiStageName,
    credentialsKey: storage.credentialsKey.key,
    mailDomain: context.mailDomain,
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
    inboundMail: { function: mail.inboundMail.function, undelivered: mail.inboundMail.undelivered },
    supabase: context.supabase,
    slackWebhook: context.slackWebhook,
    runbookBaseUrl: context.runbookBaseUrl,
    alarmEmail: context.alarmEmail,
    logLevel: context.logLevel,
  });
  if (context.demo) {
    for (const stack of [queues, storage, mail, submitter, api, operations]) {
      Annotations.of(stack).addWarningV2(
        'directorybolt:demo-context',
        'Synthesized with -c demo=true: placeholder Supabase URL, secrets, runbook URL and mail domain. Do not deploy this.',
      );
    }
  }
  return { queues, storage, mail, submitter, api, operations };
}
