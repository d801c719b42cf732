import { Match } from 'aws-cdk-lib/assertions';
import { PRIORITIES, QUEUES } from '../../lambdas/platform/system-config';
import { buildTestApp, type TestApp } from './app-fixture';

describe('QueueStack', () => {
  let testApp: TestApp;
  beforeAll(() => {
    testApp = buildTestApp();
  });
  afterAll(() => testApp.cleanup());

  it('creates one queue per priority and one dead-letter queue', () => {
    testApp.template('queues').resourceCountIs('AWS::SQS::Queue', PRIORITIES.length + 1);
  });

  it.each(PRIORITIES)('configures the %s task queue from the system config', (priority) => {
    testApp.template('queues').hasResourceProperties('AWS::SQS::Queue', {
      QueueName: QUEUES.tasks[priority].name,
      VisibilityTimeout: QUEUES.visibilityTimeoutSeconds,
      MessageRetentionPeriod: QUEUES.retentionPeriodSeconds,
      ReceiveMessageWaitTimeSeconds: QUEUES.receiveWaitTimeSeconds,
      SqsManagedSseEnabled: true,
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('DeadLetter'), 'Arn'] },
        maxReceiveCount: QUEUES.maxReceiveCount,
      },
    });
  });

  it('keeps dead letters for 14 days, encrypted', () => {
    testApp.template('queues').hasResourceProperties('AWS::SQS::Queue', {
      QueueName: QUEUES.dlq.name,
      MessageRetentionPeriod: 14 * 24 * 3600,
      SqsManagedSseEnabled: true,
      RedrivePolicy: Match.absent(),
    });
  });

  it('gives the visibility timeout at least six times the submitter timeout (AWS guidance)', () => {
    const queues = testApp.template('queues').findResources('AWS::SQS::Queue', {
      Properties: { RedrivePolicy: Match.anyValue() },
    });
    for (const queue of Object.values(queues)) {
      expect(queue.Properties.VisibilityTimeout).toBe(QUEUES.visibilityTimeoutSeconds);
    }
    expect(QUEUES.maxReceiveCount).toBeGreaterThanOrEqual(5);
  });

  it('denies every request not made over TLS, on all four queues', () => {
    const template = testApp.template('queues');
    template.resourceCountIs('AWS::SQS::QueuePolicy', PRIORITIES.length + 1);
    template.allResourcesProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sqs:*',
            Principal: { AWS: '*' },
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });
});
