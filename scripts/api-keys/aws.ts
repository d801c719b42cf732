/**
 * The AWS side of the API keys CLI: the GatewayKeys port on @aws-sdk/client-api-gateway, and the
 * deployed stack's outputs (usage plans, Supabase URL and key secret) from CloudFormation. Credentials
 * and region come from the SDK's standard chain (AWS_PROFILE, AWS_REGION, SSO, ...).
 */
import {
  APIGatewayClient,
  CreateApiKeyCommand,
  CreateUsagePlanKeyCommand,
  DeleteApiKeyCommand,
  GetApiKeysCommand,
  type PatchOperation,
  UpdateApiKeyCommand,
} from '@aws-sdk/client-api-gateway';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { API_STACK } from '../../lib/stacks/stack-outputs';
import { CUSTOMER_TIERS, type CustomerTier } from '../../lambdas/platform/system-config';
import type { GatewayKey, GatewayKeys, GatewayTarget } from './key-sync';

export function apiGatewayKeys(client: APIGatewayClient): GatewayKeys {
  return {
    async createKey({ name, value, description }) {
      const created = await client.send(new CreateApiKeyCommand({ name, value, description, enabled: true }));
      if (!created.id) throw new Error('API Gateway returned no key id');
      return created.id;
    },
    async addToUsagePlan(keyId, usagePlanId) {
      await client.send(new CreateUsagePlanKeyCommand({ usagePlanId, keyId, keyType: 'API_KEY' }));
    },
    async updateKey(keyId, change) {
      const patchOperations: PatchOperation[] = [];
      if (change.name !== undefined)
        patchOperations.push({ op: 'replace', path: '/name', value: change.name });
      if (change.enabled !== undefined) {
        patchOperations.push({ op: 'replace', path: '/enabled', value: String(change.enabled) });
      }
      await client.send(new UpdateApiKeyCommand({ apiKey: keyId, patchOperations }));
    },
    async deleteKey(keyId) {
      await client.send(new DeleteApiKeyCommand({ apiKey: keyId }));
    },
    async listKeys(namePrefix) {
      const keys: GatewayKey[] = [];
      let position: string | undefined;
      do {
        const page = await client.send(
          new GetApiKeysCommand({ nameQuery: namePrefix, includeValues: false, limit: 500, position }),
        );
        for (const item of page.items ?? []) {
          if (item.id && item.name?.startsWith(namePrefix)) {
            keys.push({ id: item.id, name: item.name, enabled: item.enabled === true });
          }
        }
        position = page.position;
      } while (position);
      return keys;
    },
  };
}

export interface DeployedApi {
  target: GatewayTarget;
  apiUrl: string;
  supabaseUrl: string;
  /** The secret holding the Supabase service key: its ARN or name. */
  supabaseServiceKeySecret: string;
}

/** The Api stack's outputs (lib/stacks/stack-outputs.ts names them); a missing one is an error naming it. */
export async function readDeployedApi(client: CloudFormationClient, stackName: string): Promise<DeployedApi> {
  const { Stacks } = await client.send(new DescribeStacksCommand({ StackName: stackName }));
  const outputs = new Map((Stacks?.[0]?.Outputs ?? []).map((o) => [o.OutputKey, o.OutputValue]));
  const output = (key: string): string => {
    const value = outputs.get(key);
    if (!value) throw new Error(`Stack ${stackName} has no output ${key}: deploy the current version first`);
    return value;
  };
  const names = API_STACK.outputs;
  return {
    target: {
      keyNamePrefix: `${stackName}-`,
      usagePlanIds: Object.fromEntries(
        CUSTOMER_TIERS.map((tier) => [tier, output(names.usagePlanId(tier))]),
      ) as Record<CustomerTier, string>,
    },
    apiUrl: output(names.apiUrl),
    supabaseUrl: output(names.supabaseUrl),
    supabaseServiceKeySecret: output(names.supabaseServiceKeySecret),
  };
}

/** The Supabase service key: the secret's plain string value, as the Lambdas read it. */
export async function readServiceKey(client: SecretsManagerClient, secretId: string): Promise<string> {
  const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
  if (!SecretString?.trim()) throw new Error(`Secret ${secretId} has no string value`);
  return SecretString.trim();
}

export function awsClients(region: string | undefined) {
  const config = region ? { region } : {};
  return {
    apiGateway: new APIGatewayClient(config),
    cloudFormation: new CloudFormationClient(config),
    secretsManager: new SecretsManagerClient(config),
  };
}
