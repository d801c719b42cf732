import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { Priority } from '../../lambdas/platform/system-config';
import { AssetsBucket } from '../constructs/storage/assets-bucket';
import { ChromiumLayer } from '../constructs/browser/chromium-layer';
import { ScreenshotBucket } from '../constructs/storage/screenshot-bucket';
import { Submitter } from '../constructs/tasks/submitter';
import { SupabaseSettings, type SupabaseSettingsProps } from '../constructs/platform/supabase-settings';
import { RUNBOOK_OUTPUTS } from './runbook-outputs';

export interface SubmitterStackProps extends StackProps {
  readonly queues: Readonly<Record<Priority, IQueue>>;
  readonly supabase: SupabaseSettingsProps;
  readonly logLevel: string;
  readonly reservedConcurrency?: number;
  readonly mappingServiceUrl?: string;
  /** The storage stack's key for directory account credentials. */
  readonly credentialsKey: IKey;
  readonly mailDomain: string;
}

/** The submitter Lambda with its Chromium layer, consuming every priority queue. */
export class SubmitterStack extends Stack {
  readonly chromium: ChromiumLayer;
  readonly submitter: Submitter;

  constructor(scope: Construct, id: string, props: SubmitterStackProps) {
    super(scope, id, props);
    this.chromium = new ChromiumLayer(this, 'Chromium');
    this.submitter = new Submitter(this, 'Submitter', {
      queues: props.queues,
      screenshotBucket: ScreenshotBucket.fromDeployment(this, 'ScreenshotBucket'),
      assetsBucket: AssetsBucket.fromDeployment(this, 'AssetsBucket'),
      chromium: this.chromium,
      supabase: new SupabaseSettings(this, 'Supabase', props.supabase),
      logLevel: props.logLevel,
      reservedConcurrency: props.reservedConcurrency,
      mappingServiceUrl: props.mappingServiceUrl,
      credentialsKey: props.credentialsKey,
      mailDomain: props.mailDomain,
    });
    new CfnOutput(this, RUNBOOK_OUTPUTS.submitter.function, {
      value: this.submitter.function.functionName,
      description: 'The submitter Lambda',
    });
  }
}
