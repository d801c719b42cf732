/**
 * A zombie worker: its lease expired while it worked (frozen, cut off) and another worker took the task
 * over. Its failure is refused by fail_task's fence; its log must say so, not "next: queued". Real
 * PostgreSQL, the real processTask and Powertools logger; the directory's answer (HTTP 503) is the one
 * thing played by the test, at the moment the browser would have received it.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { TASKS } from '../../../lambdas/platform/system-config';
import { classifyFailure } from '../../../lambdas/tasks/failure-class';
import { processTask } from '../../../lambdas/tasks/process-task';
import { SubmissionError } from '../../../lambdas/browser/submission-error';
import { captureOutput } from '../../support/log-capture';
import {
  createTestDatabase,
  insertCustomer,
  insertDirectories,
  rpc,
  type TestDatabase,
} from '../../support/database';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => db?.drop());

it('logs what fail_task recorded (refused: lease lost), not the retry it asked for', async () => {
  const customer = await insertCustomer(db.pool);
  const [directory] = await insertDirectories(db.pool, 1);
  const job = await rpc(db.pool, 'create_job', {
    p_customer_id: customer.id,
    p_directory_ids: [directory!.id],
  });
  const taskId: string = job.tasks[0].task_id;
  await rpc(db.pool, 'mark_tasks_enqueued', { p_task_ids: [taskId] });

  const logger = new Logger({ serviceName: 'zombie-test', logLevel: 'INFO' });
  const output = captureOutput();
  let disposition;
  try {
    disposition = await processTask(
      {
        rpc: (fn, args) => rpc(db.pool, fn, args),
        workerId: 'zombie',
        submit: async () => {
          // While this worker was frozen its lease ran out and a live worker took the task over.
          await db.pool.query(
            `update job_results set lease_expires_at = now() - interval '1 second' where id = $1`,
            [taskId],
          );
          const takeover = await rpc(db.pool, 'claim_task', {
            p_task_id: taskId,
            p_worker_id: 'live-worker',
            p_lease_seconds: 60,
          });
          expect(takeover.claimed).toBe(true);
          throw new SubmissionError('transient', 'http_status', 'HTTP 503 from the directory', {
            status: 503,
          });
        },
        storeScreenshot: async () => undefined,
        retryLater: async () => {
          throw new Error('a refused failure must not touch the message');
        },
        defer: async () => {
          throw new Error('a refused failure must not defer');
        },
        classify: classifyFailure,
        lookup: async () => {
          throw new Error('no verification here');
        },
        count: () => undefined,
        log: logger,
        backoff: TASKS.retryBackoff,
      },
      { task_id: taskId, job_id: job.job_id, priority: job.priority },
    );
  } finally {
    output.restore();
  }

  expect(disposition).toEqual({ kind: 'lease_lost' });
  const lines = output
    .text()
    .split('\n')
    .filter((line) => line.includes('"zombie-test"'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  const failure = lines.filter((line) => String(line.message).startsWith('Submission attempt failed'));
  expect(failure).toHaveLength(1);
  expect(failure[0]).toMatchObject({
    level: 'WARN',
    message: 'Submission attempt failed, not recorded: the lease was lost',
    task_id: taskId,
    attempt: 1,
    refused: 'lease_lost',
    task_status: 'in_progress',
  });
  expect(failure[0]).not.toHaveProperty('next');
  // The live worker's attempt is untouched.
  const row = await db.pool.query('select status, lease_owner, attempt from job_results where id = $1', [
    taskId,
  ]);
  expect(row.rows[0]).toEqual({ status: 'in_progress', lease_owner: 'live-worker', attempt: 2 });
});
