/**
 * Directory accounts and email verification on the AWS side: the credentials key and who may use it,
 * the mail bucket, SES's receipt rule, the inbound-mail Lambda, their alarms and dashboard row, and
 * the KMS client shipped only beside the functions that use it. Assertions on the synthesized templates
 * of the whole app, as it deploys (app-fixture's DEPLOY_CONTEXT).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { PURPOSE } from '../../lambdas/accounts/credential-vault';
import { API_ROUTES } from '../../lambdas/handlers/api/routes';
import {
  ACCOUNTS,
  METRIC_NAMES,
  METRICS_NAMESPACE,
  MONITORING,
  PRIORITIES,
  type Priority,
  SERVICE_NAME,
} from '../../lambdas/platform/system-config';
import { CredentialsKey } from '../../lib/constructs/accounts/credentials-key';
import { InboundMail } from '../../lib/constructs/accounts/inbound-mail';
import { JobsApi } from '../../lib/constructs/http/jobs-api';
import { LAMBDA_BUNDLING } from '../../lib/constructs/platform/lambda-bundling';
import { SupabaseSettings } from '../../lib/constructs/platform/supabase-settings';
import type { DirectoryBoltStacks } from '../../lib/stacks/directorybolt-app';
import { buildTestApp, DEPLOY_CONTEXT, type TestApp } from './app-fixture';

/** Synthesized CloudFormation, walked freely by the assertions (the shape is what they check). */
type Cfn = ReturnType<typeof JSON.parse>;
type Resource = { Properties: Record<string, Cfn>; DependsOn?: string[]; DeletionPolicy?: string };
interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: Cfn;
  Condition?: Cfn;
  Principal?: Cfn;
}

const resources = (template: Template, type: string): Record<string, Resource> =>
  template.findResources(type) as Record<string, Resource>;
const text = (value: unknown): string => JSON.stringify(value);
const actionsOf = (statement: Statement): string[] =>
  Array.isArray(statement.Action) ? statement.Action : [statement.Action];

/** The function described `description` (exactly, or by its start) and every statement of its role's policies. */
function functionWithPolicy(template: Template, description: string | RegExp) {
  const found = Object.entries(resources(template, 'AWS::Lambda::Function')).find(([, fn]) =>
    typeof description === 'string'
      ? fn.Properties.Description === description
      : description.test(String(fn.Properties.Description)),
  );
  if (!found) throw new Error(`no function described ${String(description)}`);
  const [id, fn] = found;
  const role = fn.Properties.Role['Fn::GetAtt'][0] as string;
  const statements = Object.values(resources(template, 'AWS::IAM::Policy'))
    .filter((policy) => text(policy.Properties.Roles).includes(`"${role}"`))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[]);
  return {
    id,
    fn,
    variables: (fn.Properties.Environment?.Variables ?? {}) as Record<string, Cfn>,
    statements,
  };
}

/** The ARN the receipt rule has: SES's SourceArn for the bucket policy and the Lambda permission. */
const RECEIPT_RULE_ARN = {
  'Fn::Join': [
    '',
    [
      'arn:',
      { Ref: 'AWS::Partition' },
      ':ses:',
      { Ref: 'AWS::Region' },
      ':',
      { Ref: 'AWS::AccountId' },
      `:receipt-rule-set/${InboundMail.RULE_SET_NAME}:receipt-rule/${InboundMail.RULE_NAME}`,
    ],
  ],
};

