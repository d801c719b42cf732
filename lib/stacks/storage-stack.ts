import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { AssetsBucket } from '../constructs/storage/assets-bucket';
import { ScreenshotBucket } from '../constructs/storage/screenshot-bucket';

/**
 * The screenshot bucket (proof of submission), the profile-assets bucket (logos) and the access-log
 * bucket both log to.
 */
export class StorageStack extends Stack {
  readonly screenshots: ScreenshotBucket;
  readonly assets: AssetsBucket;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    this.screenshots = new ScreenshotBucket(this, 'Screenshots');
    this.assets = new AssetsBucket(this, 'Assets', { accessLogsBucket: this.screenshots.accessLogsBucket });
  }
}
