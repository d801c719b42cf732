import { randomBytes } from 'node:crypto';
import path from 'node:path';
import pg from 'pg';
import { API_ROUTES } from '../../lambdas/handlers/api/routes';
import type { Context, SESEvent } from 'aws-lambda';
import { ACCOUNTS, PRIORITIES, QUEUES } from '../../lambdas/platform/system-config';
import { startLocalKms } from '../emulators/kms';
import { invokeWithTimeout, lambdaContext } from '../emulators/lambda-context';
import { startSesInboundSmtp } from '../emulators/ses-inbound';
import { LOCAL_REGION, startLocalAws, type LocalAws } from '../emulators/sqs-s3';
import type { LocalConfig } from './config';
import { seedDemoData, startDatabase } from './database';
import { startDemoSite } from '../demo-site/server';
import type { SqsHandler } from '../emulators/sqs-event-source';
import { startSubmitterPollers } from './submitter-pollers';
import type { ApiRole } from '../../lambdas/platform/system-config';
import { createApiKey, databaseKeyStore } from './api-keys';
import { lambdaEnvironment } from './lambda-env';
import { startGateway, type ApiHandler, type Gateway } from '../emulators/api-gateway';
import { startOperations } from './operations';
import { startRpcServer } from '../emulators/supabase-rpc';
import { startSlackSink } from '../emulators/slack-webhook';

export interface LocalStack {
  gatewayUrl: string;
  /** Demo keys issued at start, one per role (staff: LOCAL_API_KEY when set; customer: DEMO-CUSTOMER-001's). */
  apiKeys: Record<ApiRole, string>;
  databaseUrl: string;
  /** The embedded server's data directory (undefined with DATABASE_URL). */
  databaseDir: string | undefined;
  /** The seeded demo customer (DEMO-CUSTOMER-001) and the demo directories, by slug. */
  demo: { customerId: string; directories: Array<{ id: string; slug: string }> };
  demoSiteUrl: string;
  aws: LocalAws;
  stop(): Promise<void>;
}

/** The inbound-mail Lambda's timeout, as the stacks give its function. */
const INBOUND_MAIL_TIMEOUT_MS = ACCOUNTS.inboundMail.timeoutSeconds * 1000;

/** API Gateway's integration timeout; the API Lambdas' own timeout in the stacks is below it. */
const API_TIMEOUT_MS = 29_000;

/**
 * Starts the whole system on this machine: PostgreSQL, the RPC endpoint supabase-js talks to,
 * SQS/S3 (fauxqs), the demo directory site, the API gateway and the submitter's queue pollers.
 * Every Lambda handler runs unchanged: it is configured through the same environment variables
 * the CDK stacks set in AWS.
 */
