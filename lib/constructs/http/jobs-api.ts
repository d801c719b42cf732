import { Validations } from 'aws-cdk-lib';
import {
  AccessLogField,
  AccessLogFormat,
  EndpointType,
  type JsonSchema,
  JsonSchemaType,
  JsonSchemaVersion,
  LambdaIntegration,
  LogGroupLogDestination,
  MethodLoggingLevel,
  type Model,
  Period,
  RequestValidator,
  ResponseType,
  RestApi,
  UsagePlan,
} from 'aws-cdk-lib/aws-apigateway';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import * as z from '../../../lambdas/platform/zod';
import { API_ROUTES, routeKey } from '../../../lambdas/handlers/api/routes';
import type { ApiRoute } from '../../../lambdas/http/route-definition';
import {
  API,
  API_ACCESS,
  API_SURFACE,
  LOGS,
  PRIORITIES,
  type Priority,
  TASKS,
} from '../../../lambdas/platform/system-config';
import { CredentialsKey } from '../accounts/credentials-key';
import { AssetsBucket } from '../storage/assets-bucket';
import { ChromiumLayer } from '../browser/chromium-layer';
import { routeDeferredSdkClients } from '../platform/lambda-bundling';
import { ServiceFunction } from '../platform/service-function';
import type { SupabaseSettings } from '../platform/supabase-settings';
import { taskQueueUrlVariable } from '../../../lambdas/tasks/task-queues';

export interface JobsApiProps {
  readonly queues: Readonly<Record<Priority, IQueue>>;
  readonly supabase: SupabaseSettings;
  readonly logLevel: string;
  readonly stageName: string;
  /**
   * The profile-assets bucket: routes that store assets (storesAssets) may write logos, routes that
   * remove a customer's (removesAssets) may list and delete them.
   */
  readonly assetsBucket: IBucket;
  /** Directory account credentials' key: routes that open them (route opensCredentials) may decrypt. */
  readonly credentialsKey: IKey;
  /** The routes to serve: every route of routes.ts unless a test builds the API with a few of its own. */
  readonly routes?: readonly ApiRoute[];
}

const UUID_PATTERN = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';

/**
 * The REST API: one Lambda per route (lambdas/handlers/api/routes.ts), API keys with usage-plan throttling and
 * quotas per customer tier from API.usagePlans, request validation at the gateway, JSON access logs
 * and errors. API Gateway checks that a key exists and meters it on its plan; the handler layer
 * (lambdas/http/api-handler.ts) resolves the same key to its principal in Postgres
 * (docs/architecture.md, "API keys in two layers").
 */
export class JobsApi extends Construct {
  readonly api: RestApi;
  readonly functions: ReadonlyMap<string, ServiceFunction>;
  /**
   * One per customer tier (staff and admin keys: enterprise). No key is created here: every key is
   * issued by scripts/api-keys.ts, which imports the same value into API Gateway and Postgres.
   */
  readonly usagePlans: ReadonlyMap<string, UsagePlan>;

