import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { createTestDatabase } from '../../support/database';
import { startLocalProcess, type LocalProcess } from '../../support/local-process';

/**
 * Priority on the local stack as `npm start` runs it: pollers with the weighted maximumConcurrency of
 * QUEUES.tasks and the real submitter in Chromium against the demo site's quick plain form. With a
 * backlog of low-priority (p3) tasks queued, newly added high-priority (p1) tasks finish first.
 */
/** The priority test's own timeout; its wait for the tasks stops 20 s earlier to report them. */
const TEST_TIMEOUT_MS = 170_000;

describe('priority on the local pollers', () => {
  const apiKey = `prio-${randomUUID()}`;
  let stack: LocalProcess;
  let database: { url: string; pool: pg.Pool; drop(): Promise<void> };
  let api: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    stack = await startLocalProcess({
      DATABASE_URL: database.url,
      PORT: '0',
      LOCAL_API_KEY: apiKey,
      LOCAL_DEMO_JOB: 'false',
    });
    api = stack.banner('API');
  }, 180_000);

  afterAll(async () => {
    const code = await stack?.stop();
    await database?.drop();
    expect(code).toBe(0);
  });

  it(
    'p1 tasks added behind a p3 backlog of 12 complete before the backlog drains',
    async () => {
      // 15 directories on the demo site's plain form, generous per-directory limits: only the queues'
      // weights decide the order, not politeness deferrals.
      const plain = await database.pool.query<{ submission_url: string }>(
        "select submission_url from directories where slug = 'demo-plain'",
      );
      const url = plain.rows[0]!.submission_url;
      const created = await database.pool.query<{ id: string }>(
        `insert into directories (slug, name, submission_url, max_concurrency, min_interval_ms)
       select 'prio-' || i, 'Priority ' || i, $1, 20, 0 from generate_series(1, 15) i returning id`,
        [url],
      );
      const ids = created.rows.map((r) => r.id);
      const customer = await database.pool.query<{ id: string }>(
        "select id from customers where external_ref = 'DEMO-CUSTOMER-001'",
      );
      const post = (body: unknown) =>
        fetch(`${api}/jobs`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
          body: JSON.stringify(body),
        });

      const backlog = await post({
        customer_id: customer.rows[0]!.id,
        directory_ids: ids.slice(0, 12),
        priority: 'p3',
      });
      // With the stack's own output when it refuses, so that a failure says why.
      const refused = (response: Response) => (response.status === 201 ? '' : stack.output());
      expect({ status: backlog.status, output: refused(backlog) }).toEqual({ status: 201, output: '' });
      const urgent = await post({
        customer_id: customer.rows[0]!.id,
        directory_ids: ids.slice(12),
        priority: 'p1',
      });
      expect({ status: urgent.status, output: refused(urgent) }).toEqual({ status: 201, output: '' });
      const jobs = {
        p3: ((await backlog.json()) as { job_id: string }).job_id,
        p1: ((await urgent.json()) as { job_id: string }).job_id,
      };

      // Wait until every task is finished (within the test's timeout, less a margin to report the tasks
      // and the stack's output when they are not), then compare finishing times.
      let rows: { job_id: string; status: string; completed_at: Date | null }[] = [];
      const deadline = Date.now() + TEST_TIMEOUT_MS - 20_000;
      for (;;) {
        rows = (
          await database.pool.query(
            'select job_id, status, completed_at from job_results where job_id = any($1) order by completed_at',
            [[jobs.p1, jobs.p3]],
          )
        ).rows;
        if (rows.every((r) => r.completed_at !== null)) break;
        if (Date.now() > deadline) {
          throw new Error(
            `tasks unfinished: ${JSON.stringify(rows.map((r) => r.status))}\nthe stack said:\n${stack.output()}`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      expect(rows.every((r) => r.status === 'submitted')).toBe(true);
      const lastP1 = Math.max(
        ...rows.filter((r) => r.job_id === jobs.p1).map((r) => r.completed_at!.getTime()),
      );
      const p3DoneBefore = rows.filter(
        (r) => r.job_id === jobs.p3 && r.completed_at!.getTime() <= lastP1,
      ).length;
      // p3 runs at most QUEUES.tasks.p3.maximumConcurrency at a time; p1 has its own, larger share.
      expect(p3DoneBefore).toBeLessThan(12);
      expect(p3DoneBefore).toBeLessThanOrEqual(6);
    },
    TEST_TIMEOUT_MS,
  );
});
