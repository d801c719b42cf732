import { Match } from 'aws-cdk-lib/assertions';
import { BUCKETS } from '../../lambdas/platform/system-config';
import { buildTestApp, type TestApp } from './app-fixture';

describe('StorageStack', () => {
  let testApp: TestApp;
  beforeAll(() => {
    testApp = buildTestApp();
  });
  afterAll(() => testApp.cleanup());

  it('keeps screenshots private, encrypted, logged, and expires them after the configured days', () => {
    testApp.template('storage').hasResourceProperties('AWS::S3::Bucket', {
      BucketName: {
        'Fn::Join': [
          '',
          [`${BUCKETS.screenshots.namePrefix}-`, { Ref: 'AWS::AccountId' }, '-', { Ref: 'AWS::Region' }],
        ],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      VersioningConfiguration: Match.absent(),
      LoggingConfiguration: { DestinationBucketName: { Ref: Match.stringLikeRegexp('AccessLogs') } },
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({ ExpirationInDays: BUCKETS.screenshots.expireAfterDays, Status: 'Enabled' }),
        ]),
      },
    });
  });

  it('expires the access logs too', () => {
    testApp.template('storage').hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: [Match.objectLike({ ExpirationInDays: BUCKETS.accessLogs.expireAfterDays })],
      },
    });
  });

  it('denies non-TLS access on every bucket (screenshots, profile assets, access logs)', () => {
    const template = testApp.template('storage');
    template.resourceCountIs('AWS::S3::Bucket', 3);
    template.resourceCountIs('AWS::S3::BucketPolicy', 3);
    template.allResourcesProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });
});
