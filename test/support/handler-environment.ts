import { randomBytes, randomUUID } from 'node:crypto';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEvent, Context, SQSRecord } from 'aws-lambda';
import { LOCAL_REGION, startLocalAws, type LocalAws } from '../../local/emulators/sqs-s3';
import { seedDemoData } from '../../local/runtime/database';
import { startDemoSite, type DemoSite } from '../../local/demo-site/server';
import { toRecord } from '../../local/emulators/sqs-event-source';
import { lambdaEnvironment } from '../../local/runtime/lambda-env';
import { lambdaContext } from '../../local/emulators/lambda-context';
import { startRpcServer } from '../../local/emulators/supabase-rpc';
import type { Priority } from '../../lambdas/platform/system-config';
import { registerSecret } from './log-scan';
import { createTestDatabase, type TestDatabase } from './database';

export interface HandlerEnvironment {
  db: TestDatabase;
  aws: LocalAws;
  demoSite: DemoSite;
  demoCustomerId: string;
  demoDirectories: { id: string; slug: string; submission_url: string }[];
  /** Receives what is visible on a priority queue now, as Lambda event records. */
  receive(priority: Priority, max?: number): Promise<SQSRecord[]>;
  stop(): Promise<void>;
}

/**
 * The parts a Lambda handler talks to, real and on this machine: a fresh Postgres database behind
 * the RPC endpoint, fauxqs for SQS and S3, and the demo directory site. Sets the environment
 * variables the stacks set in AWS, so handlers imported afterwards run exactly as deployed.
 */
export async function startHandlerEnvironment(): Promise<HandlerEnvironment> {
  const db = await createTestDatabase();
  const demoSite = await startDemoSite();
  const demoDirectories = await seedDemoData(db.pool, { demoSiteUrl: demoSite.url });
  const customer = await db.pool.query<{ id: string }>(
    "select id from customers where external_ref = 'DEMO-CUSTOMER-001'",
  );
  const serviceKey = randomBytes(16).toString('hex');
  registerSecret(serviceKey);
  const rpcServer = await startRpcServer({ databaseUrl: db.url, serviceKey });
  const aws = await startLocalAws();
  Object.assign(
    process.env,
    lambdaEnvironment({
      rpcUrl: rpcServer.url,
      serviceKey,
      aws,
      allowedHosts: [new URL(demoSite.url).host],
      logLevel: 'SILENT',
    }),
    { POWERTOOLS_METRICS_DISABLED: 'true' },
  );

  return {
    db,
    aws,
    demoSite,
    demoCustomerId: customer.rows[0]!.id,
    demoDirectories,
    receive: async (priority, max = 10) => {
      const { Messages } = await aws.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: aws.queues[priority].url,
          MaxNumberOfMessages: max,
          WaitTimeSeconds: 1,
          MessageSystemAttributeNames: ['All'],
        }),
      );
      return (Messages ?? []).map((message) =>
        toRecord(message, { queueArn: aws.queues[priority].arn, region: LOCAL_REGION }),
      );
    },
    stop: async () => {
      await aws.stop();
      await rpcServer.stop();
      await demoSite.stop();
      await db.drop();
    },
  };
}

/** A REST API (proxy integration) event, as API Gateway sends it to a Lambda. */
export function apiEvent(init: {
  method: string;
  resource: string;
  path: string;
  body?: string | null;
  pathParameters?: Record<string, string> | null;
  headers?: Record<string, string>;
}): APIGatewayProxyEvent {
  const headers = { 'content-type': 'application/json', ...init.headers };
  return {
    resource: init.resource,
    path: init.path,
    httpMethod: init.method,
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: init.pathParameters ?? null,
    stageVariables: null,
    body: init.body ?? null,
    isBase64Encoded: false,
    requestContext: {
      requestId: randomUUID(),
      resourcePath: init.resource,
      httpMethod: init.method,
      path: init.path,
      stage: 'test',
      identity: { sourceIp: '127.0.0.1', apiKeyId: 'test-key' },
    } as unknown as APIGatewayProxyEvent['requestContext'],
  };
}

export function context(functionName: string): Context {
  return lambdaContext(functionName, 60_000);
}
