import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { startWorker, type WorkerProcess } from '../../local/runtime/worker-process';
import { startBenchEnvironment, type BenchEnvironment } from '../lib/environment';
import { percentile, round, since } from '../lib/stats';
import type { Suite } from '../lib/suite';

/**
 * Timings shortened from production (lease 180 s, sweep every 120 s) so a run takes seconds; the
 * bound they imply is what the measurement is compared with.
 */
const TIMING = {
  TASK_LEASE_SECONDS: 4,
  TASK_HEARTBEAT_SECONDS: 1,
  STALE_LEASE_GRACE_SECONDS: 1,
  STALE_PENDING_SECONDS: 2,
  LOCAL_SWEEP_INTERVAL_SECONDS: 2,
};
/** A task is recovered at worst one lease, its grace and one sweep interval after the last heartbeat. */
const BOUND_SECONDS =
  TIMING.TASK_LEASE_SECONDS + TIMING.STALE_LEASE_GRACE_SECONDS + TIMING.LOCAL_SWEEP_INTERVAL_SECONDS;

/**
 * 6. Recovery: a submitter process killed with SIGKILL mid-task; time from its death to the task
 * being submitted by another worker, against the bound the configuration promises.
 */
export const recovery: Suite = {
  name: 'recovery',
  async run({ quick }) {
    const rounds = quick ? 1 : 5;
    const env = await startBenchEnvironment();
    const workerEnv = {
      ...Object.fromEntries(Object.entries(TIMING).map(([key, value]) => [key, String(value)])),
      DLQ_URL: env.aws.dlq.url,
      ARCHIVE_BUCKET: env.aws.archiveBucket,
      SLACK_WEBHOOK_URL: 'http://127.0.0.1:9/unused',
      LOCAL_DLQ_CHECK_INTERVAL_SECONDS: '3600',
      LOCAL_RETENTION_INTERVAL_SECONDS: '86400',
      LOCAL_METRICS_FILE: '.local-data/bench-metrics.jsonl',
      POWERTOOLS_LOG_LEVEL: 'ERROR',
    };
    const workers: WorkerProcess[] = [];
    const recoveries: number[] = [];
    const requeues: number[] = [];
    try {
      // The rescuer: submitter and sweeper, running throughout.
      for (let round = 0; round < rounds; round += 1) {
        const [directoryId] = await env.directories(1, '/forms/slow?ms=3000');
        const doomed = await startWorker({ ...workerEnv, LOCAL_WORKER_OPERATIONS: 'false' });
        workers.push(doomed);
        const taskId = await enqueueOne(env, directoryId!);
        await until(async () => (await status(env, taskId)) === 'in_progress', 60_000);
        await doomed.kill('SIGKILL');
        const died = performance.now();
        const diedAtEpoch = Date.now() / 1000;
        const rescuer = await startWorker(workerEnv);
        workers.push(rescuer);
        await until(async () => (await status(env, taskId)) === 'submitted', 120_000);
        recoveries.push(since(died) / 1000);
        const requeued = await env.pool.query<{ at: number }>(
          `select extract(epoch from created_at)::float8 as at from queue_history
            where task_id = $1 and event = 'requeued_by_sweeper' order by id limit 1`,
          [taskId],
        );
        requeues.push(requeued.rows[0]!.at - diedAtEpoch);
        await rescuer.kill('SIGTERM');
      }
    } finally {
      for (const worker of workers) await worker.kill('SIGKILL');
      await env.stop();
    }
    const median = percentile(recoveries, 50);
    const requeueMedian = percentile(requeues, 50);
    return {
      title: 'Recovery from a worker killed mid-task',
      method:
        `${rounds} rounds: a worker process (local/runtime/worker.ts) claims a task on a slow form and is killed with SIGKILL; ` +
        'a fresh worker with the sweeper is started; time from the kill to the task submitted. Lease ' +
        `${TIMING.TASK_LEASE_SECONDS} s, grace ${TIMING.STALE_LEASE_GRACE_SECONDS} s, sweep every ${TIMING.LOCAL_SWEEP_INTERVAL_SECONDS} s ` +
        `(production: lease 180 s, sweep every 120 s). The time includes starting the new worker and the 3 s form.`,
      columns: ['measure', 'seconds'],
      rows: [
        ['kill -> requeued by the sweeper (median)', round(requeueMedian)],
        ['kill -> requeued (worst)', round(Math.max(...requeues))],
        ['configured bound for the requeue (lease + grace + sweep interval)', BOUND_SECONDS],
        ['requeue median / bound', round(requeueMedian / BOUND_SECONDS, 2)],
        ['kill -> submitted by the new worker (median, includes its start and the 3 s form)', round(median)],
      ],
      figures: {
        medianRequeueSeconds: requeueMedian,
        medianRecoverySeconds: median,
        boundSeconds: BOUND_SECONDS,
      },
    };
  },
};

async function enqueueOne(env: BenchEnvironment, directoryId: string): Promise<string> {
  const created = await env.pool.query<{
    job: { job_id: string; priority: 'p1' | 'p2' | 'p3'; tasks: { task_id: string }[] };
  }>('select create_job($1, $2) as job', [env.customerId, [directoryId]]);
  const job = created.rows[0]!.job;
  const taskId = job.tasks[0]!.task_id;
  await env.aws.sqs.send(
    new SendMessageBatchCommand({
      QueueUrl: env.aws.queues[job.priority].url,
      Entries: [
        {
          Id: '0',
          MessageBody: JSON.stringify({ task_id: taskId, job_id: job.job_id, priority: job.priority }),
        },
      ],
    }),
  );
  await env.pool.query('select mark_tasks_enqueued($1)', [[taskId]]);
  return taskId;
}

async function status(env: BenchEnvironment, taskId: string): Promise<string | undefined> {
  const result = await env.pool.query<{ status: string }>('select status from job_results where id = $1', [
    taskId,
  ]);
  return result.rows[0]?.status;
}

async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('recovery benchmark: timed out');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
