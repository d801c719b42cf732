import { startBenchApi } from '../lib/api';
import { startBenchEnvironment } from '../lib/environment';
import { percentile, round, since } from '../lib/stats';
import type { Suite } from '../lib/suite';

/** 4. Creating and enqueuing a job of 500 directories, end to end through the API. */
export const enqueue: Suite = {
  name: 'enqueue',
  async run({ quick }) {
    const runs = quick ? 3 : 9;
    const size = 500;
    const env = await startBenchEnvironment();
    const api = await startBenchApi(env.pool, env.customerId);
    const directoryIds = await env.directories(size);
    const sqlOnly: number[] = [];
    const endToEnd: number[] = [];
    try {
      for (let i = 0; i < runs; i += 1) {
        // Every run submits the same 500 directories for the demo business: without forgetting the
        // listings first, every run after the first would measure 500 duplicates (nothing to send).
        await env.pool.query('delete from business_listings');
        // The transaction alone: the job and its 500 tasks, no messages.
        let start = performance.now();
        await env.pool.query('select create_job($1, $2)', [env.customerId, directoryIds]);
        sqlOnly.push(since(start));

        await env.pool.query('delete from business_listings');
        // The whole request: validation, create_job, 50 SendMessageBatch calls, mark_tasks_enqueued.
        start = performance.now();
        const response = await fetch(`${api.url}/jobs`, {
          method: 'POST',
          headers: api.headers(),
          body: JSON.stringify({ customer_id: env.customerId, directory_ids: directoryIds }),
        });
        const body = (await response.json()) as { tasks_enqueued?: number };
        endToEnd.push(since(start));
        if (response.status !== 201 || body.tasks_enqueued !== size) {
          throw new Error(`POST /jobs answered ${response.status} ${JSON.stringify(body)}`);
        }
      }
    } finally {
      await api.stop();
      await env.stop();
    }
    const sql = percentile(sqlOnly, 50);
    const total = percentile(endToEnd, 50);
    return {
      title: `Enqueue: one job of ${size} directories`,
      method: `Median of ${runs} runs. The audited system took 80 ms to enqueue a job (size not stated).`,
      columns: ['step', 'median ms', 'per task ms'],
      rows: [
        ['create_job alone (one transaction: job + 500 tasks + history)', round(sql), round(sql / size, 3)],
        [
          'POST /jobs end to end (create_job + 500 messages + mark enqueued)',
          round(total),
          round(total / size, 3),
        ],
      ],
      figures: { createJobSqlMs: sql, postJobs500Ms: total },
    };
  },
};
