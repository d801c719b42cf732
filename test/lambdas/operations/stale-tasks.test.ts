/**
 * The stale-task sweeper against a backlog: real messages waiting in fauxqs, real Postgres behind the
 * RPC endpoint, the handler imported after the environment is set, as Lambda loads it. A waiting task
 * is never treated as lost; a task whose message is gone is recovered.
 */
import {
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  SendMessageBatchCommand,
} from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import type { SweepResult } from '../../../lambdas/operations/stale-tasks';
import type { Priority } from '../../../lambdas/platform/system-config';
import { history, insertCustomer, rpc } from '../../support/database';
import { context, startHandlerEnvironment, type HandlerEnvironment } from '../../support/handler-environment';

let env: HandlerEnvironment;
let sweeper: (event: unknown, context: Context) => Promise<SweepResult>;

beforeAll(async () => {
  env = await startHandlerEnvironment();
  // One second instead of an hour: every queued task below is "stale" by the old rule.
  Object.assign(process.env, { STALE_QUEUED_SECONDS: '1', STALE_PENDING_SECONDS: '3600' });
  sweeper = (
    (await import('../../../lambdas/handlers/operations/stale-task-sweeper')) as { handler: typeof sweeper }
  ).handler;
});

afterAll(async () => env?.stop());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface CreatedJob {
  job_id: string;
  priority: Priority;
  tasks: { task_id: string }[];
}

/**
 * create-job's path: the job committed, its messages really sent, then the tasks marked queued. Each
 * job is for a business of its own: a second job of one business on the same directories would end
 * already_listed (one listing per business and directory) and never wait on a queue.
 */
async function enqueuedJob(directoryCount: number): Promise<CreatedJob> {
  const customer = await insertCustomer(env.db.pool);
  const job = await rpc<CreatedJob>(env.db.pool, 'create_job', {
    p_customer_id: customer.id,
    p_directory_ids: env.demoDirectories.slice(0, directoryCount).map((d) => d.id),
  });
  await env.aws.sqs.send(
    new SendMessageBatchCommand({
      QueueUrl: env.aws.queues[job.priority].url,
      Entries: job.tasks.map((t, i) => ({
        Id: String(i),
        MessageBody: JSON.stringify({ task_id: t.task_id, job_id: job.job_id, priority: job.priority }),
      })),
    }),
  );
  await rpc(env.db.pool, 'mark_tasks_enqueued', { p_task_ids: job.tasks.map((t) => t.task_id) });
  return job;
}

async function queueDepth(priority: Priority): Promise<number> {
  const { Attributes = {} } = await env.aws.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: env.aws.queues[priority].url,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(Attributes.ApproximateNumberOfMessages) + Number(Attributes.ApproximateNumberOfMessagesNotVisible)
  );
}

async function sweptEvents(jobId: string): Promise<string[]> {
  return (await history(env.db.pool, { jobId }))
    .filter((e) => e.event === 'requeued_by_sweeper')
    .map((e) => e.task_id!);
}

it('re-sends a task whose message was lost, and only that one, even behind a waiting backlog', async () => {
  // The lost task is the oldest: its message was received and deleted without the task being claimed
  // (as a message deleted by hand, or never delivered, would leave it).
  const lost = await enqueuedJob(1);
  const [record] = await env.receive(lost.priority, 1);
  expect(JSON.parse(record!.body).task_id).toBe(lost.tasks[0]!.task_id);
  await env.aws.sqs.send(
    new DeleteMessageCommand({
      QueueUrl: env.aws.queues[lost.priority].url,
      ReceiptHandle: record!.receiptHandle,
    }),
  );
  await sleep(50);
  const waiting = await enqueuedJob(2);
  await sleep(1500);
  const depthBefore = await queueDepth(lost.priority);

  const result = await sweeper({}, context('stale-task-sweeper'));

  expect(result.requeued).toBe(1);
  expect(result.queues[lost.priority]).toMatchObject({ messages_lost: 1 });
  expect(await sweptEvents(lost.job_id)).toEqual([lost.tasks[0]!.task_id]);
  expect(await sweptEvents(waiting.job_id)).toEqual([]);
  const requeued = (await history(env.db.pool, { taskId: lost.tasks[0]!.task_id })).find(
    (e) => e.event === 'requeued_by_sweeper',
  );
  expect(requeued).toMatchObject({
    from_status: 'queued',
    to_status: 'queued',
    details: { reason: 'message_lost' },
  });
  expect(await queueDepth(lost.priority)).toBe(depthBefore + 1);

  // The queue holds a message for every waiting task again: the next run sends nothing.
  await sleep(1500);
  const again = await sweeper({}, context('stale-task-sweeper'));
  expect(again.requeued).toBe(0);
  expect(again.queues[lost.priority]).toMatchObject({ messages_lost: 0 });
});

it('leaves a backlog older than the stale threshold alone: nothing re-sent, nothing counted as recovered', async () => {
  const backlog = await enqueuedJob(3);
  await sleep(1500); // older than STALE_QUEUED_SECONDS, messages still waiting in the queue
  const depthBefore = await queueDepth(backlog.priority);

  const result = await sweeper({}, context('stale-task-sweeper'));

  // StaleTasksRequeued (the "stale tasks recovered" alarm's metric) is this figure: 0.
  expect(result.requeued).toBe(0);
  expect(result.sendFailed).toBe(0);
  // Every task waiting on the queue (this backlog and the earlier test's) has its message there.
  expect(result.queues[backlog.priority]).toEqual({ messages: 6, tasks_waiting: 6, messages_lost: 0 });
  expect(await queueDepth(backlog.priority)).toBe(depthBefore);
  expect(await sweptEvents(backlog.job_id)).toEqual([]);
});
