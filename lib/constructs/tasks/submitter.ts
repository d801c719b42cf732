import { Duration } from 'aws-cdk-lib';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { PRIORITIES, type Priority, QUEUES, SUBMITTER } from '../../../lambdas/platform/system-config';
import { CredentialsKey } from '../accounts/credentials-key';
import { AssetsBucket } from '../storage/assets-bucket';
import type { ChromiumLayer } from '../browser/chromium-layer';
import { ScreenshotBucket } from '../storage/screenshot-bucket';
import { ServiceFunction } from '../platform/service-function';
import type { SupabaseSettings } from '../platform/supabase-settings';
import { taskQueueUrlVariable } from '../../../lambdas/tasks/task-queues';

export interface SubmitterProps {
  readonly queues: Readonly<Record<Priority, IQueue>>;
  readonly screenshotBucket: IBucket;
  /** Where the profiles' logos are (a form with a logo file input gets the customer's). */
  readonly assetsBucket: IBucket;
  readonly chromium: ChromiumLayer;
  readonly supabase: SupabaseSettings;
  readonly logLevel: string;
  /** Optional cap on the function's concurrency; must leave room for every queue's maximumConcurrency. */
  readonly reservedConcurrency?: number;
  /** The optional form-mapping service (MAPPING_SERVICE_URL); unset, only built-in detection runs. */
  readonly mappingServiceUrl?: string;
  /** The key directory account credentials are sealed under: the submitter seals and opens them. */
  readonly credentialsKey: IKey;
  /** The receiving domain of the submission addresses it signs up with (MAIL_DOMAIN). */
  readonly mailDomain: string;
}

/** The submitter Lambda, fed by one event source mapping per priority queue. */
export class Submitter extends Construct {
  readonly function: ServiceFunction;

  constructor(scope: Construct, id: string, props: SubmitterProps) {
    super(scope, id);
    const concurrencyNeeded = PRIORITIES.reduce((sum, p) => sum + QUEUES.tasks[p].maximumConcurrency, 0);
    if (props.reservedConcurrency !== undefined && props.reservedConcurrency < concurrencyNeeded) {
      // Below the sum, the mappings would be throttled and a low priority could starve a high one.
      throw new Error(
        `submitterReservedConcurrency ${props.reservedConcurrency} is below the queues' total maximumConcurrency ${concurrencyNeeded}`,
      );
    }

    this.function = new ServiceFunction(this, 'Function', {
      entry: 'lambdas/handlers/submitter.ts',
      description: 'Submits one business profile per SQS message to a directory with headless Chromium',
      timeoutSeconds: SUBMITTER.timeoutSeconds,
      memoryMb: SUBMITTER.memoryMb,
      ephemeralStorageMb: SUBMITTER.ephemeralStorageMb,
      logLevel: props.logLevel,
      layers: [props.chromium.layer],
      externalModules: [...props.chromium.externalModules],
      reservedConcurrentExecutions: props.reservedConcurrency,
      // Directory accounts: it seals new credentials and opens stored ones (lambdas/accounts).
      deferredSdkClients: ['kms'],
    });
    ScreenshotBucket.bindWriter(props.screenshotBucket, this.function);
    AssetsBucket.bindLogoReader(props.assetsBucket, this.function);
    if (props.mappingServiceUrl) this.function.addEnvironment('MAPPING_SERVICE_URL', props.mappingServiceUrl);
    CredentialsKey.bindSealer(props.credentialsKey, this.function);
    this.function.addEnvironment('MAIL_DOMAIN', props.mailDomain);
    props.supabase.bind(this.function);

    // Priority by weight: each queue's mapping may use up to its own share of concurrent invocations.
    for (const priority of PRIORITIES) {
      // Deferrals (rate limited, directory paused or busy) re-send the task as a fresh delayed message.
      props.queues[priority].grantSendMessages(this.function);
      this.function.addEnvironment(taskQueueUrlVariable(priority), props.queues[priority].queueUrl);
      this.function.addEventSource(
        new SqsEventSource(props.queues[priority], {
          batchSize: SUBMITTER.batchSize,
          maxBatchingWindow: Duration.seconds(SUBMITTER.maxBatchingWindowSeconds),
          maxConcurrency: QUEUES.tasks[priority].maximumConcurrency,
          reportBatchItemFailures: true,
        }),
      );
    }
  }
}
