/**
 * Fault: a poison message, and Slack answering 500 or not answering at all for a while. A real worker
 * process runs the submitter and the DLQ monitor (every 2 s here); Slack is the local sink over HTTP.
 */
import { registered } from '../../support/log-scan';
import { SendMessageCommand, SetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { startSlackSink, type SlackSink } from '../../../local/emulators/slack-webhook';
import { history, rpc } from '../../support/database';
import { startHandlerEnvironment, type HandlerEnvironment } from '../../support/handler-environment';
import { eventually, startWorker, type WorkerProcess } from '../../../local/runtime/worker-process';

let env: HandlerEnvironment;
let sink: SlackSink;
let worker: WorkerProcess | undefined;

beforeAll(async () => {
  env = await startHandlerEnvironment();
  sink = await startSlackSink();
  Object.assign(process.env, {
    DLQ_URL: env.aws.dlq.url,
    ARCHIVE_BUCKET: env.aws.archiveBucket,
    SLACK_WEBHOOK_URL: registered(sink.webhookUrl),
  });
  // A poison message is received maxReceiveCount times before SQS moves it; with the production
  // visibility timeout (12 min) that is an hour, so this queue hands failed messages back after 1 s.
  await env.aws.sqs.send(
    new SetQueueAttributesCommand({
      QueueUrl: env.aws.queues.p3.url,
      Attributes: { VisibilityTimeout: '1' },
    }),
  );
  worker = await startWorker({
    LOCAL_SWEEP_INTERVAL_SECONDS: '3600',
    LOCAL_DLQ_CHECK_INTERVAL_SECONDS: '2',
    LOCAL_RETENTION_INTERVAL_SECONDS: '86400',
    DLQ_ALERT_RETRY_BASE_SECONDS: '1',
    DLQ_ALERT_RETRY_CAP_SECONDS: '2',
    LOCAL_METRICS_FILE: '.local-data/test-metrics/dlq-and-slack.jsonl',
    POWERTOOLS_LOG_LEVEL: 'ERROR',
  });
});

afterAll(async () => {
  await worker?.kill('SIGKILL');
  await sink?.stop();
  await env?.stop();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

it('a poison message reaches the DLQ, its task ends dead_lettered, and exactly one alert is sent', async () => {
  const job = await rpc(env.db.pool, 'create_job', {
    p_customer_id: env.demoCustomerId,
    p_directory_ids: [env.demoDirectories[0]!.id],
  });
  const taskId: string = job.tasks[0].task_id;
  // Names a real task but is not a task message (unknown priority): every delivery fails.
  const poison = await env.aws.sqs.send(
    new SendMessageCommand({
      QueueUrl: env.aws.queues.p3.url,
      MessageBody: JSON.stringify({ task_id: taskId, job_id: job.job_id, priority: 'p9' }),
    }),
  );

  const alert = await eventually(
    'the poison message alert',
    async () => sink.alerts().find((a) => a.text.includes(poison.MessageId!)),
    60_000,
  );
  expect(JSON.stringify(alert.body)).toContain(job.job_id);
  const row = await env.db.pool.query('select status from job_results where id = $1', [taskId]);
  expect(row.rows[0].status).toBe('dead_lettered');
  const stored = await env.db.pool.query(
    'select receive_count, alert_status from dlq_alerts where message_id = $1',
    [poison.MessageId],
  );
  expect(stored.rows[0]).toEqual({ receive_count: expect.any(Number), alert_status: 'sent' });
  expect(stored.rows[0].receive_count).toBeGreaterThanOrEqual(5);
  expect((await history(env.db.pool, { taskId })).map((e) => e.event)).toContain('dead_lettered');

  await sleep(5000); // two more monitor runs
  expect(sink.alerts().filter((a) => a.text.includes(poison.MessageId!))).toHaveLength(1);
});

it('Slack answering 500, then timing out: every alert arrives exactly once after it recovers', async () => {
  sink.setMode('error');
  const attemptsBefore = sink.attempts();
  const deliveredBefore = sink.alerts().length;
  const ids: string[] = [];
  for (const n of [1, 2, 3]) {
    const sent = await env.aws.sqs.send(
      new SendMessageCommand({ QueueUrl: env.aws.dlq.url, MessageBody: `broken message ${n}` }),
    );
    ids.push(sent.MessageId!);
  }

  // Recorded and removed from the DLQ while Slack is down; the alerts wait in the outbox.
  await eventually(
    'the monitor to try Slack twice while it answers 500',
    async () => (sink.attempts() - attemptsBefore >= 2 ? true : undefined),
    30_000,
  );
  const pending = await env.db.pool.query(
    "select count(*)::int as n from dlq_alerts where message_id = any($1) and alert_status = 'pending'",
    [ids],
  );
  expect(pending.rows[0].n).toBe(3);

  sink.setMode('hang');
  const hangStart = sink.attempts();
  await eventually(
    'the monitor to try Slack while it hangs',
    async () => (sink.attempts() > hangStart ? true : undefined),
    30_000,
  );
  await sleep(6000); // past the sender's timeout: that attempt must count as failed, not delivered
  expect(sink.alerts().length).toBe(deliveredBefore);

  sink.setMode('ok');
  await eventually(
    'all three alerts delivered',
    async () => (ids.every((id) => sink.alerts().some((a) => a.text.includes(id))) ? true : undefined),
    60_000,
  );
  await sleep(5000); // more monitor runs: nothing is sent again
  for (const id of ids) {
    expect(sink.alerts().filter((a) => a.text.includes(id))).toHaveLength(1);
  }
  const failures = await env.db.pool.query(
    "select count(*)::int as n from queue_history where event = 'dlq_alert_failed' and details->>'message_id' = any($1)",
    [ids],
  );
  expect(failures.rows[0].n).toBeGreaterThanOrEqual(2);
});
