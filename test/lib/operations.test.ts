import { Validations } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import {
  METRIC_NAMES,
  METRICS_NAMESPACE,
  MONITORING,
  OPERATIONS,
  OPERATIONS_LAMBDAS,
  PRIORITIES,
  QUEUES,
  SERVICE_NAME,
} from '../../lambdas/platform/system-config';
import { buildTestApp, DEPLOY_CONTEXT, type TestApp } from './app-fixture';

/** Synthesized CloudFormation, walked freely by the assertions (the shape is what they check). */
type Cfn = ReturnType<typeof JSON.parse>;
type Resource = { Properties: Record<string, Cfn>; DeletionPolicy?: string };

/** Resources of one type, by logical id. */
const resources = (template: Template, type: string): Record<string, Resource> =>
  template.findResources(type) as Record<string, Resource>;

/** The template's value as text, tokens included: enough to look for names inside Fn::Join bodies. */
const text = (value: unknown): string => JSON.stringify(value);

describe('OperationsStack', () => {
  let testApp: TestApp;
  let ops: Template;
  beforeAll(() => {
    testApp = buildTestApp();
    ops = testApp.template('operations');
  });
  afterAll(() => testApp.cleanup());

  /** The logical id of the operations function whose handler is lambdas/handlers/operations/<entry>.ts, by its description. */
  const opsFunction = (descriptionStart: string): [string, Resource] => {
    const found = Object.entries(resources(ops, 'AWS::Lambda::Function')).find(([, fn]) =>
      String(fn.Properties.Description).startsWith(descriptionStart),
    );
    if (!found) throw new Error(`no function described '${descriptionStart}…'`);
    return found;
  };
  const alarms = () =>
    new Map(
      Object.values(resources(ops, 'AWS::CloudWatch::Alarm')).map((a) => [
        String(a.Properties.AlarmName),
        a.Properties,
      ]),
    );
  const alarm = (name: string) => {
    const found = alarms().get(`${MONITORING.alarmNamePrefix}-${name}`);
    if (!found) throw new Error(`no alarm ${name}`);
    return found;
  };
  const topicRef = () => ({ Ref: Object.keys(resources(ops, 'AWS::SNS::Topic'))[0] });

  describe('schedules', () => {
    it.each([
      ['Requeues tasks', 'rate(2 minutes)', OPERATIONS.sweeper.intervalSeconds, 0],
      ['Marks dead-lettered', 'rate(5 minutes)', OPERATIONS.dlqMonitor.intervalSeconds, 0],
      ['Archives old queue_history', 'rate(1 day)', OPERATIONS.retention.intervalSeconds, 2],
    ])(
      'runs "%s…" at %s (every %d s) and retries a failed run %d times',
      (description, rate, interval, retries) => {
        const [fnId] = opsFunction(description);
        expect(Number(rate.match(/\d+/)?.[0]) * (rate.includes('day') ? 86400 : 60)).toBe(interval);
        ops.hasResourceProperties('AWS::Events::Rule', {
          ScheduleExpression: rate,
          State: 'ENABLED',
          Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [fnId, 'Arn'] } })],
        });
        ops.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
          FunctionName: { Ref: fnId },
          MaximumRetryAttempts: retries,
        });
      },
    );

    it('has exactly the three schedules, and invokes the redrive only on request', () => {
      ops.resourceCountIs('AWS::Events::Rule', 3);
      const [redriveId] = opsFunction('Resends dead-lettered tasks');
      expect(text(resources(ops, 'AWS::Events::Rule'))).not.toContain(redriveId);
    });

    it('keeps each scheduled job\u2019s timeout below its interval, so runs do not overlap', () => {
      expect(OPERATIONS_LAMBDAS.staleTaskSweeper.timeoutSeconds).toBeLessThan(
        OPERATIONS.sweeper.intervalSeconds,
      );
      expect(OPERATIONS_LAMBDAS.dlqMonitor.timeoutSeconds).toBeLessThan(
        OPERATIONS.dlqMonitor.intervalSeconds,
      );
      const [, sweeper] = opsFunction('Requeues tasks');
      expect(sweeper.Properties.Timeout).toBe(OPERATIONS_LAMBDAS.staleTaskSweeper.timeoutSeconds);
    });
  });

  describe('operations functions', () => {
    const env = (fn: Resource) => fn.Properties.Environment.Variables as Record<string, unknown>;
    const queueUrls = Object.fromEntries(
      PRIORITIES.map((p) => [`TASK_QUEUE_URL_${p.toUpperCase()}`, Match.anyValue()]),
    );

    it('give every function Supabase, Powertools and Node 24 settings', () => {
      const functions = Object.values(resources(ops, 'AWS::Lambda::Function'));
      expect(functions).toHaveLength(5);
      for (const fn of functions) {
        expect(fn.Properties.Runtime).toBe('nodejs24.x');
        expect(env(fn)).toMatchObject({
          POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
          POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        });
      }
      for (const description of [
        'Requeues tasks',
        'Marks dead-lettered',
        'Resends dead-lettered',
        'Archives old',
      ]) {
        const variables = env(opsFunction(description)[1]);
        expect(variables.SUPABASE_URL).toBe(DEPLOY_CONTEXT.supabaseUrl);
        expect(text(variables.SUPABASE_SERVICE_KEY_SECRET_ARN)).toContain(
          ':secret:directorybolt/supabase-service-key',
        );
      }
    });

    it('give each job only the queues, bucket and secrets it needs', () => {
      const sweeper = env(opsFunction('Requeues tasks')[1]);
      expect(sweeper).toMatchObject({});
      expect(Object.keys(sweeper)).toEqual(expect.arrayContaining(Object.keys(queueUrls)));
      expect(sweeper.DLQ_URL).toBeUndefined();
      expect(sweeper.SLACK_WEBHOOK_SECRET_ARN).toBeUndefined();

      const monitor = env(opsFunction('Marks dead-lettered')[1]);
      expect(Object.keys(monitor)).toEqual(
        expect.arrayContaining(['DLQ_URL', 'SLACK_WEBHOOK_SECRET_ARN', 'DASHBOARD_URL', 'RUNBOOK_BASE_URL']),
      );
      expect(monitor.TASK_QUEUE_URL_P1).toBeUndefined();

      // The redrive resends recorded tasks as fresh messages: it never touches the DLQ itself.
      const redrive = env(opsFunction('Resends dead-lettered tasks')[1]);
      expect(Object.keys(redrive)).toEqual(expect.arrayContaining(Object.keys(queueUrls)));
      expect(redrive.DLQ_URL).toBeUndefined();

      const retention = env(opsFunction('Archives old queue_history')[1]);
      expect(retention.ARCHIVE_BUCKET).toEqual({ Ref: expect.stringMatching(/^HistoryArchive/) });
      expect(retention.DLQ_URL).toBeUndefined();
      expect(retention.TASK_QUEUE_URL_P1).toBeUndefined();
    });

    it('let the sweeper count each task queue (a task whose message is queued is waiting, not lost)', () => {
      const [, sweeper] = opsFunction('Requeues tasks');
      const role = (sweeper.Properties.Role as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0]!;
      const statements = Object.values(resources(ops, 'AWS::IAM::Policy'))
        .filter((p) => text(p.Properties.Roles).includes(role))
        .flatMap((p) => p.Properties.PolicyDocument.Statement as { Action: unknown; Resource: unknown }[]);
      // grantSendMessages includes sqs:GetQueueAttributes, on every task queue.
      const counting = statements.filter((s) => text(s.Action).includes('sqs:GetQueueAttributes'));
      expect(counting).toHaveLength(1);
      for (const priority of PRIORITIES) {
        expect(text(counting[0]!.Resource)).toContain(`TaskQueuesTasks${priority.toUpperCase()}`);
      }
    });

    it('let only the retention job write archives, and only with PutObject', () => {
      const writers = Object.entries(resources(ops, 'AWS::IAM::Policy')).filter(([, p]) =>
        text(p.Properties.PolicyDocument).includes('s3:'),
      );
      expect(writers).toHaveLength(1);
      const [[, policy]] = writers as [[string, Resource]];
      const s3Statements = (policy.Properties.PolicyDocument.Statement as { Action: unknown }[]).filter((s) =>
        text(s.Action).includes('s3:'),
      );
      expect(s3Statements.map((s) => s.Action)).toEqual(['s3:PutObject']);
      const [retentionId] = opsFunction('Archives old queue_history');
      expect(text(policy.Properties.Roles)).toContain(
        text(resources(ops, 'AWS::Lambda::Function')[retentionId]!.Properties.Role['Fn::GetAtt'][0]).slice(
          1,
          -1,
        ),
      );
    });
  });

  describe('alarm topic and Slack notifier', () => {
    it('encrypts the topic with a rotated customer key that CloudWatch may use, and refuses plain HTTP', () => {
      const [keyId] = Object.keys(resources(ops, 'AWS::KMS::Key'));
      ops.hasResourceProperties('AWS::KMS::Key', {
        EnableKeyRotation: true,
        KeyPolicy: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Principal: { Service: 'cloudwatch.amazonaws.com' },
              Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            }),
          ]),
        },
      });
      ops.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
      ops.hasResourceProperties('AWS::SNS::TopicPolicy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
            Match.objectLike({
              Effect: 'Allow',
              Principal: { Service: 'cloudwatch.amazonaws.com' },
              Action: 'sns:Publish',
            }),
          ]),
        },
      });
    });

    it('subscribes the notifier, and sends its failures either way to one alarmed queue', () => {
      const [notifierId, notifier] = opsFunction('Posts CloudWatch alarm state changes');
      const [queueId] = Object.keys(resources(ops, 'AWS::SQS::Queue'));
      const queueArn = { 'Fn::GetAtt': [queueId, 'Arn'] };
      ops.resourceCountIs('AWS::SNS::Subscription', 1);
      ops.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'lambda',
        TopicArn: topicRef(),
        Endpoint: { 'Fn::GetAtt': [notifierId, 'Arn'] },
        RedrivePolicy: { deadLetterTargetArn: queueArn },
      });
      ops.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: { Ref: notifierId },
        MaximumRetryAttempts: 2,
        DestinationConfig: { OnFailure: { Destination: queueArn } },
      });
      ops.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
      expect(text(alarm('slack-notifier-undelivered').Dimensions)).toContain(queueId);
      expect(text(alarm('slack-notifier-errors').Dimensions)).toContain(notifierId);
      expect(notifier.Properties.Environment.Variables).toMatchObject({
        DASHBOARD_URL: {
          'Fn::Join': ['', expect.arrayContaining([`#dashboards/dashboard/${MONITORING.dashboardName}`])],
        },
        RUNBOOK_BASE_URL: DEPLOY_CONTEXT.runbookBaseUrl,
      });
    });

    it('references the webhook secret by name and never creates it or puts a URL in the template', () => {
      ops.resourceCountIs('AWS::SecretsManager::Secret', 0);
      const [, notifier] = opsFunction('Posts CloudWatch alarm state changes');
      const variables = notifier.Properties.Environment.Variables as Record<string, unknown>;
      expect(variables.SLACK_WEBHOOK_URL).toBeUndefined();
      expect(text(variables.SLACK_WEBHOOK_SECRET_ARN)).toContain(
        `:secret:${DEPLOY_CONTEXT.slackWebhookSecretName}`,
      );
      expect(text(ops.toJSON())).not.toMatch(/hooks\.slack\.com/);
      ops.hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'],
              Resource: Match.objectLike({
                'Fn::Join': Match.arrayWith([
                  Match.arrayWith([`:secret:${DEPLOY_CONTEXT.slackWebhookSecretName}-??????`]),
                ]),
              }),
            }),
          ]),
        },
      });
    });
  });

  describe('history archive', () => {
    it('keeps archives private, encrypted, logged and retained, and expires them after a year', () => {
      const archives = Object.values(resources(ops, 'AWS::S3::Bucket')).filter((b) =>
        text(b.Properties.LifecycleConfiguration).includes('expire-history-archives'),
      );
      expect(archives).toHaveLength(1);
      const [archive] = archives as [Resource];
      expect(archive.DeletionPolicy).toBe('Retain');
      expect(archive.Properties).toMatchObject({
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, RestrictPublicBuckets: true },
        LoggingConfiguration: { DestinationBucketName: { Ref: expect.stringMatching(/AccessLogs/) } },
      });
      expect(archive.Properties.LifecycleConfiguration.Rules).toContainEqual(
        expect.objectContaining({
          ExpirationInDays: OPERATIONS.retention.archiveExpireAfterDays,
          Status: 'Enabled',
        }),
      );
      expect(OPERATIONS.retention.archiveExpireAfterDays).toBe(365);
    });

    it('leaves screenshots to their own lifecycle rule in the storage stack', () => {
      testApp.template('storage').hasResourceProperties('AWS::S3::Bucket', {
        LifecycleConfiguration: {
          Rules: Match.arrayWith([Match.objectLike({ Id: 'expire-screenshots', Status: 'Enabled' })]),
        },
      });
    });
  });

  describe('alarms', () => {
    const sqsAlarm = (metricName: string, threshold: number, periods = 1) => ({
      Namespace: 'AWS/SQS',
      MetricName: metricName,
      Statistic: 'Maximum',
      Threshold: threshold,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: periods,
      TreatMissingData: 'notBreaching',
    });

    it('notify the topic on ALARM and on OK, and link a runbook section from every description', () => {
      const all = [...alarms().values()];
      expect(all.length).toBeGreaterThan(20);
      for (const properties of all) {
        expect(properties.AlarmActions).toEqual([topicRef()]);
        expect(properties.OKActions).toEqual([topicRef()]);
        expect(properties.AlarmDescription).toMatch(
          new RegExp(
            `What to do: .+ Runbook: ${DEPLOY_CONTEXT.runbookBaseUrl}/(${Object.values(MONITORING.runbooks).join('|')})\\.md#[a-z0-9-]+$`,
          ),
        );
      }
    });

    it('fire on any dead letter and on an old one', () => {
      expect(alarm('dlq-not-empty')).toMatchObject(sqsAlarm('ApproximateNumberOfMessagesVisible', 0));
      expect(alarm('dlq-oldest-message-age')).toMatchObject(
        sqsAlarm('ApproximateAgeOfOldestMessage', MONITORING.dlq.maxOldestMessageAgeSeconds),
      );
      expect(text(alarm('dlq-not-empty').Dimensions)).toContain('TaskQueuesDeadLetter');
    });

    it.each(PRIORITIES)('watch the %s queue: depth, oldest message, time to drain', (priority) => {
      const limits = MONITORING.queues[priority];
      const queueOutput = `TaskQueuesTasks${priority.toUpperCase()}`;
      const depth = alarm(`${priority}-queue-depth`);
      expect(depth).toMatchObject(
        sqsAlarm('ApproximateNumberOfMessagesVisible', limits.maxMessages, MONITORING.sustainedPeriods),
      );
      expect(text(depth.Dimensions)).toContain(queueOutput);
      expect(alarm(`${priority}-oldest-message-age`)).toMatchObject(
        sqsAlarm('ApproximateAgeOfOldestMessage', limits.maxOldestMessageAgeSeconds),
      );

      const drain = alarm(`${priority}-time-to-drain`);
      expect(drain).toMatchObject({
        Threshold: limits.maxTimeToDrainSeconds,
        ComparisonOperator: 'GreaterThanThreshold',
        EvaluationPeriods: MONITORING.sustainedPeriods,
      });
      const metrics = drain.Metrics as { Id: string; Expression?: string; MetricStat?: Cfn }[];
      expect(metrics.find((m) => m.Expression)?.Expression).toBe(
        `IF(deleted_${priority} > 0, depth_${priority} * PERIOD(deleted_${priority}) / deleted_${priority}, IF(depth_${priority} > 0, ${QUEUES.retentionPeriodSeconds}, 0))`,
      );
      const byId = new Map(metrics.map((m) => [m.Id, m.MetricStat]));
      expect(byId.get(`depth_${priority}`).Metric.MetricName).toBe('ApproximateNumberOfMessagesVisible');
      expect(byId.get(`deleted_${priority}`)).toMatchObject({
        Metric: { MetricName: 'NumberOfMessagesDeleted' },
        Stat: 'Sum',
      });
      expect(text(byId.get(`depth_${priority}`).Metric.Dimensions)).toContain(queueOutput);
    });

    it('fire when more than 10% of submission attempts fail, from the submitter\u2019s EMF metrics', () => {
      const rate = alarm('submitter-error-rate');
      expect(MONITORING.submitter.maxErrorRatePercent).toBe(10);
      expect(rate).toMatchObject({ Threshold: 10, ComparisonOperator: 'GreaterThanThreshold' });
      const metrics = rate.Metrics as { Expression?: string; MetricStat?: Cfn }[];
      expect(metrics.find((m) => m.Expression)?.Expression).toMatch(
        new RegExp(`^IF\\(.+ >= ${MONITORING.submitter.minAttemptsForErrorRate}, 100 \\* \\(`),
      );
      const emf = metrics.filter((m) => m.MetricStat).map((m) => m.MetricStat.Metric);
      expect(emf.map((m) => m.MetricName).sort()).toEqual(
        [
          METRIC_NAMES.taskError,
          METRIC_NAMES.taskRetryScheduled,
          METRIC_NAMES.taskFailed,
          METRIC_NAMES.taskSubmitted,
          METRIC_NAMES.taskNeedsManual,
        ].sort(),
      );
      for (const metric of emf) {
        expect(metric).toMatchObject({
          Namespace: METRICS_NAMESPACE,
          Dimensions: [{ Name: 'service', Value: SERVICE_NAME }],
        });
      }
    });

    it('watch errors and throttles of every Lambda of the app', () => {
      const stacks = ['mail', 'submitter', 'api', 'operations'] as const;
      const functionCount = stacks.reduce(
        (sum, stack) => sum + Object.keys(resources(testApp.template(stack), 'AWS::Lambda::Function')).length,
        0,
      );
      const lambdaAlarms = [...alarms().values()].filter((a) => a.Namespace === 'AWS/Lambda');
      expect(lambdaAlarms.filter((a) => a.MetricName === 'Errors')).toHaveLength(functionCount);
      expect(lambdaAlarms.filter((a) => a.MetricName === 'Throttles')).toHaveLength(functionCount);
      for (const a of lambdaAlarms) {
        expect(a).toMatchObject({
          Statistic: 'Sum',
          Threshold: a.MetricName === 'Errors' ? MONITORING.lambda.maxErrors : MONITORING.lambda.maxThrottles,
          ComparisonOperator: 'GreaterThanThreshold',
        });
      }
      expect(text(alarm('submitter-errors').Dimensions)).toContain('SubmitterFunction');
      expect(alarm('api-create-job-throttles').MetricName).toBe('Throttles');
    });

    it('watch the API stage for 5xx and p99 latency', () => {
      // The stage name is the API stack's output; the API name is fixed.
      const stage = [
        { Name: 'ApiName', Value: 'directorybolt-api' },
        {
          Name: 'Stage',
          Value: { 'Fn::GetStackOutput': expect.objectContaining({ StackName: 'DirectoryBolt-Api' }) },
        },
      ];
      expect(alarm('api-5xx')).toMatchObject({
        Namespace: 'AWS/ApiGateway',
        MetricName: '5XXError',
        Dimensions: stage,
        Statistic: 'Sum',
        Threshold: MONITORING.api.max5xxPerPeriod,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      });
      expect(alarm('api-latency-p99')).toMatchObject({
        Namespace: 'AWS/ApiGateway',
        MetricName: 'Latency',
        Dimensions: stage,
        ExtendedStatistic: 'p99',
        Threshold: MONITORING.api.maxLatencyP99Ms,
        EvaluationPeriods: MONITORING.sustainedPeriods,
      });
    });

    it('fire when the sweeper recovered stale tasks', () => {
      expect(alarm('stale-tasks-recovered')).toMatchObject({
        Namespace: METRICS_NAMESPACE,
        MetricName: METRIC_NAMES.staleTasksRequeued,
        Dimensions: [{ Name: 'service', Value: SERVICE_NAME }],
        Statistic: 'Sum',
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'notBreaching',
      });
    });

    it.each([
      ['stale-task-sweeper-not-running', METRIC_NAMES.sweeperRun, OPERATIONS.sweeper.intervalSeconds],
      ['dlq-monitor-not-running', METRIC_NAMES.dlqMonitorRun, OPERATIONS.dlqMonitor.intervalSeconds],
    ])('fire %s when its run metric is missing for its missed runs', (name, metricName, interval) => {
      expect(alarm(name)).toMatchObject({
        Namespace: METRICS_NAMESPACE,
        MetricName: metricName,
        Dimensions: [{ Name: 'service', Value: SERVICE_NAME }],
        Statistic: 'Sum',
        Period: interval * MONITORING.missedRunsBeforeAlarm,
        Threshold: 1,
        ComparisonOperator: 'LessThanThreshold',
        TreatMissingData: 'breaching',
      });
    });
  });

  describe('dashboard', () => {
    it('is one dashboard with queues, DLQ, outcomes, durations, recoveries, API and concurrency', () => {
      ops.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
      const [dashboard] = Object.values(resources(ops, 'AWS::CloudWatch::Dashboard')) as [Resource];
      expect(dashboard.Properties.DashboardName).toBe(MONITORING.dashboardName);
      const body = text(dashboard.Properties.DashboardBody);
      for (const title of [
        'Alarms',
        'Queue depth per priority',
        'Oldest message age per priority (s)',
        'Time to drain per priority (s)',
        'DLQ',
        'Submissions by outcome',
        'Submitter error rate (%)',
        'Submission (batch) duration (ms)',
        'Stale-task recoveries',
        'Self-healing runs and DLQ alerts',
        'API requests and errors',
        'API latency (ms)',
        'Lambda concurrency (max)',
      ]) {
        expect(body).toContain(`\\"title\\":\\"${title}\\"`);
      }
      for (const metricName of [
        'ApproximateNumberOfMessagesVisible',
        'ApproximateAgeOfOldestMessage',
        '5XXError',
        '4XXError',
        'Count',
        'Latency',
        'ConcurrentExecutions',
        'Duration',
        METRIC_NAMES.taskSubmitted,
        METRIC_NAMES.taskNeedsManual,
        METRIC_NAMES.taskFailed,
        METRIC_NAMES.taskError,
        METRIC_NAMES.taskRetryScheduled,
        METRIC_NAMES.staleTasksRequeued,
        METRIC_NAMES.staleTasksFailed,
        METRIC_NAMES.staleTasksSendFailed,
        METRIC_NAMES.sweeperRun,
        METRIC_NAMES.dlqMonitorRun,
        METRIC_NAMES.retentionRun,
        METRIC_NAMES.dlqMessagesRecorded,
        METRIC_NAMES.dlqAlertsFailed,
        METRIC_NAMES.slackNotifyFailed,
      ]) {
        expect(body).toContain(`\\"${metricName}\\"`);
      }
      expect(body).toContain('\\"stat\\":\\"p99\\"');
      expect(body).toContain('\\"stat\\":\\"p50\\"');
      // Every alarm is on the status widget.
      for (const id of Object.keys(resources(ops, 'AWS::CloudWatch::Alarm'))) {
        expect(body).toContain(`"Fn::GetAtt":["${id}","Arn"]`);
      }
    });
  });
});

