/**
 * The scheduled jobs' delivery and their own alarms: every EventBridge target has a retry policy and a
 * dead-letter queue; retention not running, DLQ alerts failing and undelivered runs are alarmed.
 */
import type { Template } from 'aws-cdk-lib/assertions';
import {
  METRIC_NAMES,
  METRICS_NAMESPACE,
  MONITORING,
  OPERATIONS,
  QUEUES,
  SERVICE_NAME,
} from '../../lambdas/platform/system-config';
import { RUNBOOK_SECTIONS, runbookLink } from '../../lib/constructs/operations/runbooks';
import { buildTestApp, DEPLOY_CONTEXT, type TestApp } from './app-fixture';

type Resource = { Properties: Record<string, ReturnType<typeof JSON.parse>> };

let testApp: TestApp;
let ops: Template;
beforeAll(() => {
  testApp = buildTestApp();
  ops = testApp.template('operations');
});
afterAll(() => testApp.cleanup());

const logicalId = (construct: { node: { defaultChild?: unknown } }) =>
  testApp.stacks.operations.getLogicalId(construct.node.defaultChild as never);
const dlqId = () => logicalId(testApp.stacks.operations.jobs.undeliveredRuns);
const alarm = (name: string): Resource['Properties'] => {
  const found = Object.values(ops.findResources('AWS::CloudWatch::Alarm') as Record<string, Resource>).find(
    (a) => a.Properties.AlarmName === `${MONITORING.alarmNamePrefix}-${name}`,
  );
  if (!found) throw new Error(`no alarm ${name}`);
  return found.Properties;
};
const topicRef = () => ({ Ref: Object.keys(ops.findResources('AWS::SNS::Topic'))[0] });

describe('scheduled targets', () => {
  it.each([
    ['staleTaskSweeper', OPERATIONS.sweeper.intervalSeconds],
    ['dlqMonitor', OPERATIONS.dlqMonitor.intervalSeconds],
    ['retention', 24 * 3600],
  ] as const)(
    '%s: retries twice, drops runs older than its interval, dead-letters the rest',
    (job, maxAge) => {
      const fnId = logicalId(testApp.stacks.operations.jobs[job]);
      const ruleId = logicalId(testApp.stacks.operations.jobs.schedules[job].rule);
      const rule = ops.findResources('AWS::Events::Rule')[ruleId] as Resource;
      expect(rule.Properties.Targets).toEqual([
        expect.objectContaining({
          Arn: { 'Fn::GetAtt': [fnId, 'Arn'] },
          RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: maxAge },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [dlqId(), 'Arn'] } },
        }),
      ]);
    },
  );

  it('lets only the three rules write to the dead-letter queue, which is encrypted and TLS only', () => {
    ops.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: QUEUES.dlqRetentionPeriodSeconds,
    });
    const policies = Object.values(
      ops.findResources('AWS::SQS::QueuePolicy') as Record<string, Resource>,
    ).filter((p) => JSON.stringify(p.Properties.Queues).includes(dlqId()));
    const statements = policies.flatMap(
      (p) => p.Properties.PolicyDocument.Statement as Record<string, unknown>[],
    );
    const fromEvents = statements.filter(
      (s) => JSON.stringify(s.Principal) === JSON.stringify({ Service: 'events.amazonaws.com' }),
    );
    expect(fromEvents).toHaveLength(3);
    for (const statement of fromEvents) {
      expect(statement).toMatchObject({
        Effect: 'Allow',
        Action: 'sqs:SendMessage',
        Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [expect.any(String), 'Arn'] } } },
      });
    }
    expect(statements).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
  });
});

describe('scheduled job alarms', () => {
  const emf = (metricName: string, period: number) => ({
    Namespace: METRICS_NAMESPACE,
    MetricName: metricName,
    Dimensions: [{ Name: 'service', Value: SERVICE_NAME }],
    Statistic: 'Sum',
    Period: period,
  });

  it('retention-not-running: no RetentionRun for MONITORING.retentionNotRunningDays days, missing data breaching', () => {
    expect(alarm('retention-not-running')).toMatchObject({
      ...emf(METRIC_NAMES.retentionRun, 86400),
      ComparisonOperator: 'LessThanThreshold',
      Threshold: 1,
      EvaluationPeriods: MONITORING.retentionNotRunningDays,
      DatapointsToAlarm: MONITORING.retentionNotRunningDays,
      TreatMissingData: 'breaching',
    });
    // CloudWatch's limit for periods of an hour or more: seven days of evaluation.
    expect(86400 * MONITORING.retentionNotRunningDays).toBeLessThanOrEqual(7 * 86400);
  });

  it('dlq-alerts-failing: failed alerts in every retry window, twice running', () => {
    expect(alarm('dlq-alerts-failing')).toMatchObject({
      ...emf(METRIC_NAMES.dlqAlertsFailed, OPERATIONS.dlqMonitor.alertRetry.capSeconds),
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: MONITORING.dlqAlertsFailing.maxFailedPerWindow,
      EvaluationPeriods: MONITORING.dlqAlertsFailing.windows,
      DatapointsToAlarm: MONITORING.dlqAlertsFailing.windows,
      TreatMissingData: 'notBreaching',
    });
  });

  it('scheduled-runs-undelivered: any message in the schedules\u2019 dead-letter queue', () => {
    expect(alarm('scheduled-runs-undelivered')).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlqId(), 'QueueName'] } }],
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: MONITORING.scheduledRunsUndelivered.maxMessages,
      TreatMissingData: 'notBreaching',
    });
  });

  it.each([
    ['retention-not-running', RUNBOOK_SECTIONS.retentionNotRunning],
    ['dlq-alerts-failing', RUNBOOK_SECTIONS.dlqAlertsFailing],
    ['scheduled-runs-undelivered', RUNBOOK_SECTIONS.scheduledRunsUndelivered],
  ])('%s notifies on ALARM and OK, says what to do and links its runbook section', (name, section) => {
    const properties = alarm(name);
    expect(properties.AlarmActions).toEqual([topicRef()]);
    expect(properties.OKActions).toEqual([topicRef()]);
    expect(properties.AlarmDescription).toMatch(/ What to do: .+ Runbook: \S+$/);
    expect(properties.AlarmDescription).toContain(
      `Runbook: ${runbookLink(DEPLOY_CONTEXT.runbookBaseUrl, section)}`,
    );
  });

  it('shows the alarms on the dashboard', () => {
    const body = JSON.stringify(ops.findResources('AWS::CloudWatch::Dashboard'));
    for (const name of ['retention-not-running', 'dlq-alerts-failing', 'scheduled-runs-undelivered']) {
      const [id] = Object.entries(ops.findResources('AWS::CloudWatch::Alarm')).find(
        ([, a]) => (a as Resource).Properties.AlarmName === `${MONITORING.alarmNamePrefix}-${name}`,
      )!;
      expect(body).toContain(id);
    }
  });
});
