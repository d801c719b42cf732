import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { ScreenshotBucket } from '../constructs/screenshot-bucket';

/** The screenshot bucket (proof of submission) and its access-log bucket. */
export class StorageStack extends Stack {
  readonly screenshots: ScreenshotBucket;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    this.screenshots = new ScreenshotBucket(this, 'Screenshots');
  }
}
