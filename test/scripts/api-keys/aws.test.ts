/**
 * scripts/api-keys/aws.ts on the wire: the real @aws-sdk/client-api-gateway client against an HTTP
 * stand-in that answers API Gateway's REST routes as the service documents them and records what it
 * was sent (paths, bodies, patch operations). The stack-output reader is checked against a stubbed
 * DescribeStacks answer.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { apiGatewayKeys, readDeployedApi } from '../../../scripts/api-keys/aws';
import { API_STACK } from '../../../lib/stacks/stack-outputs';
import { CUSTOMER_TIERS } from '../../../lambdas/platform/system-config';

interface Seen {
  method: string;
  path: string;
  body: unknown;
}

let server: Server;
let client: APIGatewayClient;
const seen: Seen[] = [];
/** GET /apikeys pages, served in order. */
let pages: { item: unknown[]; position?: string }[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      seen.push({ method: request.method!, path: request.url!, body: text ? JSON.parse(text) : undefined });
      const reply = (status: number, body?: unknown) => {
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(body === undefined ? '' : JSON.stringify(body));
      };
      if (request.method === 'POST' && request.url === '/apikeys')
        return reply(201, { id: 'k123', enabled: true });
      if (request.method === 'POST' && request.url?.startsWith('/usageplans/')) {
        return reply(201, { id: 'k123', type: 'API_KEY' });
      }
      if (request.method === 'PATCH') return reply(200, { id: 'k123' });
      if (request.method === 'DELETE') return reply(202);
      if (request.method === 'GET' && request.url?.startsWith('/apikeys')) return reply(200, pages.shift());
      return reply(404, { message: 'not found' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  client = new APIGatewayClient({
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'AKIDSTANDIN', secretAccessKey: 'stand-in' },
  });
});

afterAll(async () => {
  client.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  seen.length = 0;
});

it('creates an enabled key with the given value, then adds it to the usage plan', async () => {
  const gateway = apiGatewayKeys(client);
  const id = await gateway.createKey({ name: 'DirectoryBolt-Api-abc', value: 'dbk_value', description: 'd' });
  await gateway.addToUsagePlan(id, 'plan9');
  expect(seen).toEqual([
    {
      method: 'POST',
      path: '/apikeys',
      body: { name: 'DirectoryBolt-Api-abc', value: 'dbk_value', description: 'd', enabled: true },
    },
    { method: 'POST', path: '/usageplans/plan9/keys', body: { keyId: 'k123', keyType: 'API_KEY' } },
  ]);
});

it('renames and disables with patch operations, and deletes', async () => {
  const gateway = apiGatewayKeys(client);
  await gateway.updateKey('k123', { name: 'DirectoryBolt-Api-new', enabled: false });
  await gateway.deleteKey('k9');
  expect(seen).toEqual([
    {
      method: 'PATCH',
      path: '/apikeys/k123',
      body: {
        patchOperations: [
          { op: 'replace', path: '/name', value: 'DirectoryBolt-Api-new' },
          { op: 'replace', path: '/enabled', value: 'false' },
        ],
      },
    },
    { method: 'DELETE', path: '/apikeys/k9', body: undefined },
  ]);
});

it('lists keys by name prefix over every page, without their values', async () => {
  pages = [
    { item: [{ id: 'a', name: 'DirectoryBolt-Api-1', enabled: true }], position: 'next' },
    {
      item: [
        { id: 'b', name: 'DirectoryBolt-Api-2', enabled: false },
        { id: 'c', name: 'Other-DirectoryBolt-Api-3', enabled: true },
      ],
    },
  ];
  const keys = await apiGatewayKeys(client).listKeys('DirectoryBolt-Api-');
  expect(keys).toEqual([
    { id: 'a', name: 'DirectoryBolt-Api-1', enabled: true },
    { id: 'b', name: 'DirectoryBolt-Api-2', enabled: false },
  ]);
  expect(seen.map((s) => new URL(s.path, 'http://x').searchParams.get('includeValues'))).toEqual([
    'false',
    'false',
  ]);
  expect(new URL(seen[1]!.path, 'http://x').searchParams.get('position')).toBe('next');
  expect(new URL(seen[0]!.path, 'http://x').searchParams.get('name')).toBe('DirectoryBolt-Api-');
});

describe('readDeployedApi', () => {
  const stub = (outputs: Record<string, string>) =>
    ({
      send: async () => ({
        Stacks: [
          {
            Outputs: Object.entries(outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
          },
        ],
      }),
    }) as unknown as CloudFormationClient;
  const all: Record<string, string> = {
    [API_STACK.outputs.apiUrl]: 'https://abc.execute-api.eu-west-1.amazonaws.com/v1/',
    [API_STACK.outputs.supabaseUrl]: 'https://ref.supabase.co',
    [API_STACK.outputs.supabaseServiceKeySecret]: 'directorybolt/supabase-service-key',
    ...Object.fromEntries(CUSTOMER_TIERS.map((t) => [API_STACK.outputs.usagePlanId(t), `plan-${t}`])),
  };

  it('reads the usage plans and Supabase settings from the stack outputs', async () => {
    const deployed = await readDeployedApi(stub(all), 'DirectoryBolt-Api');
    expect(deployed).toEqual({
      target: {
        keyNamePrefix: 'DirectoryBolt-Api-',
        usagePlanIds: { enterprise: 'plan-enterprise', pro: 'plan-pro', starter: 'plan-starter' },
      },
      apiUrl: 'https://abc.execute-api.eu-west-1.amazonaws.com/v1/',
      supabaseUrl: 'https://ref.supabase.co',
      supabaseServiceKeySecret: 'directorybolt/supabase-service-key',
    });
  });

  it('names a missing output', async () => {
    const withoutPro = { ...all };
    delete withoutPro[API_STACK.outputs.usagePlanId('pro')];
    await expect(readDeployedApi(stub(withoutPro), 'DirectoryBolt-Api')).rejects.toThrow(
      'Stack DirectoryBolt-Api has no output UsagePlanIdPro: deploy the current version first',
    );
  });
});
