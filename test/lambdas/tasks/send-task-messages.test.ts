import { randomUUID } from 'node:crypto';
import { DeleteQueueCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { startLocalAws, type LocalAws } from '../../../local/emulators/sqs-s3';
import { sendTaskMessages } from '../../../lambdas/tasks/send-task-messages';
import { QUEUES, type Priority } from '../../../lambdas/platform/system-config';
import type { TaskMessage } from '../../../lambdas/tasks/task-message';

/** The one sender of task messages (job creation, sweeper, redrive) against real SQS (fauxqs). */
let aws: LocalAws;

beforeAll(async () => {
  aws = await startLocalAws();
});

afterAll(async () => {
  await aws?.stop();
});

function recordingLog() {
  const warnings: { message: string; details: Record<string, unknown> }[] = [];
  return {
    warnings,
    log: {
      info: () => undefined,
      warn: (message: string, details?: Record<string, unknown>) =>
        warnings.push({ message, details: details ?? {} }),
      error: () => undefined,
    },
  };
}

function messagesFor(priority: Priority, count: number): TaskMessage[] {
  const jobId = randomUUID();
  return Array.from({ length: count }, () => ({ task_id: randomUUID(), job_id: jobId, priority }));
}

async function drain(url: string): Promise<TaskMessage[]> {
  const received: TaskMessage[] = [];
  for (;;) {
    const { Messages } = await aws.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
        VisibilityTimeout: 600,
      }),
    );
    if (!Messages || Messages.length === 0) return received;
    received.push(...Messages.map((m) => JSON.parse(m.Body!) as TaskMessage));
  }
}

it("sends every task's message exactly once to its priority's queue, many batches at a time", async () => {
  const { log, warnings } = recordingLog();
  const messages = [...messagesFor('p1', 103), ...messagesFor('p2', 97)];

  const sent = await sendTaskMessages({ sqs: aws.sqs, queueUrls: urls(), log }, messages);
  const onP1 = await drain(aws.queues.p1.url);
  const onP2 = await drain(aws.queues.p2.url);

  expect(sent.size).toBe(200);
  expect(onP1.map((m) => m.task_id).sort()).toEqual(
    messages
      .filter((m) => m.priority === 'p1')
      .map((m) => m.task_id)
      .sort(),
  );
  expect(onP2.map((m) => m.task_id).sort()).toEqual(
    messages
      .filter((m) => m.priority === 'p2')
      .map((m) => m.task_id)
      .sort(),
  );
  expect(onP1[0]).toEqual(messages.find((m) => m.task_id === onP1[0]!.task_id));
  expect(warnings).toEqual([]);
});

it('stops starting batches once the queue is unreachable and answers only what was sent', async () => {
  const { log, warnings } = recordingLog();
  await aws.sqs.send(new DeleteQueueCommand({ QueueUrl: aws.queues.p3.url }));
  const messages = messagesFor('p3', 300); // 30 batches

  const sent = await sendTaskMessages({ sqs: aws.sqs, queueUrls: urls(), log }, messages, { job_id: 'j-1' });

  expect(sent.size).toBe(0);
  // At most the batches already in flight when the first failure came back fail; none after.
  expect(warnings.length).toBeGreaterThanOrEqual(1);
  expect(warnings.length).toBeLessThanOrEqual(QUEUES.sendConcurrency);
  expect(warnings[0]).toMatchObject({
    message: 'Task messages were not sent',
    details: { job_id: 'j-1', priority: 'p3' },
  });
});

function urls(): Record<Priority, string> {
  return { p1: aws.queues.p1.url, p2: aws.queues.p2.url, p3: aws.queues.p3.url };
}
