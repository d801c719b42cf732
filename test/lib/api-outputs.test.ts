/**
 * The outputs scripts/api-keys.ts reads after a deploy (lib/stacks/stack-outputs.ts): they exist under
 * the names it uses and point at the usage plans, stage and Supabase settings it needs.
 */
import type { Template } from 'aws-cdk-lib/assertions';
import { API, CUSTOMER_TIERS } from '../../lambdas/platform/system-config';
import { API_STACK, USAGE_PLAN_OUTPUTS } from '../../lib/stacks/stack-outputs';
import { buildTestApp, DEPLOY_CONTEXT, type TestApp } from './app-fixture';

type Outputs = Record<string, { Value: unknown; Description?: string }>;

let testApp: TestApp;
let api: Template;
let outputs: Outputs;
beforeAll(() => {
  testApp = buildTestApp();
  api = testApp.template('api');
  outputs = api.findOutputs('*') as Outputs;
});
afterAll(() => testApp.cleanup());

const planIdOf = (tier: string): string => {
  const [id] = Object.entries(api.findResources('AWS::ApiGateway::UsagePlan')).find(
    ([, plan]) =>
      (plan as { Properties: { UsagePlanName: string } }).Properties.UsagePlanName ===
      `directorybolt-${tier}`,
  )!;
  return id;
};

it('is the stack the CLI looks for by default', () => {
  expect(testApp.stacks.api.stackName).toBe(API_STACK.name);
});

it.each(CUSTOMER_TIERS)('outputs the %s usage plan id under the name the CLI reads', (tier) => {
  expect(API.usagePlans[tier]).toBeDefined();
  expect(outputs[API_STACK.outputs.usagePlanId(tier)]?.Value).toEqual({ Ref: planIdOf(tier) });
});

it('outputs one usage plan per tier and nothing else under that prefix', () => {
  expect(
    Object.keys(outputs)
      .filter((name) => name.startsWith('UsagePlanId'))
      .sort(),
  ).toEqual([...USAGE_PLAN_OUTPUTS].sort());
});

it('outputs the API, its stage and the Supabase settings the CLI needs', () => {
  const restApiId = Object.keys(api.findResources('AWS::ApiGateway::RestApi'))[0]!;
  const stageId = Object.keys(api.findResources('AWS::ApiGateway::Stage'))[0]!;
  expect(outputs[API_STACK.outputs.restApiId]?.Value).toEqual({ Ref: restApiId });
  expect(outputs[API_STACK.outputs.stageName]?.Value).toEqual({ Ref: stageId });
  expect(JSON.stringify(outputs[API_STACK.outputs.apiUrl]?.Value)).toContain(restApiId);
  expect(outputs[API_STACK.outputs.supabaseUrl]?.Value).toBe(DEPLOY_CONTEXT.supabaseUrl);
  expect(outputs[API_STACK.outputs.supabaseServiceKeySecret]?.Value).toBe(
    DEPLOY_CONTEXT.supabaseServiceKeySecretName,
  );
});

it('outputs a secret ARN when the deployment gives one', () => {
  const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/supabase-AbCdEf';
  const withArn = buildTestApp({ context: { supabaseServiceKeySecretArn: arn } });
  try {
    expect(
      withArn.template('api').findOutputs(API_STACK.outputs.supabaseServiceKeySecret)[
        API_STACK.outputs.supabaseServiceKeySecret
      ]?.Value,
    ).toBe(arn);
  } finally {
    withArn.cleanup();
  }
});

it('the stage the usage plans meter is the stage the API deploys', () => {
  const stageId = Object.keys(api.findResources('AWS::ApiGateway::Stage'))[0]!;
  for (const tier of CUSTOMER_TIERS) {
    const plan = api.findResources('AWS::ApiGateway::UsagePlan')[planIdOf(tier)] as {
      Properties: { ApiStages: { Stage: unknown }[] };
    };
    expect(plan.Properties.ApiStages).toEqual([expect.objectContaining({ Stage: { Ref: stageId } })]);
  }
});
