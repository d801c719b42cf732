/**
 * Reading the Supabase service key when Secrets Manager fails for a while: the real SDK client (through
 * Powertools) talks HTTP to a stand-in answering as Secrets Manager does (JSON 1.1, `X-Amz-Target:
 * secretsmanager.GetSecretValue`), which fails the first N requests. AWS_ENDPOINT_URL_SECRETS_MANAGER
 * points the client at it, the way the SDK's own configuration allows, so nothing in lambdas/ changes.
 */
import { startRpcServer, type RpcServer } from '../../../local/emulators/supabase-rpc';
import { registered } from '../../support/log-scan';
import {
  startSecretsManagerStandIn,
  type Failure,
  type SecretsManagerStandIn,
} from '../../support/secrets-manager-stand-in';
import { createTestDatabase, type TestDatabase } from '../../support/database';
import { API, QUEUES, SECRETS, TASKS } from '../../../lambdas/platform/system-config';

const arn = (name: string) => `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${name}-AbCdEf`;
const SERVICE_KEY = registered('sm-stand-in-service-key-0123456789abcdef');

let standIn: SecretsManagerStandIn;
let db: TestDatabase;
let rpcServer: RpcServer;
let secrets: typeof import('../../../lambdas/platform/secrets');
const saved = { ...process.env };

beforeAll(async () => {
  standIn = await startSecretsManagerStandIn();
  db = await createTestDatabase();
  rpcServer = await startRpcServer({ databaseUrl: db.url, serviceKey: SERVICE_KEY });
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_SECRETS_MANAGER: standIn.url,
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'AKIDSTANDIN',
    AWS_SECRET_ACCESS_KEY: 'stand-in-secret',
    SUPABASE_URL: rpcServer.url,
    SUPABASE_SERVICE_KEY_SECRET_ARN: arn('directorybolt/supabase-service-key'),
  });
  delete process.env.SUPABASE_SERVICE_KEY;
  // Imported after the environment is set: the clients are created at module load, as in Lambda.
  secrets = await import('../../../lambdas/platform/secrets');
});

afterAll(async () => {
  process.env = saved;
  await rpcServer?.stop();
  await db?.drop();
  await standIn?.close();
});

describe('the Supabase key read when Secrets Manager fails for a while', () => {
  it('retries inside the invocation and the client then works with the key', async () => {
    // Prepare: the first three reads fail as a Secrets Manager outage does (HTTP 500)
    standIn.set(arn('directorybolt/supabase-service-key'), `${SERVICE_KEY}\n`, { kind: 'http500', times: 3 });
    // The handlers' way to the database (lambdas/platform/database.ts), reading the key as deployed.
    const { serviceRpc } = await import('../../../lambdas/platform/database');
    // Act
    const rpc = await serviceRpc();
    const keys = await rpc<unknown[]>('list_api_keys', {});
    // Assess: four requests (three failures, one success), and the key (trimmed) is accepted
    expect(standIn.requests.get(arn('directorybolt/supabase-service-key'))).toBe(4);
    expect(Array.isArray(keys)).toBe(true);
  });

  it.each<[Failure, number]>([
    ['drop', 2],
    ['throttled', 4],
  ])('retries %s answers (%i of them)', async (kind, times) => {
    const id = arn(`retry-${kind}`);
    standIn.set(id, 'the-value', { kind, times });
    await expect(secrets.readSecret(id, { retry: { baseDelayMs: 10 } })).resolves.toBe('the-value');
    expect(standIn.requests.get(id)).toBe(times + 1);
  });

  it('gives up after SECRETS.read.attempts reads, with an error naming the secret and the cause', async () => {
    const id = arn('always-down');
    standIn.set(id, 'never-read', { kind: 'http500', times: 1_000 });
    const started = Date.now();
    const failure = secrets.readSecret(id);
    await expect(failure).rejects.toThrow(
      new RegExp(
        `Secret ${id} could not be read after ${SECRETS.read.attempts} attempts .*InternalServiceError`,
      ),
    );
    expect(standIn.requests.get(id)).toBe(SECRETS.read.attempts);
    expect(Date.now() - started).toBeLessThan(SECRETS.read.budgetMs + 1_000);
  });

  it('stops within the time budget even when attempts remain', async () => {
    const id = arn('slow-budget');
    standIn.set(id, 'never-read', { kind: 'http500', times: 1_000 });
    const error = (await secrets
      .readSecret(id, { retry: { attempts: 50, baseDelayMs: 100, maxDelayMs: 100, budgetMs: 400 } })
      .catch((e: unknown) => e)) as InstanceType<typeof secrets.SecretReadError>;
    expect(error).toBeInstanceOf(secrets.SecretReadError);
    expect(error.attempts).toBeLessThan(50);
    expect(standIn.requests.get(id)).toBe(error.attempts);
  });

  it('does not retry a secret that does not exist', async () => {
    const id = arn('missing');
    standIn.set(id, 'x', { kind: 'not-found', times: 1_000 });
    await expect(secrets.readSecret(id)).rejects.toThrow(
      `Secret ${id} cannot be read: ResourceNotFoundException`,
    );
    expect(standIn.requests.get(id)).toBe(1);
  });
});

describe('the receive margin for infrastructure outages', () => {
  it('keeps QUEUES.outageReceives receives between the retry budget and maxReceiveCount', () => {
    expect(QUEUES.maxReceiveCount - TASKS.retryBudget).toBe(QUEUES.outageReceives);
    // each spare receive is one failed batch plus a visibility timeout: about an hour in all
    expect(QUEUES.outageReceives * QUEUES.visibilityTimeoutSeconds).toBeGreaterThanOrEqual(3600);
  });

  it('a read gives up inside the API handlers\u2019 timeout', () => {
    expect(SECRETS.read.budgetMs + SECRETS.read.requestTimeoutMs).toBeLessThan(
      API.handler.timeoutSeconds * 1000,
    );
  });
});