describe('GET /health/details in the API stack', () => {
  let testApp: TestApp;
  beforeAll(() => {
    testApp = buildTestApp();
  });
  afterAll(() => testApp.cleanup());

  it('gets the queues, the DLQ and the alarm prefix, with read-only access to them and CloudWatch', () => {
    const api = testApp.template('api');
    const [id, fn] =
      Object.entries(resources(api, 'AWS::Lambda::Function')).find(
        ([, f]) => f.Properties.Description === 'GET /health/details',
      ) ?? [];
    if (!id || !fn) throw new Error('no GET /health/details function');
    expect(fn.Properties.Environment.Variables).toMatchObject({
      TASK_QUEUE_URL_P1: expect.anything(),
      TASK_QUEUE_URL_P2: expect.anything(),
      TASK_QUEUE_URL_P3: expect.anything(),
      DLQ_URL: expect.anything(),
      ALARM_NAME_PREFIX: `${MONITORING.alarmNamePrefix}-`,
    });
    const role = fn.Properties.Role['Fn::GetAtt'][0] as string;
    const policy = Object.values(resources(api, 'AWS::IAM::Policy')).find((p) =>
      text(p.Properties.Roles).includes(role),
    );
    const statements = policy?.Properties.PolicyDocument.Statement as {
      Action: unknown;
      Resource: unknown;
    }[];
    expect(statements).toContainEqual(
      expect.objectContaining({
        Action: expect.arrayContaining(['cloudwatch:DescribeAlarms', 'cloudwatch:GetMetricData']),
        Resource: '*',
      }),
    );
    // Nothing that writes to CloudWatch.
    expect(text(statements)).not.toMatch(/cloudwatch:(Put|Set|Delete)/);
    const sqsActions = statements.filter((s) => text(s.Action).includes('sqs:')).map((s) => s.Action);
    expect(sqsActions.length).toBeGreaterThan(0);
    for (const action of sqsActions) expect(action).toBe('sqs:GetQueueAttributes');

    const health = Object.values(resources(api, 'AWS::Lambda::Function')).find(
      (f) => f.Properties.Description === 'GET /health',
    );
    expect(health?.Properties.Environment.Variables.DLQ_URL).toBeUndefined();
    // GET /health checks that each task queue answers: it gets their URLs (it refuses to load without them).
    for (const priority of ['P1', 'P2', 'P3']) {
      expect(health?.Properties.Environment.Variables[`TASK_QUEUE_URL_${priority}`]).toBeDefined();
    }
  });
});

