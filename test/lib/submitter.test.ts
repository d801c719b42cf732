import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { LOGS, PRIORITIES, QUEUES, SUBMITTER } from '../../lambdas/platform/system-config';
import { buildTestApp, type TestApp } from './app-fixture';

describe('SubmitterStack', () => {
  let testApp: TestApp;
  beforeAll(() => {
    // Really bundled: the layer is built from node_modules and the handler by esbuild.
    testApp = buildTestApp({ bundle: ['DirectoryBolt-Submitter'] });
  });
  afterAll(() => testApp.cleanup());

  const submitterFunction = () => {
    const functions = testApp.template('submitter').findResources('AWS::Lambda::Function');
    const [id, fn] = Object.entries(functions).find(([key]) => key.startsWith('SubmitterFunction')) ?? [];
    if (!id || !fn) throw new Error('no submitter function');
    return { id, properties: fn.Properties as Record<string, unknown> };
  };

  it('runs on Node.js 24, x86_64, with the configured timeout, memory and /tmp', () => {
    testApp.template('submitter').hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['x86_64'],
      Timeout: SUBMITTER.timeoutSeconds,
      MemorySize: SUBMITTER.memoryMb,
      EphemeralStorage: { Size: SUBMITTER.ephemeralStorageMb },
      TracingConfig: { Mode: 'Active' },
      Environment: {
        Variables: Match.objectLike({
          NODE_OPTIONS: '--enable-source-maps',
          POWERTOOLS_SERVICE_NAME: Match.anyValue(),
          POWERTOOLS_METRICS_NAMESPACE: Match.anyValue(),
          LOG_LEVEL: 'INFO',
          SCREENSHOT_BUCKET: Match.anyValue(),
          SUPABASE_URL: Match.anyValue(),
          SUPABASE_SERVICE_KEY_SECRET_ARN: Match.anyValue(),
        }),
      },
    });
  });

  it('has one event source mapping per priority queue, weighted, reporting partial batch failures', () => {
    const template = testApp.template('submitter');
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', PRIORITIES.length);
    for (const priority of PRIORITIES) {
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        FunctionName: { Ref: submitterFunction().id },
        BatchSize: SUBMITTER.batchSize,
        MaximumBatchingWindowInSeconds: SUBMITTER.maxBatchingWindowSeconds,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        ScalingConfig: { MaximumConcurrency: QUEUES.tasks[priority].maximumConcurrency },
        EventSourceArn: Match.objectLike({
          'Fn::GetStackOutput': Match.objectLike({
            OutputName: Match.stringLikeRegexp(`TaskQueuesTasks${priority.toUpperCase()}`),
          }),
        }),
      });
    }
  });

  it('attaches the Chromium layer, built as nodejs/node_modules from the installed packages', () => {
    const template = testApp.template('submitter');
    template.resourceCountIs('AWS::Lambda::LayerVersion', 1);
    const [layerId, layer] = Object.entries(template.findResources('AWS::Lambda::LayerVersion'))[0] ?? [];
    expect(layer?.Properties).toMatchObject({
      CompatibleRuntimes: ['nodejs24.x'],
      CompatibleArchitectures: ['x86_64'],
    });
    expect(submitterFunction().properties.Layers).toEqual([{ Ref: layerId }]);

    const assetKey = String(layer?.Properties.Content.S3Key);
    const assetDir = join(testApp.outdir, `asset.${assetKey.replace(/\.zip$/, '')}`);
    for (const pkg of ['@sparticuz/chromium', 'playwright-core', 'tar-fs']) {
      expect(existsSync(join(assetDir, 'nodejs', 'node_modules', pkg, 'package.json'))).toBe(true);
    }
  });

  it('writes its logs to an explicit log group with retention', () => {
    const template = testApp.template('submitter');
    const logGroupId = (submitterFunction().properties.LoggingConfig as { LogGroup: { Ref: string } })
      .LogGroup.Ref;
    expect(template.findResources('AWS::Logs::LogGroup')[logGroupId]?.Properties).toEqual({
      RetentionInDays: LOGS.retentionDays,
    });
  });

  it('may only put objects into the screenshot bucket, consume the queues and read the secret', () => {
    testApp.template('submitter').hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 's3:PutObject',
            Resource: Match.objectLike({ 'Fn::Join': Match.anyValue() }),
          }),
          Match.objectLike({ Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'] }),
          Match.objectLike({ Action: Match.arrayWith(['sqs:DeleteMessage', 'sqs:ReceiveMessage']) }),
        ]),
      },
    });
  });

  it('passes the optional mapping service URL from context, and only an https one', () => {
    const withService = buildTestApp({ context: { mappingServiceUrl: 'https://mapper.example/map' } });
    try {
      const functions = withService.template('submitter').findResources('AWS::Lambda::Function');
      const submitter = Object.entries(functions).find(([key]) => key.startsWith('SubmitterFunction'))?.[1];
      expect(submitter?.Properties.Environment.Variables.MAPPING_SERVICE_URL).toBe(
        'https://mapper.example/map',
      );
    } finally {
      withService.cleanup();
    }
    const variables = (submitterFunction().properties.Environment as { Variables: Record<string, string> })
      .Variables;
    expect(variables.MAPPING_SERVICE_URL).toBeUndefined();
    expect(() => buildTestApp({ context: { mappingServiceUrl: 'http://10.0.0.5/map' } })).toThrow(
      /mappingServiceUrl must be an https URL/,
    );
  });

  it('rejects a reserved concurrency below the queues\u2019 total maximumConcurrency', () => {
    expect(() => buildTestApp({ context: { submitterReservedConcurrency: 3 } })).toThrow(
      /below the queues' total maximumConcurrency/,
    );
  });
});
