import type { Stage } from 'aws-cdk-lib/aws-apigateway';
import { CfnWebACL, CfnWebACLAssociation } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { API } from '../../../lambdas/platform/system-config';

export interface ApiRateLimitProps {
  readonly stage: Stage;
}

/**
 * The per-IP layer of rate limiting (usage plans limit per key, Postgres per key and route): a WAF
 * rate-based rule in front of the stage blocks floods before they reach API Gateway's key checks.
 */
export class ApiRateLimit extends Construct {
  readonly webAcl: CfnWebACL;

  constructor(scope: Construct, id: string, props: ApiRateLimitProps) {
    super(scope, id);
    const metricName = 'directorybolt-api';
    this.webAcl = new CfnWebACL(this, 'WebAcl', {
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: { cloudWatchMetricsEnabled: true, metricName, sampledRequestsEnabled: true },
      rules: [
        {
          name: 'rate-per-ip',
          priority: 0,
          action: { block: {} },
          statement: {
            rateBasedStatement: { aggregateKeyType: 'IP', limit: API.waf.requestsPerIpPer5Minutes },
          },
          visibilityConfig: {
            cloudWatchMetricsEnabled: true,
            metricName: `${metricName}-rate-per-ip`,
            sampledRequestsEnabled: true,
          },
        },
      ],
    });
    new CfnWebACLAssociation(this, 'Association', {
      resourceArn: props.stage.stageArn,
      webAclArn: this.webAcl.attrArn,
    });
  }
}
