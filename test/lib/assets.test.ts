import { Match, type Template } from 'aws-cdk-lib/assertions';
import { API_ROUTES } from '../../lambdas/handlers/api/routes';
import { BUCKETS } from '../../lambdas/platform/system-config';
import { buildTestApp, type TestApp } from './app-fixture';

/**
 * The profile-assets bucket (customers' logos) and exactly who may do what in it: the logo upload
 * writes, the submitter reads, the customer deletion lists and deletes, no other function is given
 * the bucket.
 */
describe('profile assets', () => {
  let testApp: TestApp;
  beforeAll(() => {
    testApp = buildTestApp();
  });
  afterAll(() => testApp.cleanup());

  const assetsName = {
    'Fn::Join': [
      '',
      [`${BUCKETS.assets.namePrefix}-`, { Ref: 'AWS::AccountId' }, '-', { Ref: 'AWS::Region' }],
    ],
  };
  /** The bucket's ARN as the templates write it, with `suffix` appended (an object pattern). */
  const assetsArn = (suffix = '') => ({
    'Fn::Join': [
      '',
      [
        'arn:',
        { Ref: 'AWS::Partition' },
        `:s3:::${BUCKETS.assets.namePrefix}-`,
        { Ref: 'AWS::AccountId' },
        '-',
        { Ref: 'AWS::Region' },
        ...(suffix ? [suffix] : []),
      ],
    ],
  });
  const logoObjects = assetsArn('/logos/*');

  /** Every IAM statement in the template that names the assets bucket, with the function it is for. */
  const assetStatements = (template: Template) =>
    Object.values(template.findResources('AWS::IAM::Policy')).flatMap((policy) =>
      (policy.Properties.PolicyDocument.Statement as Record<string, unknown>[])
        .filter((statement) => JSON.stringify(statement).includes(BUCKETS.assets.namePrefix))
        .map((statement) => ({ statement, roles: policy.Properties.Roles as unknown[] })),
    );

  /** The logical id of the role of the function described `description`. */
  const roleOf = (template: Template, description: string) => {
    const fn = Object.values(template.findResources('AWS::Lambda::Function')).find(
      (f) => f.Properties.Description === description,
    );
    if (!fn) throw new Error(`no function described ${description}`);
    return fn.Properties.Role as { 'Fn::GetAtt': [string, string] };
  };

  it('is private, SSE-S3 encrypted, access-logged, unversioned, retained and never expires', () => {
    const template = testApp.template('storage');
    const buckets = template.findResources('AWS::S3::Bucket', {
      Properties: { BucketName: assetsName },
    });
    expect(Object.keys(buckets)).toHaveLength(1);
    const [bucket] = Object.values(buckets);
    expect(bucket).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    expect(bucket!.Properties).toMatchObject({
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      LoggingConfiguration: {
        DestinationBucketName: { Ref: expect.stringMatching(/AccessLogs/) },
        LogFilePrefix: 'assets/',
      },
    });
    expect(bucket!.Properties.VersioningConfiguration).toBeUndefined();
    const rules = bucket!.Properties.LifecycleConfiguration.Rules as Record<string, unknown>[];
    expect(rules).toEqual([
      expect.objectContaining({
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
        Status: 'Enabled',
      }),
    ]);
    for (const rule of rules) {
      expect(rule.ExpirationInDays).toBeUndefined();
      expect(rule.NoncurrentVersionExpiration).toBeUndefined();
    }
  });

  it('denies every request without TLS', () => {
    const template = testApp.template('storage');
    const [bucketId] = Object.keys(
      template.findResources('AWS::S3::Bucket', { Properties: { BucketName: assetsName } }),
    );
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: bucketId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Action: 's3:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  it('the logo upload may only put objects under logos/, the customer deletion only list and delete there; no other API function gets the bucket', () => {
    const template = testApp.template('api');
    const upload = API_ROUTES.filter((route) => route.storesAssets);
    const removal = API_ROUTES.filter((route) => route.removesAssets);
    expect(upload.map((route) => `${route.method} ${route.resource}`)).toEqual(['PUT /customers/{id}/logo']);
    expect(removal.map((route) => `${route.method} ${route.resource}`)).toEqual(['DELETE /customers/{id}']);
    const bucketArn = assetsArn();
    const roleRef = (description: string) => ({ Ref: roleOf(template, description)['Fn::GetAtt'][0] });
    expect(assetStatements(template)).toEqual(
      expect.arrayContaining([
        {
          statement: { Action: 's3:PutObject', Effect: 'Allow', Resource: logoObjects },
          roles: [roleRef('PUT /customers/{id}/logo')],
        },
        {
          statement: { Action: 's3:DeleteObject', Effect: 'Allow', Resource: logoObjects },
          roles: [roleRef('DELETE /customers/{id}')],
        },
        {
          statement: {
            Action: 's3:ListBucket',
            Condition: { StringLike: { 's3:prefix': 'logos/*' } },
            Effect: 'Allow',
            Resource: bucketArn,
          },
          roles: [roleRef('DELETE /customers/{id}')],
        },
      ]),
    );
    expect(assetStatements(template)).toHaveLength(3);
    const given = ['PUT /customers/{id}/logo', 'DELETE /customers/{id}'];
    for (const fn of Object.values(template.findResources('AWS::Lambda::Function'))) {
      const variables = fn.Properties.Environment.Variables as Record<string, unknown>;
      expect([fn.Properties.Description, variables.ASSETS_BUCKET]).toEqual([
        fn.Properties.Description,
        given.includes(fn.Properties.Description as string) ? assetsName : undefined,
      ]);
    }
  });

  it('the submitter may only get objects under logos/, and knows the bucket', () => {
    const template = testApp.template('submitter');
    const [submitter] = Object.entries(template.findResources('AWS::Lambda::Function')).filter(([id]) =>
      id.startsWith('SubmitterFunction'),
    );
    expect(submitter![1].Properties.Environment.Variables.ASSETS_BUCKET).toEqual(assetsName);
    expect(assetStatements(template)).toEqual([
      {
        statement: { Action: 's3:GetObject', Effect: 'Allow', Resource: logoObjects },
        roles: [{ Ref: submitter![1].Properties.Role['Fn::GetAtt'][0] }],
      },
    ]);
  });

  it('the stacks that use the bucket by name deploy after the stack that creates it', () => {
    const { storage, api, submitter } = testApp.stacks;
    expect(api.dependencies).toContain(storage);
    expect(submitter.dependencies).toContain(storage);
  });
});
