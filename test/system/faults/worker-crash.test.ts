/**
 * Fault: a submitter process killed with SIGKILL in the middle of a task, and create-job dying between
 * committing a job and sending its messages. Real processes (local/runtime/worker.ts), real Postgres, fauxqs,
 * Chromium and the demo site. Leases and the sweep run in seconds here (env), minutes in production.
 */
import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { history, releaseListings, rpc } from '../../support/database';
import { startHandlerEnvironment, type HandlerEnvironment } from '../../support/handler-environment';
import { eventually, startWorker, type WorkerProcess } from '../../../local/runtime/worker-process';

const TIMING = {
  TASK_LEASE_SECONDS: '4',
  TASK_HEARTBEAT_SECONDS: '1',
  STALE_LEASE_GRACE_SECONDS: '1',
  STALE_PENDING_SECONDS: '2',
  LOCAL_SWEEP_INTERVAL_SECONDS: '2',
  LOCAL_DLQ_CHECK_INTERVAL_SECONDS: '3600',
  LOCAL_RETENTION_INTERVAL_SECONDS: '86400',
  LOCAL_METRICS_FILE: '.local-data/test-metrics/worker-crash.jsonl',
  POWERTOOLS_LOG_LEVEL: 'WARN',
};

let env: HandlerEnvironment;
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  env = await startHandlerEnvironment();
  Object.assign(process.env, {
    DLQ_URL: env.aws.dlq.url,
    ARCHIVE_BUCKET: env.aws.archiveBucket,
    SLACK_WEBHOOK_URL: 'http://127.0.0.1:9/webhook',
  });
});

// Jobs, not listings, are under test here: every test may send the demo business's directories again.
beforeEach(async () => {
  await releaseListings(env.db.pool);
});

afterAll(async () => {
  for (const worker of workers) await worker.kill('SIGKILL');
  await env?.stop();
});

async function task(taskId: string) {
  const result = await env.db.pool.query(
    'select status, attempt, lease_owner, submit_started_at from job_results where id = $1',
    [taskId],
  );
  return result.rows[0] as {
    status: string;
    attempt: number;
    lease_owner: string | null;
    submit_started_at: Date | null;
  };
}

/** create_job, then the messages, exactly as create-job does it. */
async function createAndEnqueue(directoryIds: string[]) {
  const job = await rpc(env.db.pool, 'create_job', {
    p_customer_id: env.demoCustomerId,
    p_directory_ids: directoryIds,
  });
  await env.aws.sqs.send(
    new SendMessageBatchCommand({
      QueueUrl: env.aws.queues[job.priority as 'p1' | 'p2' | 'p3'].url,
      Entries: job.tasks.map((t: { task_id: string }, i: number) => ({
        Id: String(i),
        MessageBody: JSON.stringify({ task_id: t.task_id, job_id: job.job_id, priority: job.priority }),
      })),
    }),
  );
  await rpc(env.db.pool, 'mark_tasks_enqueued', {
    p_task_ids: job.tasks.map((t: { task_id: string }) => t.task_id),
  });
  return job as { job_id: string; tasks: { task_id: string }[] };
}

it('a submitter killed with SIGKILL mid-task: the sweeper requeues the task, another worker finishes it, submitted once', async () => {
  // A directory whose form page takes 5 s: the kill lands while the browser waits for it.
  const slow = await env.db.pool.query<{ id: string }>(
    `insert into directories (slug, name, submission_url) values ('fault-slow', 'Slow Directory', $1) returning id`,
    [`${env.demoSite.url}/forms/slow?ms=5000`],
  );
  const doomed = await startWorker({ ...TIMING, LOCAL_WORKER_OPERATIONS: 'false' });
  workers.push(doomed);
  const job = await createAndEnqueue([slow.rows[0]!.id]);
  const taskId = job.tasks[0]!.task_id;

  const claimed = await eventually(
    'the first worker to claim the task',
    async () => {
      const row = await task(taskId);
      return row.status === 'in_progress' ? row : undefined;
    },
    60_000,
  );
  expect(claimed.submit_started_at).toBeNull();
  await doomed.kill('SIGKILL');
  const submissionsBefore = env.demoSite.submissions().length;

  // The replacement: submitter and sweeper. The dead worker's message stays invisible for the queue's
  // visibility timeout (12 min); only the sweeper can bring the task back within lease + sweep interval.
  const rescuer = await startWorker(TIMING);
  workers.push(rescuer);
  const finished = await eventually(
    'the task to be submitted by the second worker',
    async () => {
      const row = await task(taskId);
      return row.status === 'submitted' ? row : undefined;
    },
    60_000,
  );

  expect(finished.attempt).toBe(2);
  expect(finished.lease_owner).not.toBe(claimed.lease_owner);
  expect(env.demoSite.submissions().length - submissionsBefore).toBe(1);
  const events = await history(env.db.pool, { taskId });
  // The sweeper sends the task's message first and marks the task queued after; a worker that receives
  // the message in between takes the expired lease over itself (claim_task). Either way the one
  // recovery is in the history, naming the dead worker.
  const recoveries = events.filter((e) => ['requeued_by_sweeper', 'lease_taken_over'].includes(e.event));
  expect(recoveries).toHaveLength(1);
  expect(recoveries[0]).toMatchObject({
    from_status: 'in_progress',
    to_status: 'queued',
    details: { previous_owner: claimed.lease_owner },
  });
  expect(recoveries[0]!.details.reason ?? 'lease_expired').toBe('lease_expired');
  expect(events.filter((e) => e.event === 'task_submitted')).toHaveLength(1);
});

it('create-job died after committing: the sweeper sends the messages and every task finishes once', async () => {
  if (!workers.some((w) => w.child.exitCode === null && w.child.signalCode === null))
    workers.push(await startWorker(TIMING));
  const directories = env.demoDirectories.slice(0, 2).map((d) => d.id);
  const before = env.demoSite.submissions().length;
  // The SQL function only: committed, no message sent.
  const job = await rpc(env.db.pool, 'create_job', {
    p_customer_id: env.demoCustomerId,
    p_directory_ids: directories,
  });

  const done = await eventually(
    'every task of the job to finish',
    async () => {
      const result = await env.db.pool.query<{ status: string }>(
        'select status from job_results where job_id = $1',
        [job.job_id],
      );
      return result.rows.every((r) => r.status === 'submitted') ? result.rows : undefined;
    },
    90_000,
  );

  expect(done).toHaveLength(2);
  expect(env.demoSite.submissions().length - before).toBe(2);
  const events = await history(env.db.pool, { jobId: job.job_id });
  // Each task's way out of pending, recorded by the sweeper (never enqueued) or, when the sweeper's
  // message reached a worker before the sweeper marked the task, by claim_task.
  const enqueued = events.filter((e) => e.from_status === 'pending' && e.to_status === 'queued');
  expect(
    enqueued.map((e) =>
      e.event === 'requeued_by_sweeper' ? e.details.reason : `${e.event} by ${String(e.details.recorded_by)}`,
    ),
  ).toEqual([
    expect.stringMatching(/^(never_enqueued|enqueued by claim_task)$/),
    expect.stringMatching(/^(never_enqueued|enqueued by claim_task)$/),
  ]);
  expect(events.filter((e) => e.event === 'task_submitted')).toHaveLength(2);
});