  constructor(scope: Construct, id: string, props: JobsApiProps) {
    super(scope, id);
    const routes = props.routes ?? API_ROUTES;
    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: LOGS.retentionDays as RetentionDays });

    this.api = new RestApi(this, 'Api', {
      restApiName: 'directorybolt-api',
      description: 'DirectoryBolt jobs API',
      endpointTypes: [EndpointType.REGIONAL],
      // Access logging needs the account-level CloudWatch role; this creates it and sets it on the account.
      cloudWatchRole: true,
      deployOptions: {
        stageName: props.stageName,
        accessLogDestination: new LogGroupLogDestination(accessLogs),
        accessLogFormat: AccessLogFormat.custom(
          JSON.stringify({
            requestId: AccessLogField.contextRequestId(),
            ip: AccessLogField.contextIdentitySourceIp(),
            apiKeyId: AccessLogField.contextIdentityApiKeyId(),
            requestTime: AccessLogField.contextRequestTime(),
            httpMethod: AccessLogField.contextHttpMethod(),
            resourcePath: AccessLogField.contextResourcePath(),
            status: AccessLogField.contextStatus(),
            responseLength: AccessLogField.contextResponseLength(),
            responseLatency: AccessLogField.contextResponseLatency(),
            integrationLatency: AccessLogField.contextIntegrationLatency(),
            errorType: AccessLogField.contextErrorResponseType(),
            wafStatus: AccessLogField.contextWafResponseCode(),
          }),
        ),
        metricsEnabled: true,
        tracingEnabled: true,
        loggingLevel: MethodLoggingLevel.ERROR,
        // Full request/response logging would write customers' data and API keys into the logs.
        dataTraceEnabled: false,
      },
    });
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        'Clients are staff tools and backend integrations identified by API keys with usage plans (DESIGN: API); there are no end users to authorize with IAM or Cognito.',
    });
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      reason:
        'The account-level role API Gateway needs to write access and execution logs; AWS scopes it to logs.',
    });
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-COG4',
      reason: 'No Cognito user pool: callers are machines holding API keys, not signed-in users.',
    });

    this.addJsonErrorResponses();
    const validator = new RequestValidator(this, 'Validator', {
      restApi: this.api,
      validateRequestBody: true,
      validateRequestParameters: true,
    });
    const bodyModels: Record<string, Model> = {
      'POST /jobs': this.createJobModel(),
      'PATCH /jobs/{id}': this.updateJobModel(),
    };
    // The other bodies' models come from the zod schemas the routes declare and the handler layer
    // validates with (draft 4, the input side), so API Gateway refuses what the handler would refuse,
    // before a Lambda runs.
    for (const route of routes) {
      const key = routeKey(route);
      if (!route.body || bodyModels[key]) continue;
      const name = pascalCase(route.name) + 'Request';
      bodyModels[key] = this.api.addModel(name, {
        contentType: 'application/json',
        modelName: name,
        schema: modelSchema(route.body, name),
      });
    }
    // Only the routes that drive a browser (test-submission) carry the Chromium layer.
    let chromium: ChromiumLayer | undefined;
    // Declared so they are documented and passed through; optional here, validated by the handler
    // (which answers 428 for a missing If-Match, where API Gateway could only say 400).
    const optionalParameters: Record<string, string[]> = {
      'GET /jobs': [
        'querystring.status',
        'querystring.customer_id',
        'querystring.created_from',
        'querystring.created_to',
        'querystring.limit',
        'querystring.cursor',
      ],
      'POST /jobs': ['header.Idempotency-Key'],
      'PATCH /jobs/{id}': ['header.If-Match'],
    };

    const functions = new Map<string, ServiceFunction>();
    for (const route of routes) {
      const key = routeKey(route);
      if (route.browser) chromium ??= new ChromiumLayer(this, 'Chromium');
      const fn = new ServiceFunction(this, pascalCase(route.name), {
        entry: `lambdas/${route.entry}.ts`,
        description: key,
        timeoutSeconds: route.browser
          ? API_SURFACE.testSubmission.timeoutSeconds
          : API.handler.timeoutSeconds,
        memoryMb: route.browser ? API_SURFACE.testSubmission.memoryMb : API.handler.memoryMb,
        logLevel: props.logLevel,
        ...(route.browser && chromium
          ? { layers: [chromium.layer], externalModules: [...chromium.externalModules] }
          : {}),
        deferredSdkClients: routeDeferredSdkClients(route),
      });
      props.supabase.bind(fn);
      if (route.enqueues) {
        for (const priority of PRIORITIES) {
          fn.addEnvironment(taskQueueUrlVariable(priority), props.queues[priority].queueUrl);
          props.queues[priority].grantSendMessages(fn);
        }
      }
      if (route.storesAssets) AssetsBucket.bindLogoWriter(props.assetsBucket, fn);
      if (route.removesAssets) AssetsBucket.bindLogoRemover(props.assetsBucket, fn);
      if (route.opensCredentials) CredentialsKey.bindOpener(props.credentialsKey, fn);

      const pathParameters = [...route.resource.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      const model = bodyModels[key];
      this.api.root.resourceForPath(route.resource).addMethod(route.method, new LambdaIntegration(fn), {
        apiKeyRequired: route.apiKeyRequired,
        requestValidator: validator,
        requestParameters: {
          ...Object.fromEntries(pathParameters.map((p) => [`method.request.path.${p}`, true])),
          ...Object.fromEntries((optionalParameters[key] ?? []).map((p) => [`method.request.${p}`, false])),
        },
        requestModels: model ? { 'application/json': model } : undefined,
      });
      functions.set(key, fn);
    }
    this.functions = functions;

    const usagePlans = new Map<string, UsagePlan>();
    for (const [name, plan] of Object.entries(API.usagePlans)) {
      usagePlans.set(
        name,
        new UsagePlan(this, `UsagePlan-${name}`, {
          name: `directorybolt-${name}`,
          throttle: { rateLimit: plan.rateLimitPerSecond, burstLimit: plan.burstLimit },
          quota: { limit: plan.quotaPerDay, period: Period.DAY },
          apiStages: [{ api: this.api, stage: this.api.deploymentStage }],
        }),
      );
    }
    this.usagePlans = usagePlans;
  }

  /** API Gateway's own 4xx/5xx (bad body, missing key, throttled) in the Lambdas' JSON error shape. */
  private addJsonErrorResponses(): void {
    const template = JSON.stringify({
      error: {
        code: '$context.error.responseType',
        message: '__MESSAGE__',
        correlation_id: '$context.requestId',
      },
    }).replace('"__MESSAGE__"', '$context.error.messageString'); // messageString is already a quoted JSON string
    for (const type of [ResponseType.DEFAULT_4XX, ResponseType.DEFAULT_5XX]) {
      this.api.addGatewayResponse(`Json${type.responseType}`, {
        type,
        templates: { 'application/json': template },
      });
    }
    // A missing or unknown key is "not authenticated" (401), as the handler layer answers for a key
    // API Gateway knows but Postgres does not; API Gateway's default would be 403.
    this.api.addGatewayResponse('JsonINVALID_API_KEY', {
      type: ResponseType.INVALID_API_KEY,
      statusCode: '401',
      templates: { 'application/json': template },
    });
  }

  /** POST /jobs body, checked before any Lambda runs; the handler's zod schema says the same. */
  private createJobModel(): Model {
    const uuid = { type: JsonSchemaType.STRING, pattern: UUID_PATTERN };
    return this.api.addModel('CreateJobRequest', {
      contentType: 'application/json',
      modelName: 'CreateJobRequest',
      schema: {
        schema: JsonSchemaVersion.DRAFT4,
        title: 'CreateJobRequest',
        type: JsonSchemaType.OBJECT,
        required: ['customer_id', 'directory_ids'],
        additionalProperties: false,
        properties: {
          customer_id: uuid,
          directory_ids: {
            type: JsonSchemaType.ARRAY,
            items: uuid,
            minItems: 1,
            maxItems: TASKS.maxDirectoriesPerJob,
            uniqueItems: true,
          },
          priority: { type: JsonSchemaType.STRING, enum: [...PRIORITIES] },
          notes: { type: JsonSchemaType.STRING, maxLength: API_ACCESS.maxNotesLength },
        },
      },
    });
  }

  /** PATCH /jobs/{id} body: only the patchable fields (update_job decides when each may change). */
  private updateJobModel(): Model {
    return this.api.addModel('UpdateJobRequest', {
      contentType: 'application/json',
      modelName: 'UpdateJobRequest',
      schema: {
        schema: JsonSchemaVersion.DRAFT4,
        title: 'UpdateJobRequest',
        type: JsonSchemaType.OBJECT,
        additionalProperties: false,
        minProperties: 1,
        properties: {
          priority: { type: JsonSchemaType.STRING, enum: [...PRIORITIES] },
          notes: {
            type: [JsonSchemaType.STRING, JsonSchemaType.NULL],
            maxLength: API_ACCESS.maxNotesLength,
          },
        },
      },
    });
  }
}

function pascalCase(name: string): string {
  return name.replace(/(^|[-_])(\w)/g, (_m, _sep: string, c: string) => c.toUpperCase());
}

/** A zod request schema as an API Gateway model (JSON Schema draft 4). */
function modelSchema(schema: z.ZodMiniType, title: string): JsonSchema {
  const { $schema: _ignored, ...body } = z.toJSONSchema(schema, {
    target: 'draft-4',
    io: 'input',
    unrepresentable: 'any',
  }) as Record<string, unknown>;
  return { schema: JsonSchemaVersion.DRAFT4, title, ...body } as JsonSchema;
}
