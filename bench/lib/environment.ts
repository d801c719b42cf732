import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startLocalAws, type LocalAws } from '../../local/emulators/sqs-s3';
import { seedDemoData, startDatabase } from '../../local/runtime/database';
import { startDemoSite, type DemoSite } from '../../local/demo-site/server';
import { lambdaEnvironment } from '../../local/runtime/lambda-env';
import { startRpcServer } from '../../local/emulators/supabase-rpc';

export interface BenchEnvironment {
  databaseUrl: string;
  pool: pg.Pool;
  demoSite: DemoSite;
  aws: LocalAws;
  customerId: string;
  /** Creates `count` directories whose forms live on the demo site at `formPath`. */
  directories(count: number, formPath?: string): Promise<string[]>;
  stop(): Promise<void>;
}

/**
 * The real parts a benchmark drives, on this machine: a throwaway embedded PostgreSQL (migrated and
 * seeded), the RPC endpoint, fauxqs and the demo directory site. Sets the Lambdas' environment so
 * handlers imported afterwards run as deployed.
 */
export async function startBenchEnvironment(): Promise<BenchEnvironment> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'directorybolt-bench-'));
  const database = await startDatabase({
    databaseUrl: process.env.DATABASE_URL,
    // The temporary folder itself: as root it is handed to the `postgres` user, who can reach it.
    dataDir,
    ephemeral: true,
    seed: false,
  });
  const pool = new pg.Pool({ connectionString: database.url, max: 20 });
  // An idle client dropped while the database stops must not crash the benchmark.
  pool.on('error', () => undefined);
  const demoSite = await startDemoSite();
  await seedDemoData(pool, { demoSiteUrl: demoSite.url });
  const serviceKey = randomBytes(24).toString('hex');
  const rpc = await startRpcServer({ databaseUrl: database.url, serviceKey, maxConnections: 20 });
  const aws = await startLocalAws();
  Object.assign(
    process.env,
    lambdaEnvironment({
      rpcUrl: rpc.url,
      serviceKey,
      aws,
      allowedHosts: [new URL(demoSite.url).host],
      logLevel: 'ERROR',
    }),
  );
  const customer = await pool.query<{ id: string }>(
    "select id from customers where external_ref = 'DEMO-CUSTOMER-001'",
  );

  let made = 0;
  return {
    databaseUrl: database.url,
    pool,
    demoSite,
    aws,
    customerId: customer.rows[0]!.id,
    directories: async (count, formPath = '/forms/plain') => {
      const ids: string[] = [];
      for (let i = 0; i < count; i += 1) {
        made += 1;
        const result = await pool.query<{ id: string }>(
          `insert into directories (slug, name, submission_url, domain_authority, active, max_concurrency)
           values ($1, $2, $3, 50, true, 100) returning id`,
          [
            `bench-${made}-${randomBytes(3).toString('hex')}`,
            `Bench directory ${made}`,
            `${demoSite.url}${formPath}`,
          ],
        );
        ids.push(result.rows[0]!.id);
      }
      return ids;
    },
    stop: async () => {
      await aws.stop();
      await rpc.stop();
      await demoSite.stop();
      await pool.end();
      await database.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
