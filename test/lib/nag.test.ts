import { Validations } from 'aws-cdk-lib';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { buildTestApp, type TestApp } from './app-fixture';

describe('cdk-nag AwsSolutions', () => {
  let testApp: TestApp;
  beforeAll(() => {
    testApp = buildTestApp();
  });
  afterAll(() => testApp.cleanup());

  it('reports no finding that is not acknowledged with a reason', () => {
    Validations.of(testApp.app).addPlugins(new AwsSolutionsChecks(testApp.app));
    // Synthesis throws ValidationFailed, listing each finding, when any is left unacknowledged.
    expect(() => testApp.app.synth()).not.toThrow();
  });

  it('also passes for an environment-specific deployment', () => {
    const specific = buildTestApp({ context: { account: '123456789012', region: 'eu-west-1' } });
    try {
      Validations.of(specific.app).addPlugins(new AwsSolutionsChecks(specific.app));
      expect(() => specific.app.synth()).not.toThrow();
    } finally {
      specific.cleanup();
    }
  });

  it('is live: an unacknowledged finding fails synthesis', () => {
    const broken = buildTestApp();
    try {
      // No dead-letter queue and no TLS-only policy: AwsSolutions-SQS3 and -SQS4.
      new Queue(broken.stacks.queues, 'Unchecked');
      Validations.of(broken.app).addPlugins(new AwsSolutionsChecks(broken.app));
      expect(() => broken.app.synth()).toThrow(/AwsSolutions-SQS4/);
    } finally {
      broken.cleanup();
    }
  });
});
