import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { CredentialsKey } from '../constructs/accounts/credentials-key';
import { AssetsBucket } from '../constructs/storage/assets-bucket';
import { ScreenshotBucket } from '../constructs/storage/screenshot-bucket';
import { RUNBOOK_OUTPUTS } from './runbook-outputs';

/**
 * What outlives the code: the screenshot bucket (proof of submission), the profile-assets bucket
 * (logos), the access-log bucket both log to, and the KMS key directory account credentials are sealed
 * under. Nothing here depends on another stack, so the submitter and the API can refer to all of it.
 */
export class StorageStack extends Stack {
  readonly screenshots: ScreenshotBucket;
  readonly assets: AssetsBucket;
  readonly credentialsKey: CredentialsKey;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    this.screenshots = new ScreenshotBucket(this, 'Screenshots');
    this.assets = new AssetsBucket(this, 'Assets', { accessLogsBucket: this.screenshots.accessLogsBucket });
    this.credentialsKey = new CredentialsKey(this, 'CredentialsKey');
    new CfnOutput(this, RUNBOOK_OUTPUTS.storage.credentialsKeyArn, {
      value: this.credentialsKey.key.keyArn,
      description: 'The KMS key directory account credentials are sealed under (CloudTrail: who decrypted)',
    });
  }
}
