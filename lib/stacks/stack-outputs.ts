import { CUSTOMER_TIERS, type CustomerTier } from '../../lambdas/platform/system-config';

/**
 * The names of the stack outputs that tools read after a deploy (scripts/api-keys.ts finds the usage
 * plans and Supabase through them): one definition for the stack that writes them and the tools that
 * read them. Plain data, so a tool imports it without loading the CDK.
 */
export const API_STACK = {
  /** The stack's name (bin/app.ts): the API keys CLI's default `--stack`. */
  name: 'DirectoryBolt-Api',
  outputs: {
    apiUrl: 'ApiUrl',
    restApiId: 'RestApiId',
    stageName: 'StageName',
    supabaseUrl: 'SupabaseUrl',
    /** The Supabase service key's secret: its ARN or name, as the deployment gave it. */
    supabaseServiceKeySecret: 'SupabaseServiceKeySecret',
    /** One per customer tier: `UsagePlanIdStarter`, `UsagePlanIdPro`, `UsagePlanIdEnterprise`. */
    usagePlanId: (tier: CustomerTier) => `UsagePlanId${tier.charAt(0).toUpperCase()}${tier.slice(1)}`,
  },
} as const;

export const USAGE_PLAN_OUTPUTS: readonly string[] = CUSTOMER_TIERS.map(API_STACK.outputs.usagePlanId);
