import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { Priority } from '../../lambdas/shared/system-config';
import { ApiRateLimit } from '../constructs/api-rate-limit';
import { AssetsBucket } from '../constructs/assets-bucket';
import { HealthDetailsAccess } from '../constructs/health-details-access';
import { JobsApi } from '../constructs/jobs-api';
import { SupabaseSettings, type SupabaseSettingsProps } from '../constructs/supabase-settings';

export interface ApiStackProps extends StackProps {
  readonly queues: Readonly<Record<Priority, IQueue>>;
  /** Health details reports its depth. */
  readonly deadLetterQueue: IQueue;
  readonly supabase: SupabaseSettingsProps;
  readonly logLevel: string;
  readonly stageName: string;
}

/** The REST API with its Lambdas, API keys, usage plans and per-IP WAF rate rule. */
export class ApiStack extends Stack {
  readonly jobsApi: JobsApi;
  readonly rateLimit: ApiRateLimit;

  constructor(scope: Construct, id: string, props: ApiStackProps) {
    super(scope, id, props);
    this.jobsApi = new JobsApi(this, 'JobsApi', {
      queues: props.queues,
      supabase: new SupabaseSettings(this, 'Supabase', props.supabase),
      logLevel: props.logLevel,
      stageName: props.stageName,
      assetsBucket: AssetsBucket.fromDeployment(this, 'AssetsBucket'),
    });
    const health = this.jobsApi.functions.get('GET /health');
    if (health) HealthDetailsAccess.bindQueueStatus(health, props.queues);
    const healthDetails = this.jobsApi.functions.get('GET /health/details');
    if (healthDetails) {
      HealthDetailsAccess.bind(healthDetails, {
        queues: props.queues,
        deadLetterQueue: props.deadLetterQueue,
      });
    }
    this.rateLimit = new ApiRateLimit(this, 'RateLimit', { stage: this.jobsApi.api.deploymentStage });

    new CfnOutput(this, 'ApiUrl', { value: this.jobsApi.api.url });
    new CfnOutput(this, 'ApiKeyId', {
      value: this.jobsApi.apiKey.keyId,
      description: 'aws apigateway get-api-key --include-value --api-key <id> prints the key',
    });
  }
}