describe('directory accounts and email verification', () => {
  let testApp: TestApp;
  let mail: Template;
  beforeAll(() => {
    testApp = buildTestApp();
    mail = testApp.template('mail');
  });
  afterAll(() => testApp.cleanup());

  /** The mail bucket's logical id (the other bucket of the stack is its access-log bucket). */
  const bucketId = () =>
    Object.keys(resources(mail, 'AWS::S3::Bucket')).find((id) => !id.includes('AccessLogs'))!;

  describe('the credentials key', () => {
    it('rotates, has its alias, and is retained with the stack', () => {
      const storage = testApp.template('storage');
      const keys = Object.values(resources(storage, 'AWS::KMS::Key'));
      expect(keys).toHaveLength(1);
      expect(keys[0]).toMatchObject({
        Properties: { EnableKeyRotation: true, Description: expect.stringMatching(/directories/) },
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
      });
      storage.hasResourceProperties('AWS::KMS::Alias', { AliasName: CredentialsKey.ALIAS });
      expect(Object.keys(storage.findOutputs('CredentialsKeyArn'))).toEqual(['CredentialsKeyArn']);
    });

    it('lets the submitter generate data keys and decrypt, only for directory-account credentials', () => {
      const { variables, statements } = functionWithPolicy(
        testApp.template('submitter'),
        /^Submits one business profile/,
      );
      const kms = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('kms:')));
      expect(kms).toEqual([
        {
          Effect: 'Allow',
          Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
          Resource: variables.CREDENTIALS_KEY_ID,
          Condition: { StringEquals: { 'kms:EncryptionContext:purpose': PURPOSE } },
        },
      ]);
      // The key's ARN, from the storage stack: the same value the vault is told to seal under.
      expect(variables.CREDENTIALS_KEY_ID).toEqual({
        'Fn::GetStackOutput': expect.objectContaining({ StackName: 'DirectoryBolt-Storage' }),
      });
      expect(variables.MAIL_DOMAIN).toBe(DEPLOY_CONTEXT.mailDomain);
      expect(PURPOSE).toBe('directory-account');
    });

    it('lets GET /customers/{id} show the submission address on the receiving domain', () => {
      const customer = functionWithPolicy(testApp.template('api'), 'GET /customers/{id}');
      const other = functionWithPolicy(testApp.template('api'), 'GET /health');

      expect(customer.variables.MAIL_DOMAIN).toBe(DEPLOY_CONTEXT.mailDomain);
      expect(other.variables.MAIL_DOMAIN).toBeUndefined();
    });

    it('is used by no other function of the app than those that need it, and by those only to decrypt', () => {
      const users: string[] = [];
      const apiKmsStatements: Statement[] = [];
      for (const stack of ['mail', 'api', 'operations'] as const) {
        const template = testApp.template(stack);
        for (const fn of Object.values(resources(template, 'AWS::Lambda::Function'))) {
          if (fn.Properties.Environment?.Variables?.CREDENTIALS_KEY_ID) users.push(fn.Properties.Description);
        }
        const kmsStatements = Object.values(resources(template, 'AWS::IAM::Policy')).flatMap((policy) =>
          (policy.Properties.PolicyDocument.Statement as Statement[]).filter((s) =>
            actionsOf(s).some((a) => a.startsWith('kms:')),
          ),
        );
        if (stack === 'api') apiKmsStatements.push(...kmsStatements);
        else if (kmsStatements.length > 0) users.push(`${stack}: ${text(kmsStatements)}`);
      }
      // The routes that open credentials (routes.ts opensCredentials): the admin reveal.
      const openers = API_ROUTES.filter((route) => route.opensCredentials).map(
        (r) => `${r.method} ${r.resource}`,
      );
      expect(openers).toContain('POST /admin/directory-accounts/reveal');
      expect(users.sort()).toEqual(openers.sort());
      expect(apiKmsStatements).toHaveLength(openers.length);
      for (const statement of apiKmsStatements) {
        expect(statement).toMatchObject({
          Effect: 'Allow',
          Action: 'kms:Decrypt',
          Condition: { StringEquals: { 'kms:EncryptionContext:purpose': PURPOSE } },
        });
      }
    });
  });

  describe('routes that open credentials', () => {
    /** A JobsApi of two real routes, one of them said to open credentials, in a stack of its own. */
    function scratchApi() {
      const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
      const stack = new Stack(app, 'Scratch');
      const queues = Object.fromEntries(
        PRIORITIES.map((priority) => [priority, new Queue(stack, `Tasks${priority}`)]),
      ) as Record<Priority, Queue>;
      const key = new Key(stack, 'CredentialsKey');
      const route = (name: string) => API_ROUTES.find((r) => r.name === name)!;
      const api = new JobsApi(stack, 'Api', {
        queues,
        supabase: new SupabaseSettings(stack, 'Supabase', {
          url: DEPLOY_CONTEXT.supabaseUrl,
          serviceKeySecretName: DEPLOY_CONTEXT.supabaseServiceKeySecretName,
        }),
        logLevel: 'INFO',
        stageName: 'v1',
        assetsBucket: Bucket.fromBucketName(stack, 'Assets', 'assets'),
        credentialsKey: key,
        routes: [{ ...route('get-customer'), opensCredentials: true }, route('health')],
      });
      return { api, key, template: Template.fromStack(stack) };
    }

    it('get CREDENTIALS_KEY_ID and kms:Decrypt on the key, with the purpose, and nothing else of KMS', () => {
      const { api, key, template } = scratchApi();
      const opener = functionWithPolicy(template, 'GET /customers/{id}');
      expect(opener.variables.CREDENTIALS_KEY_ID).toEqual({
        'Fn::GetAtt': [Stack.of(key).getLogicalId(key.node.defaultChild as CfnElement), 'Arn'],
      });
      expect(opener.statements.filter((s) => actionsOf(s).some((a) => a.startsWith('kms:')))).toEqual([
        {
          Effect: 'Allow',
          Action: 'kms:Decrypt',
          Resource: opener.variables.CREDENTIALS_KEY_ID,
          Condition: { StringEquals: { 'kms:EncryptionContext:purpose': PURPOSE } },
        },
      ]);
      const other = functionWithPolicy(template, 'GET /health');
      expect(other.variables.CREDENTIALS_KEY_ID).toBeUndefined();
      expect(text(other.statements)).not.toContain('kms:');

      // The KMS client ships beside the opener's bundle only.
      const kmsClient = LAMBDA_BUNDLING.optionalDeferredSdkClients.kms.file;
      const files = (key: string) => api.functions.get(key)!.deferredModules.map((m) => m.file);
      expect(files('GET /customers/{id}')).toContain(kmsClient);
      expect(files('GET /health')).not.toContain(kmsClient);
      expect(files('GET /health')).toEqual(LAMBDA_BUNDLING.deferredModules.map((m) => m.file));
    });
  });

  describe('the mail bucket', () => {
    it('is private, SSE-S3 encrypted, unversioned, logged, and expires mail after the configured days', () => {
      mail.hasResourceProperties('AWS::S3::Bucket', {
        BucketName: {
          'Fn::Join': [
            '',
            [`${ACCOUNTS.mail.namePrefix}-`, { Ref: 'AWS::AccountId' }, '-', { Ref: 'AWS::Region' }],
          ],
        },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
        VersioningConfiguration: Match.absent(),
        LoggingConfiguration: {
          DestinationBucketName: { Ref: Match.stringLikeRegexp('AccessLogs') },
          LogFilePrefix: 'mail/',
        },
        LifecycleConfiguration: {
          Rules: [
            {
              Id: 'expire-received-mail',
              ExpirationInDays: ACCOUNTS.mail.expireAfterDays,
              AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
              Status: 'Enabled',
            },
          ],
        },
      });
      expect(ACCOUNTS.mail.expireAfterDays).toBe(30);
    });

    it('refuses plain HTTP and lets only SES, for this account and this rule, put mail under the prefix', () => {
      const policies = Object.values(resources(mail, 'AWS::S3::BucketPolicy')).filter(
        (p) => p.Properties.Bucket.Ref === bucketId(),
      );
      expect(policies).toHaveLength(1);
      const statements = policies[0]!.Properties.PolicyDocument.Statement as (Statement & { Sid?: string })[];
      expect(statements).toContainEqual(
        expect.objectContaining({
          Effect: 'Deny',
          Action: 's3:*',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
      );
      const allows = statements.filter((s) => s.Effect === 'Allow');
      expect(allows).toEqual([
        {
          Sid: 'SesStoresReceivedMail',
          Effect: 'Allow',
          Principal: { Service: 'ses.amazonaws.com' },
          Action: 's3:PutObject',
          Resource: {
            'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId(), 'Arn'] }, `/${ACCOUNTS.mail.objectPrefix}*`]],
          },
          Condition: {
            StringEquals: {
              'aws:SourceAccount': { Ref: 'AWS::AccountId' },
              'aws:SourceArn': RECEIPT_RULE_ARN,
            },
          },
        },
      ]);
    });
  });

  describe('the receipt rule', () => {
    it('takes mail for the receiving domain over TLS, scanned, stores it, then invokes the Lambda', () => {
      mail.hasResourceProperties('AWS::SES::ReceiptRuleSet', { RuleSetName: InboundMail.RULE_SET_NAME });
      const rules = Object.values(resources(mail, 'AWS::SES::ReceiptRule'));
      expect(rules).toHaveLength(1);
      const { id: functionId } = functionWithPolicy(mail, /^Records the mail SES received/);
      expect(rules[0]!.Properties).toEqual({
        RuleSetName: { Ref: Object.keys(resources(mail, 'AWS::SES::ReceiptRuleSet'))[0] },
        Rule: {
          Name: InboundMail.RULE_NAME,
          Enabled: true,
          Recipients: [DEPLOY_CONTEXT.mailDomain],
          ScanEnabled: true,
          TlsPolicy: 'Require',
          Actions: [
            { S3Action: { BucketName: { Ref: bucketId() }, ObjectKeyPrefix: ACCOUNTS.mail.objectPrefix } },
            { LambdaAction: { FunctionArn: { 'Fn::GetAtt': [functionId, 'Arn'] }, InvocationType: 'Event' } },
          ],
        },
      });
    });

    it('is created after the bucket policy and the Lambda permission SES checks it against', () => {
      const [rule] = Object.values(resources(mail, 'AWS::SES::ReceiptRule'));
      const policyId = Object.entries(resources(mail, 'AWS::S3::BucketPolicy')).find(
        ([, p]) => p.Properties.Bucket.Ref === bucketId(),
      )![0];
      const [permissionId] = Object.keys(resources(mail, 'AWS::Lambda::Permission'));
      expect(rule!.DependsOn).toEqual(expect.arrayContaining([policyId, permissionId]));
    });

    it('outputs the rule set name to activate and the domain for the MX record', () => {
      expect(mail.findOutputs('ReceiptRuleSetName').ReceiptRuleSetName?.Value).toEqual({
        Ref: Object.keys(resources(mail, 'AWS::SES::ReceiptRuleSet'))[0],
      });
      expect(mail.findOutputs('MailDomain').MailDomain?.Value).toBe(DEPLOY_CONTEXT.mailDomain);
    });
  });

  describe('the inbound-mail Lambda', () => {
    it('gets the bucket, prefix, domain, task queues and Supabase settings', () => {
      const { fn, variables } = functionWithPolicy(mail, /^Records the mail SES received/);
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Timeout: ACCOUNTS.inboundMail.timeoutSeconds,
        MemorySize: ACCOUNTS.inboundMail.memoryMb,
      });
      expect(variables).toMatchObject({
        MAIL_BUCKET: { Ref: bucketId() },
        MAIL_OBJECT_PREFIX: ACCOUNTS.mail.objectPrefix,
        MAIL_DOMAIN: DEPLOY_CONTEXT.mailDomain,
        SUPABASE_URL: DEPLOY_CONTEXT.supabaseUrl,
        SUPABASE_SERVICE_KEY_SECRET_ARN: expect.anything(),
        ...Object.fromEntries(
          PRIORITIES.map((p) => [
            `TASK_QUEUE_URL_${p.toUpperCase()}`,
            { 'Fn::GetStackOutput': expect.anything() },
          ]),
        ),
      });
      expect(variables.CREDENTIALS_KEY_ID).toBeUndefined();
    });

    it('may read mail under the prefix, send task messages, and nothing of KMS', () => {
      const { statements } = functionWithPolicy(mail, /^Records the mail SES received/);
      const s3 = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('s3:')));
      expect(s3).toEqual([
        {
          Effect: 'Allow',
          Action: 's3:GetObject',
          Resource: {
            'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId(), 'Arn'] }, `/${ACCOUNTS.mail.objectPrefix}*`]],
          },
        },
      ]);
      const sends = statements.filter((s) => actionsOf(s).includes('sqs:SendMessage'));
      // The three task queues (from the queue stack) and its own failure queue (the destination).
      expect(text(sends)).toContain('DirectoryBolt-Queues');
      expect(sends.flatMap((s) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]))).toHaveLength(
        PRIORITIES.length + 1,
      );
      expect(text(statements)).not.toContain('kms:');
    });

    it('may be invoked by SES only for this account and this rule', () => {
      const { id } = functionWithPolicy(mail, /^Records the mail SES received/);
      const permissions = Object.values(resources(mail, 'AWS::Lambda::Permission'));
      expect(permissions.map((p) => p.Properties)).toEqual([
        {
          Action: 'lambda:InvokeFunction',
          FunctionName: { 'Fn::GetAtt': [id, 'Arn'] },
          Principal: 'ses.amazonaws.com',
          SourceAccount: { Ref: 'AWS::AccountId' },
          SourceArn: RECEIPT_RULE_ARN,
        },
      ]);
    });

    it('retries a failed mail event twice, then keeps it in its failure queue', () => {
      const { id } = functionWithPolicy(mail, /^Records the mail SES received/);
      const [undelivered] = Object.entries(resources(mail, 'AWS::SQS::Queue')).find(([queueId]) =>
        queueId.includes('Undelivered'),
      )!;
      mail.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: { Ref: id },
        MaximumRetryAttempts: ACCOUNTS.inboundMail.retryAttempts,
        DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [undelivered, 'Arn'] } } },
      });
      mail.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
      expect(Object.keys(mail.findOutputs('InboundMailUndeliveredQueueUrl'))).toHaveLength(1);
    });
  });

  describe('alarms and dashboard', () => {
    const alarm = (name: string) => {
      const found = Object.values(resources(testApp.template('operations'), 'AWS::CloudWatch::Alarm')).find(
        (a) => a.Properties.AlarmName === `${MONITORING.alarmNamePrefix}-${name}`,
      );
      if (!found) throw new Error(`no alarm ${name}`);
      return found.Properties;
    };
    const runbook = (anchor: string) =>
      new RegExp(
        ` Runbook: ${DEPLOY_CONTEXT.runbookBaseUrl}/${MONITORING.runbooks.emailVerification}\\.md#${anchor}$`,
      );

    it('fire on any verification that timed out in an hour', () => {
      expect(alarm('verification-timed-out')).toMatchObject({
        Namespace: METRICS_NAMESPACE,
        MetricName: METRIC_NAMES.verificationTimedOut,
        Dimensions: [{ Name: 'service', Value: SERVICE_NAME }],
        Statistic: 'Sum',
        Period: 3600,
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        EvaluationPeriods: 1,
        TreatMissingData: 'notBreaching',
        AlarmDescription: expect.stringMatching(runbook('verification-timed-out')),
      });
    });

    it('fire on a burst of unmatched mail, not on a stray one', () => {
      expect(alarm('unmatched-mail')).toMatchObject({
        MetricName: METRIC_NAMES.unmatchedMail,
        Statistic: 'Sum',
        Period: 3600,
        Threshold: 5,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
        AlarmDescription: expect.stringMatching(runbook('unmatched-mail')),
      });
    });

    it('fire when the inbound-mail Lambda fails, and when it gave up on mail', () => {
      expect(alarm('inbound-mail-errors')).toMatchObject({
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        Threshold: MONITORING.lambda.maxErrors,
        AlarmDescription: expect.stringMatching(runbook('inbound-mail-failing')),
      });
      expect(text(alarm('inbound-mail-errors').Dimensions)).toContain('DirectoryBolt-Mail');
      expect(alarm('inbound-mail-throttles').MetricName).toBe('Throttles');
      const undelivered = alarm('inbound-mail-undelivered');
      expect(undelivered).toMatchObject({
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        AlarmDescription: expect.stringMatching(runbook('inbound-mail-failing')),
      });
      expect(text(undelivered.Dimensions)).toContain('DirectoryBolt-Mail');
      for (const name of ['verification-timed-out', 'unmatched-mail', 'inbound-mail-undelivered']) {
        const { AlarmActions, OKActions } = alarm(name);
        expect(AlarmActions).toHaveLength(1);
        expect(OKActions).toEqual(AlarmActions);
      }
    });

    it('show a directory accounts row on the dashboard', () => {
      const ops = testApp.template('operations');
      const [dashboard] = Object.values(resources(ops, 'AWS::CloudWatch::Dashboard'));
      // The body is a Fn::Join of JSON text around tokens, each inside a JSON string: read it as JSON.
      const parts = dashboard!.Properties.DashboardBody['Fn::Join'][1] as unknown[];
      const body = JSON.parse(parts.map((part) => (typeof part === 'string' ? part : 'TOKEN')).join('')) as {
        widgets: {
          type: string;
          y: number;
          properties: { title?: string; markdown?: string; metrics?: Cfn[][] };
        }[];
      };
      const heading = body.widgets.find((w) => w.properties.markdown === '## Directory accounts');
      expect(heading).toBeDefined();
      const row = body.widgets.filter((w) => w.type === 'metric' && w.y === heading!.y + 1);
      // [namespace, metric name, 'service', SERVICE_NAME, { stat }] per line, by graph title.
      const graphs = Object.fromEntries(
        row.map((w) => [
          w.properties.title,
          w.properties.metrics!.map((m) => `${m[0]}/${m[1]} ${m[2]}=${m[3]} ${m[4].stat}`),
        ]),
      );
      const line = (name: string, stat = 'Sum') =>
        `${METRICS_NAMESPACE}/${name} service=${SERVICE_NAME} ${stat}`;
      expect(graphs).toEqual({
        // A gauge the sweeper reports each run: its maximum, not the sum of its reports.
        'Tasks awaiting verification (max)': [line(METRIC_NAMES.tasksAwaitingVerification, 'Maximum')],
        'Verification timed out': [line(METRIC_NAMES.verificationTimedOut)],
        'Inbound mail vs unmatched': [line(METRIC_NAMES.inboundMail), line(METRIC_NAMES.unmatchedMail)],
        'Verification links recorded': [line(METRIC_NAMES.verificationLinkRecorded)],
      });
    });
  });
});

