import { Duration, Size, Validations } from 'aws-cdk-lib';
import { Architecture, type ILayerVersion, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { LOGS, METRICS_NAMESPACE, SERVICE_NAME } from '../../../lambdas/platform/system-config';
import {
  type DeferredModule,
  deferredModulesOf,
  LAMBDA_BUNDLING,
  type OptionalDeferredSdkClient,
} from './lambda-bundling';
import { PROJECT_ROOT, projectPath } from './project-paths';

export interface ServiceFunctionProps {
  /** The handler file, relative to the repository root; it exports `handler`. */
  readonly entry: string;
  readonly description: string;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  /** Powertools log level: DEBUG, INFO, WARN or ERROR. */
  readonly logLevel: string;
  readonly ephemeralStorageMb?: number;
  readonly layers?: ILayerVersion[];
  /** Packages left out of the bundle because a layer provides them. */
  readonly externalModules?: string[];
  readonly reservedConcurrentExecutions?: number;
  /**
   * SDK clients beyond those every function defers (LAMBDA_BUNDLING.optionalDeferredSdkClients) that
   * this function's code creates: shipped beside its bundle, and only beside its bundle.
   */
  readonly deferredSdkClients?: readonly OptionalDeferredSdkClient[];
}

/**
 * The one way this app builds a Lambda: runtime, architecture, tracing, bundling, an explicit log
 * group with retention, and the Powertools environment are fixed here, so no function drifts.
 */
export class ServiceFunction extends NodejsFunction {
  /**
   * x86_64 for every function: the npm build of @sparticuz/chromium (the layer's source) ships only the
   * x64 Chromium, and the local runtime and CI run the same code on x64. One architecture, one test target.
   */
  static readonly ARCHITECTURE = Architecture.X86_64;
  static readonly RUNTIME = Runtime.NODEJS_24_X;

  /** The modules shipped beside this function's bundle (LAMBDA_BUNDLING.deferredModules and its own). */
  readonly deferredModules: readonly DeferredModule[];

  constructor(scope: Construct, id: string, props: ServiceFunctionProps) {
    const deferredModules = deferredModulesOf(props.deferredSdkClients);
    // Explicit, so its retention is ours and it is deleted with the stack instead of outliving it.
    const logGroup = new LogGroup(scope, `${id}Logs`, {
      retention: LOGS.retentionDays as RetentionDays,
    });
    super(scope, id, {
      entry: projectPath(props.entry),
      handler: 'handler',
      description: props.description,
      runtime: ServiceFunction.RUNTIME,
      architecture: ServiceFunction.ARCHITECTURE,
      timeout: Duration.seconds(props.timeoutSeconds),
      memorySize: props.memoryMb,
      ephemeralStorageSize: props.ephemeralStorageMb ? Size.mebibytes(props.ephemeralStorageMb) : undefined,
      layers: props.layers,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      tracing: Tracing.ACTIVE,
      logGroup,
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: projectPath('package-lock.json'),
      environment: {
        POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        LOG_LEVEL: props.logLevel,
        // Stack traces point at the TypeScript sources through the bundle's source map.
        NODE_OPTIONS: '--enable-source-maps',
      },
      bundling: {
        // esbuild from node_modules; this project builds without Docker.
        forceDockerBundling: false,
        // Format, target, minification, main fields and what is left out: see LAMBDA_BUNDLING.
        format: OutputFormat.CJS,
        target: LAMBDA_BUNDLING.target,
        minify: LAMBDA_BUNDLING.minify,
        mainFields: [...LAMBDA_BUNDLING.mainFields],
        sourceMap: true,
        sourcesContent: false,
        // The SDK version the code is tested with ships in the bundle, not whatever the runtime carries.
        bundleAwsSDK: true,
        externalModules: [
          ...LAMBDA_BUNDLING.sdkCredentialProvidersNotBundled,
          ...deferredModules.map((deferred) => deferred.importPath),
          ...(props.externalModules ?? []),
        ],
        esbuildArgs: Object.fromEntries(
          Object.entries(LAMBDA_BUNDLING.supported).map(([feature, on]) => [
            `--supported:${feature}`,
            String(on),
          ]),
        ),
        // Each deferred module as a bundle of its own beside index.js, with the same options.
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (_inputDir: string, outputDir: string) =>
            deferredModules.map((deferred) =>
              [
                projectPath('node_modules/.bin/esbuild'),
                projectPath(deferred.entry),
                '--bundle',
                '--platform=node',
                `--format=${LAMBDA_BUNDLING.format}`,
                `--target=${LAMBDA_BUNDLING.target}`,
                ...(LAMBDA_BUNDLING.minify ? ['--minify'] : []),
                `--main-fields=${LAMBDA_BUNDLING.mainFields.join(',')}`,
                '--sourcemap',
                '--sources-content=false',
                ...LAMBDA_BUNDLING.sdkCredentialProvidersNotBundled.map((name) => `--external:${name}`),
                '--log-level=warning',
                `--outfile=${outputDir}/${deferred.file}`,
              ]
                .map((arg) => JSON.stringify(arg))
                .join(' '),
            ),
        },
      },
    });
    this.deferredModules = deferredModules;
    Validations.of(this).acknowledge(
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason: 'The basic execution policy only lets the function write its own CloudWatch logs.',
      },
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'Active tracing: xray:PutTraceSegments and xray:PutTelemetryRecords have no resource-level permissions.',
      },
    );
  }
}