export async function startLocalStack(config: LocalConfig, log: (line: string) => void): Promise<LocalStack> {
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) {
      await stop().catch(() => undefined);
    }
  };
  try {
    const database = await startDatabase({
      databaseUrl: config.DATABASE_URL,
      dataDir: path.resolve(config.LOCAL_DATA_DIR, 'postgres'),
      seed: false, // seedDemoData below seeds and points the demo directories at the demo site
      notice: log,
    });
    stops.push(database.stop);
    log(
      `database      ${database.dataDir ? `embedded PostgreSQL, data in ${database.dataDir}` : 'DATABASE_URL'}`,
    );

    // The queues are kept beside the embedded database they belong to, so a restart loses no queued
    // message. With DATABASE_URL they stay in memory: that database may be dropped or recreated
    // behind our back, and kept messages would then name tasks that no longer exist.
    const queuesDir = database.dataDir ? path.resolve(config.LOCAL_DATA_DIR, 'queues') : undefined;
    const aws = await startLocalAws({ dataDir: queuesDir });
    stops.push(aws.stop);
    log(`sqs + s3      ${aws.endpoint} (fauxqs, ${queuesDir ? `data in ${queuesDir}` : 'in memory'})`);

    // Directory account credentials are sealed under a KMS key: the local KMS keeps its key material
    // beside the database whose rows it sealed (in memory with DATABASE_URL, like the queues).
    const kms = await startLocalKms({
      keyMaterialFile: database.dataDir ? path.resolve(config.LOCAL_DATA_DIR, 'kms-keys.json') : undefined,
    });
    stops.push(kms.stop);
    log(`kms           ${kms.endpoint} (credentials key ${kms.defaultKeyArn})`);

    // Mail to the submission addresses, as SES receives it: stored in the mail bucket, then handed to
    // the inbound-mail Lambda. The handler is loaded on the first mail, after the Lambda environment
    // below is set (it reads it at load).
    let inboundMail: ((event: SESEvent, context: Context) => Promise<unknown>) | undefined;
    const mailServer = await startSesInboundSmtp({
      domain: config.LOCAL_MAIL_DOMAIN,
      s3: aws.s3,
      bucket: aws.mailBucket,
      prefix: ACCOUNTS.mail.objectPrefix,
      deliver: async (event) => {
        inboundMail ??= (
          (await import('../../lambdas/handlers/inbound-mail')) as unknown as {
            handler: NonNullable<typeof inboundMail>;
          }
        ).handler;
        await invokeWithTimeout(
          () => inboundMail!(event, lambdaContext('inbound-mail', INBOUND_MAIL_TIMEOUT_MS)),
          INBOUND_MAIL_TIMEOUT_MS,
          'inbound-mail',
        );
      },
      onError: (error) =>
        log(`inbound mail: delivery failed (${error instanceof Error ? error.message : String(error)})`),
    });
    stops.push(mailServer.close);
    log(`mail (smtp)   ${mailServer.url} for *@${config.LOCAL_MAIL_DOMAIN} (stored in ${aws.mailBucket})`);

    const demoSite = await startDemoSite({
      port: config.DEMO_SITE_PORT,
      smtpUrl: mailServer.url,
      expiringLinkTtlMs: config.DEMO_EXPIRING_LINK_TTL_MS,
    });
    stops.push(demoSite.stop);
    const seedClient = new pg.Client({ connectionString: database.url });
    seedClient.on('error', (error) => log(`database: seed connection lost (${error.message})`));
    await seedClient.connect();
    const demoDirectories = await seedDemoData(seedClient, { demoSiteUrl: demoSite.url }).finally(() =>
      seedClient.end(),
    );
    log(`demo site     ${demoSite.url}`);

    const serviceKey = randomBytes(24).toString('hex');
    const rpcServer = await startRpcServer({ databaseUrl: database.url, serviceKey });
    stops.push(rpcServer.stop);

    // Slack: a real webhook when configured, else the local sink that prints and records alerts.
    let slackWebhookUrl = config.SLACK_WEBHOOK_URL;
    if (!slackWebhookUrl) {
      const sink = await startSlackSink({ log });
      stops.push(sink.stop);
      slackWebhookUrl = sink.webhookUrl;
      log(`slack sink    ${sink.url}/_alerts`);
    }

    // The same variables the stacks set on the Lambdas; the handlers read them at load.
    Object.assign(
      process.env,
      lambdaEnvironment({
        rpcUrl: rpcServer.url,
        serviceKey,
        aws,
        // The demo site, and the developer's own test sites from SUBMITTER_ALLOWED_HOSTS (kept, not
        // overwritten: a directory on a loopback test site can then be created and dry-run).
        allowedHosts: [new URL(demoSite.url).host, ...config.SUBMITTER_ALLOWED_HOSTS],
        logLevel: config.LOG_LEVEL,
        kms: { endpoint: kms.endpoint, keyArn: kms.defaultKeyArn },
        mail: { domain: config.LOCAL_MAIL_DOMAIN },
      }),
      { SLACK_WEBHOOK_URL: slackWebhookUrl },
    );

    const routes = await Promise.all(
      API_ROUTES.map(async (route) => {
        const module = (await import(`../../lambdas/${route.entry}`)) as { handler: ApiHandler };
        return { ...route, handler: module.handler };
      }),
    );
    // Demo keys, one per role, issued through the same SQL functions as any key (only hashes stored).
    const keyPool = new pg.Pool({ connectionString: database.url, max: 2 });
    // An idle connection that dies with the database emits `error` on the pool; unheard, it would end
    // the whole process. The pool opens a new connection on the next request once the database is back.
    keyPool.on('error', (error) => log(`database: key store connection lost (${error.message})`));
    stops.push(() => keyPool.end());
    const demoCustomer = await keyPool.query<{ id: string }>(
      "select id from customers where external_ref = 'DEMO-CUSTOMER-001'",
    );
    const apiKeys: Record<ApiRole, string> = {
      staff:
        config.LOCAL_API_KEY ?? (await createApiKey(keyPool, { role: 'staff', label: 'local demo' })).key,
      admin: (await createApiKey(keyPool, { role: 'admin', label: 'local demo' })).key,
      customer: (
        await createApiKey(keyPool, {
          role: 'customer',
          customerId: demoCustomer.rows[0]?.id,
          label: 'local demo',
        })
      ).key,
    };
    if (config.LOCAL_API_KEY) {
      const known = await databaseKeyStore(keyPool)(config.LOCAL_API_KEY);
      if (!known)
        await createApiKey(keyPool, { role: 'staff', label: 'LOCAL_API_KEY', key: config.LOCAL_API_KEY });
    }
    const gateway: Gateway = await startGateway({
      routes,
      apiKeys: databaseKeyStore(keyPool),
      port: config.PORT,
      host: config.HOST,
      functionTimeoutMs: API_TIMEOUT_MS,
    });
    stops.push(gateway.stop);
    log(`api gateway   ${gateway.url}`);

    const submitter = (await import('../../lambdas/handlers/submitter')) as {
      handler: SqsHandler;
      shutdown?: () => Promise<void>;
    };
    if (submitter.shutdown) stops.push(submitter.shutdown);
    const pollers = startSubmitterPollers({
      sqs: aws.sqs,
      queues: aws.queues,
      region: LOCAL_REGION,
      handler: submitter.handler,
      log,
    });
    stops.push(pollers.stop);
    log(`submitters    polling ${PRIORITIES.map((p) => QUEUES.tasks[p].name).join(', ')}`);

    const operations = await startOperations(
      {
        sweepSeconds: config.LOCAL_SWEEP_INTERVAL_SECONDS,
        dlqCheckSeconds: config.LOCAL_DLQ_CHECK_INTERVAL_SECONDS,
        retentionSeconds: config.LOCAL_RETENTION_INTERVAL_SECONDS,
      },
      log,
    );
    stops.push(operations.stop);
    log(
      `operations    sweeper every ${config.LOCAL_SWEEP_INTERVAL_SECONDS}s, DLQ monitor every ` +
        `${config.LOCAL_DLQ_CHECK_INTERVAL_SECONDS}s, retention every ${config.LOCAL_RETENTION_INTERVAL_SECONDS}s`,
    );

    const demoCustomerId = demoCustomer.rows[0]?.id;
    if (!demoCustomerId) throw new Error('The demo customer DEMO-CUSTOMER-001 is missing from the seed');
    return {
      gatewayUrl: gateway.url,
      apiKeys,
      databaseUrl: database.url,
      databaseDir: database.dataDir,
      demo: {
        customerId: demoCustomerId,
        directories: demoDirectories.map(({ id, slug }) => ({ id, slug })),
      },
      demoSiteUrl: demoSite.url,
      aws,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