describe('deferred SDK clients per function', () => {
  let testApp: TestApp;
  beforeAll(() => {
    testApp = buildTestApp({ bundle: ['DirectoryBolt-Mail'] });
  }, 180_000);
  afterAll(() => testApp.cleanup());

  it('ship the KMS client beside the functions that use KMS only; every other function keeps what it had', () => {
    const kmsClient = LAMBDA_BUNDLING.optionalDeferredSdkClients.kms.file;
    const everyFunction = LAMBDA_BUNDLING.deferredModules.map((m) => m.file);
    const withKms: string[] = [];
    for (const stack of Object.values(testApp.stacks) as DirectoryBoltStacks[keyof DirectoryBoltStacks][]) {
      for (const child of stack.node.findAll()) {
        const modules = (child as { deferredModules?: readonly { file: string }[] }).deferredModules;
        if (!modules) continue;
        const files = modules.map((m) => m.file);
        expect(files.filter((file) => file !== kmsClient)).toEqual(everyFunction);
        if (files.includes(kmsClient)) withKms.push(child.node.path);
      }
    }
    // The submitter seals and opens; the routes that open credentials (the admin reveal) open; the
    // routes that drive a browser (the dry run) reach the sign-up steps' code without calling KMS, and
    // keep the client beside their bundle rather than in it.
    expect(withKms.sort()).toEqual(
      [
        'DirectoryBolt-Submitter/Submitter/Function',
        ...API_ROUTES.filter((route) => route.opensCredentials || route.browser).map(
          (route) =>
            `DirectoryBolt-Api/JobsApi/${route.name.replace(/(^|-)(\w)/g, (_m, _d, c: string) => c.toUpperCase())}`,
        ),
      ].sort(),
    );
    expect(everyFunction).not.toContain(kmsClient);
  });

  it('bundle the inbound-mail Lambda with its deferred modules beside it and no KMS client', () => {
    const [, fn] = Object.entries(resources(testApp.template('mail'), 'AWS::Lambda::Function')).find(
      ([, f]) => String(f.Properties.Description).startsWith('Records the mail'),
    )!;
    const asset = path.join(
      testApp.outdir,
      `asset.${String(fn.Properties.Code.S3Key).replace(/\.zip$/, '')}`,
    );
    expect(existsSync(path.join(asset, 'index.js'))).toBe(true);
    for (const deferred of LAMBDA_BUNDLING.deferredModules) {
      expect({ file: deferred.file, exists: existsSync(path.join(asset, deferred.file)) }).toEqual({
        file: deferred.file,
        exists: true,
      });
    }
    expect(existsSync(path.join(asset, LAMBDA_BUNDLING.optionalDeferredSdkClients.kms.file))).toBe(false);
  });
});
