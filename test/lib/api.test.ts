import { Match } from 'aws-cdk-lib/assertions';
import { API_ROUTES } from '../../lambdas/handlers/api/routes';
import {
  API,
  API_ACCESS,
  API_SURFACE,
  CUSTOMER_TIERS,
  PRIORITIES,
  TASKS,
} from '../../lambdas/platform/system-config';
import { buildTestApp, type TestApp } from './app-fixture';

describe('ApiStack', () => {
  let testApp: TestApp;
  beforeAll(() => {
    testApp = buildTestApp({ bundle: ['DirectoryBolt-Api'] });
  });
  afterAll(() => testApp.cleanup());

  it('routes every API route to its own Node.js 24 function', () => {
    const template = testApp.template('api');
    template.resourceCountIs('AWS::Lambda::Function', API_ROUTES.length);
    template.allResourcesProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['x86_64'],
      TracingConfig: { Mode: 'Active' },
    });
    const functions = Object.values(template.findResources('AWS::Lambda::Function')) as {
      Properties: { Timeout: number; Description: string };
    }[];
    for (const route of API_ROUTES) {
      const fn = functions.find((f) => f.Properties.Description === `${route.method} ${route.resource}`);
      expect(fn?.Properties.Timeout).toBe(
        route.browser ? API_SURFACE.testSubmission.timeoutSeconds : API.handler.timeoutSeconds,
      );
    }
    template.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: 'jobs' });
    template.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: '{id}' });
    template.hasResourceProperties('AWS::ApiGateway::Method', { HttpMethod: 'POST' });
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'GET',
      RequestParameters: { 'method.request.path.id': true },
    });
  });

  it('requires an API key exactly where routes.ts says so', () => {
    const template = testApp.template('api');
    template.resourceCountIs('AWS::ApiGateway::Method', API_ROUTES.length);
    for (const route of API_ROUTES.filter(
      (r) => r.resource.startsWith('/jobs') || r.resource.startsWith('/queue'),
    )) {
      template.hasResourceProperties('AWS::ApiGateway::Method', {
        HttpMethod: route.method,
        ApiKeyRequired: true,
        ResourceId: Match.anyValue(),
      });
    }
    template.hasResourceProperties('AWS::ApiGateway::Method', { HttpMethod: 'PATCH', ApiKeyRequired: true });
  });

  it('has one usage plan per customer tier with its throttle and quota on the deployed stage', () => {
    const template = testApp.template('api');
    template.resourceCountIs('AWS::ApiGateway::UsagePlan', CUSTOMER_TIERS.length);
    for (const tier of CUSTOMER_TIERS) {
      const plan = API.usagePlans[tier];
      template.hasResourceProperties('AWS::ApiGateway::UsagePlan', {
        UsagePlanName: `directorybolt-${tier}`,
        Throttle: { RateLimit: plan.rateLimitPerSecond, BurstLimit: plan.burstLimit },
        Quota: { Limit: plan.quotaPerDay, Period: 'DAY' },
        ApiStages: [
          { ApiId: { Ref: Match.anyValue() }, Stage: { Ref: Match.stringLikeRegexp('DeploymentStage') } },
        ],
      });
    }
    // No key in the template: scripts/api-keys.ts issues every key into API Gateway and Postgres at once
    // (a key generated here would be unknown to the handlers, which answer it with 401).
    template.resourceCountIs('AWS::ApiGateway::ApiKey', 0);
    template.resourceCountIs('AWS::ApiGateway::UsagePlanKey', 0);
  });

  it('validates the POST /jobs body against a JSON schema at the gateway', () => {
    const template = testApp.template('api');
    template.hasResourceProperties('AWS::ApiGateway::RequestValidator', {
      ValidateRequestBody: true,
      ValidateRequestParameters: true,
    });
    const uuid = { type: 'string', pattern: Match.stringLikeRegexp('\\{8\\}') };
    template.hasResourceProperties('AWS::ApiGateway::Model', {
      ContentType: 'application/json',
      Schema: {
        $schema: 'http://json-schema.org/draft-04/schema#',
        type: 'object',
        required: ['customer_id', 'directory_ids'],
        additionalProperties: false,
        properties: {
          customer_id: uuid,
          directory_ids: { type: 'array', items: uuid, minItems: 1, maxItems: TASKS.maxDirectoriesPerJob },
          priority: { type: 'string', enum: [...PRIORITIES] },
          notes: { type: 'string', maxLength: API_ACCESS.maxNotesLength },
        },
      },
    });
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'POST',
      RequestValidatorId: { Ref: Match.stringLikeRegexp('Validator') },
      RequestModels: { 'application/json': { Ref: Match.stringLikeRegexp('CreateJobRequest') } },
    });
  });

  it('validates the PATCH /jobs/{id} body and passes If-Match and Idempotency-Key through', () => {
    const template = testApp.template('api');
    template.hasResourceProperties('AWS::ApiGateway::Model', {
      Name: 'UpdateJobRequest',
      Schema: Match.objectLike({
        additionalProperties: false,
        minProperties: 1,
        properties: { priority: { type: 'string', enum: [...PRIORITIES] }, notes: Match.anyValue() },
      }),
    });
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'PATCH',
      RequestParameters: { 'method.request.path.id': true, 'method.request.header.If-Match': false },
      RequestModels: { 'application/json': { Ref: Match.stringLikeRegexp('UpdateJobRequest') } },
    });
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'POST',
      RequestParameters: { 'method.request.header.Idempotency-Key': false },
    });
  });

  it('answers a missing or unknown key with 401 in the JSON error shape', () => {
    const template = testApp.template('api');
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'INVALID_API_KEY',
      StatusCode: '401',
      ResponseTemplates: { 'application/json': Match.stringLikeRegexp('correlation_id') },
    });
  });

  it('logs access as JSON, with metrics and tracing on the stage, through the CloudWatch role', () => {
    const template = testApp.template('api');
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      AccessLogSetting: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('requestId') },
      TracingEnabled: true,
      MethodSettings: [
        Match.objectLike({ MetricsEnabled: true, LoggingLevel: 'ERROR', DataTraceEnabled: false }),
      ],
    });
    template.resourceCountIs('AWS::ApiGateway::Account', 1);
  });

  it('puts a per-IP WAF rate rule in front of the stage', () => {
    const template = testApp.template('api');
    template.hasResourceProperties('AWS::WAFv2::WebACL', {
      Scope: 'REGIONAL',
      Rules: [
        Match.objectLike({
          Action: { Block: {} },
          Statement: {
            RateBasedStatement: { AggregateKeyType: 'IP', Limit: API.waf.requestsPerIpPer5Minutes },
          },
        }),
      ],
    });
    template.resourceCountIs('AWS::WAFv2::WebACLAssociation', 1);
  });

  it('gives only the enqueuing functions the queue URLs and the right to send to them', () => {
    const template = testApp.template('api');
    const queueEnv = Object.fromEntries(
      PRIORITIES.map((p) => [`TASK_QUEUE_URL_${p.toUpperCase()}`, Match.anyValue()]),
    );
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'POST /jobs',
      Environment: { Variables: Match.objectLike(queueEnv) },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'GET /jobs/{id}',
      Environment: { Variables: Match.objectLike({ TASK_QUEUE_URL_P1: Match.absent() }) },
    });
    const senders = template.findResources('AWS::IAM::Policy', {
      Properties: {
        PolicyDocument: {
          Statement: Match.arrayWith([Match.objectLike({ Action: Match.arrayWith(['sqs:SendMessage']) })]),
        },
      },
    });
    expect(Object.keys(senders)).toHaveLength(API_ROUTES.filter((r) => r.enqueues).length);
  });

  it('references the Supabase key secret by ARN and never creates one or puts a key in the template', () => {
    for (const stack of ['api', 'submitter'] as const) {
      const template = testApp.template(stack);
      template.resourceCountIs('AWS::SecretsManager::Secret', 0);
      const functions = Object.values(template.findResources('AWS::Lambda::Function'));
      for (const fn of functions) {
        const variables = fn.Properties.Environment.Variables as Record<string, unknown>;
        expect(variables.SUPABASE_SERVICE_KEY).toBeUndefined();
        expect(JSON.stringify(variables.SUPABASE_SERVICE_KEY_SECRET_ARN)).toContain(
          ':secret:directorybolt/supabase-service-key',
        );
      }
    }
  });
  it('gives only the test-submission function the Chromium layer, its memory and a timeout under 29 s', () => {
    const template = testApp.template('api');
    expect(API_SURFACE.testSubmission.timeoutSeconds).toBeLessThan(29);
    const browserRoutes = API_ROUTES.filter((r) => r.browser);
    expect(browserRoutes.map((r) => r.name)).toEqual(['test-submission']);
    template.resourceCountIs('AWS::Lambda::LayerVersion', 1);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'POST /directories/{id}/test-submission',
      MemorySize: API_SURFACE.testSubmission.memoryMb,
      Timeout: API_SURFACE.testSubmission.timeoutSeconds,
      Layers: [Match.anyValue()],
    });
    const withLayers = Object.values(template.findResources('AWS::Lambda::Function')).filter(
      (f) => (f as { Properties: { Layers?: unknown[] } }).Properties.Layers !== undefined,
    );
    expect(withLayers).toHaveLength(1);
  });

  it('validates every other request body at the gateway with a model generated from the handler schema', () => {
    const template = testApp.template('api');
    const models = Object.values(template.findResources('AWS::ApiGateway::Model')) as {
      Properties: { Name: string; Schema: { additionalProperties?: boolean; oneOf?: unknown[] } };
    }[];
    const bodies = API_ROUTES.filter((route) => route.body).length;
    expect(models).toHaveLength(bodies);
    const customer = models.find((m) => m.Properties.Name === 'CreateCustomerRequest');
    expect(customer?.Properties.Schema).toMatchObject({
      $schema: 'http://json-schema.org/draft-04/schema#',
      additionalProperties: false,
      required: ['business_name'],
    });
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'POST',
      RequestModels: { 'application/json': Match.anyValue() },
    });
  });

  describe('ApiStack with deployment context', () => {
    it('uses the given Supabase URL and complete secret ARN', () => {
      const secretArn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/supabase-key-AbCdEf';
      const testApp = buildTestApp({
        context: { supabaseUrl: 'https://abcd.supabase.co', supabaseServiceKeySecretArn: secretArn },
      });
      try {
        testApp.template('api').hasResourceProperties('AWS::Lambda::Function', {
          Environment: {
            Variables: Match.objectLike({
              SUPABASE_URL: 'https://abcd.supabase.co',
              SUPABASE_SERVICE_KEY_SECRET_ARN: secretArn,
            }),
          },
        });
      } finally {
        testApp.cleanup();
      }
    });
  });
});
