import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { API_ROUTES, routeKey } from '../../lambdas/handlers/api/routes';
import type { CustomerTier, Priority } from '../../lambdas/platform/system-config';
import { ApiRateLimit } from '../constructs/http/api-rate-limit';
import { AssetsBucket } from '../constructs/storage/assets-bucket';
import { HealthDetailsAccess } from '../constructs/http/health-details-access';
import { JobsApi } from '../constructs/http/jobs-api';
import { SupabaseSettings, type SupabaseSettingsProps } from '../constructs/platform/supabase-settings';
import { RUNBOOK_OUTPUTS } from './runbook-outputs';
import { API_STACK } from './stack-outputs';

export interface ApiStackProps extends StackProps {
  readonly queues: Readonly<Record<Priority, IQueue>>;
  /** Health details reports its depth. */
  readonly deadLetterQueue: IQueue;
  readonly supabase: SupabaseSettingsProps;
  readonly logLevel: string;
  readonly stageName: string;
  /** The storage stack's key for directory account credentials (routes that open them). */
  readonly credentialsKey: IKey;
  /** The receiving domain: GET /customers/{id} shows the business's submission address on it. */
  readonly mailDomain: string;
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
      credentialsKey: props.credentialsKey,
    });
    this.jobsApi.functions.get('GET /customers/{id}')?.addEnvironment('MAIL_DOMAIN', props.mailDomain);
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

    // What scripts/api-keys.ts reads to issue keys into both API Gateway and Postgres (API_STACK).
    const outputs = API_STACK.outputs;
    new CfnOutput(this, outputs.apiUrl, { value: this.jobsApi.api.url });
    new CfnOutput(this, outputs.restApiId, { value: this.jobsApi.api.restApiId });
    new CfnOutput(this, outputs.stageName, { value: this.jobsApi.api.deploymentStage.stageName });
    for (const [tier, plan] of this.jobsApi.usagePlans) {
      new CfnOutput(this, outputs.usagePlanId(tier as CustomerTier), {
        value: plan.usagePlanId,
        description: `The ${tier} usage plan: keys of ${tier} customers${tier === 'enterprise' ? ', staff and admins' : ''}`,
      });
    }
    new CfnOutput(this, outputs.supabaseUrl, { value: props.supabase.url });
    new CfnOutput(this, outputs.supabaseServiceKeySecret, {
      value: props.supabase.serviceKeySecretArn ?? props.supabase.serviceKeySecretName ?? '',
      description: 'The secret holding the Supabase service-role key (its ARN or name)',
    });
    // Each route's function, for the API runbook (RUNBOOK_OUTPUTS): its logs, errors and duration.
    for (const route of API_ROUTES) {
      const fn = this.jobsApi.functions.get(routeKey(route));
      if (!fn) continue;
      new CfnOutput(this, RUNBOOK_OUTPUTS.api.function(route.name), {
        value: fn.functionName,
        description: `The Lambda behind ${routeKey(route)}`,
      });
    }
  }
}