describe('OperationsStack with deployment context', () => {
  it('uses the given webhook secret ARN, runbook URL and alarm email, and stays cdk-nag clean', () => {
    const secretArn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/slack-webhook-AbCdEf';
    const testApp = buildTestApp({
      context: {
        slackWebhookSecretArn: secretArn,
        runbookBaseUrl: 'https://git.example.com/backend/blob/main/docs/runbooks/',
        alarmEmail: 'oncall@example.com',
      },
    });
    try {
      // The plugin before the first synthesis: a synthesized app does not validate again.
      Validations.of(testApp.app).addPlugins(new AwsSolutionsChecks(testApp.app));
      expect(() => testApp.app.synth()).not.toThrow();
      const ops = testApp.template('operations');
      ops.hasResourceProperties('AWS::Lambda::Function', {
        Description: Match.stringLikeRegexp('^Posts CloudWatch alarm'),
        Environment: {
          Variables: Match.objectLike({
            SLACK_WEBHOOK_SECRET_ARN: secretArn,
            RUNBOOK_BASE_URL: 'https://git.example.com/backend/blob/main/docs/runbooks',
          }),
        },
      });
      ops.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'email',
        Endpoint: 'oncall@example.com',
      });
      ops.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmDescription: Match.stringLikeRegexp(
          'Runbook: https://git.example.com/backend/blob/main/docs/runbooks/dlq-messages.md#dlq-not-empty$',
        ),
      });
    } finally {
      testApp.cleanup();
    }
  });

  it.each([
    [{ runbookBaseUrl: 'ftp://example.com' }, /runbookBaseUrl must be an https URL/],
    [{ alarmEmail: 'not-an-address' }, /alarmEmail must be an email address/],
  ])('refuses bad context %j', (context, message) => {
    expect(() => buildTestApp({ context })).toThrow(message);
  });
});
