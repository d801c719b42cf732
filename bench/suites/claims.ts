import { PgBoss } from 'pg-boss';
import pg from 'pg';
import { startBenchEnvironment } from '../lib/environment';
import { round, since, speedup } from '../lib/stats';
import type { Suite } from '../lib/suite';

/**
 * 5. Claims under contention: N workers claiming tasks with claim_task (leased, fenced, audited) on
 * real Postgres, against pg-boss's fetch (SKIP LOCKED, no lease fencing, no audit row) on the same
 * database in the same run. Both use one connection per worker and fetch one item per call.
 */
export const claims: Suite = {
  name: 'claims',
  async run({ quick }) {
    const total = quick ? 400 : 3000;
    const workers = 8;
    const env = await startBenchEnvironment();
    const rows: (string | number)[][] = [];
    const figures: Record<string, number> = {};
    try {
      // Ours: tasks of jobs of 50 directories, claimed through the SQL function the submitter calls.
      const directoryIds = await env.directories(50);
      const taskIds: string[] = [];
      while (taskIds.length < total) {
        // Each job's tasks must be submissions, not duplicates of the previous job's listings.
        await env.pool.query('delete from business_listings');
        const created = await env.pool.query<{ job: { tasks: { task_id: string }[] } }>(
          'select create_job($1, $2) as job',
          [env.customerId, directoryIds],
        );
        taskIds.push(...created.rows[0]!.job.tasks.map((task) => task.task_id));
      }
      const queue = taskIds.slice(0, total);
      const oursMs = await withWorkers(env.databaseUrl, workers, async (client, worker) => {
        let claimed = 0;
        for (;;) {
          const taskId = queue.pop();
          if (!taskId) return claimed;
          const result = await client.query<{ r: { claimed: boolean } }>(
            'select claim_task($1, $2, 180) as r',
            [taskId, `bench-worker-${worker}`],
          );
          if (result.rows[0]!.r.claimed) claimed += 1;
        }
      });

      // pg-boss on the same database, its own schema.
      const boss = new PgBoss({
        connectionString: env.databaseUrl,
        schema: 'pgboss_bench',
        max: workers + 2,
      });
      boss.on('error', () => undefined);
      await boss.start();
      await boss.createQueue('bench');
      for (let i = 0; i < total; i += 500) {
        await boss.insert(
          'bench',
          Array.from({ length: Math.min(500, total - i) }, (_, k) => ({ data: { n: i + k } })),
        );
      }
      let remaining = total;
      const bossStart = performance.now();
      await Promise.all(
        Array.from({ length: workers }, async () => {
          while (remaining > 0) {
            const jobs = await boss.fetch('bench', { batchSize: 1 });
            if (jobs.length === 0) return;
            remaining -= jobs.length;
          }
        }),
      );
      const bossMs = since(bossStart);
      await boss.stop({ graceful: false, close: true });

      const oursPerSecond = (total / oursMs.ms) * 1000;
      const bossPerSecond = (total / bossMs) * 1000;
      figures.claimsPerSecond = oursPerSecond;
      figures.pgBossFetchesPerSecond = bossPerSecond;
      rows.push([
        'claim_task (lease + fencing + queue_history row)',
        total,
        round(oursMs.ms),
        round(oursPerSecond),
      ]);
      rows.push(['pg-boss fetch (batch size 1)', total, round(bossMs), round(bossPerSecond)]);
      rows.push(['pg-boss / ours, time', '', '', speedup(oursMs.ms, bossMs)]);
      if (oursMs.claimed !== total)
        throw new Error(`claimed ${oursMs.claimed} of ${total}: a claim was lost or doubled`);
    } finally {
      await env.stop();
    }
    return {
      title: 'Claims under contention',
      method: `${total} items, ${workers} concurrent workers, one connection each, one item per call, same embedded PostgreSQL 17.`,
      columns: ['claimer', 'items', 'total ms', 'per second'],
      rows,
      figures,
    };
  },
};

async function withWorkers(
  databaseUrl: string,
  count: number,
  work: (client: pg.Client, worker: number) => Promise<number>,
): Promise<{ ms: number; claimed: number }> {
  const clients = await Promise.all(
    Array.from({ length: count }, async () => {
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      await client.query('set role service_role');
      return client;
    }),
  );
  try {
    const start = performance.now();
    const counts = await Promise.all(clients.map((client, index) => work(client, index)));
    return { ms: since(start), claimed: counts.reduce((sum, n) => sum + n, 0) };
  } finally {
    await Promise.all(clients.map((client) => client.end()));
  }
}
