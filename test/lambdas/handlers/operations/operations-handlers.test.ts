/**
 * The operations handlers on real parts: Postgres behind the RPC endpoint, fauxqs SQS/S3, the local
 * Slack sink over HTTP. Each handler is imported after the environment is set, as Lambda loads it.
 */
import { registered } from '../../../support/log-scan';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyResult, Context, SNSEvent } from 'aws-lambda';
import { createApiKey } from '../../../../local/runtime/api-keys';
import { startSlackSink, type SlackSink } from '../../../../local/emulators/slack-webhook';
import { history, releaseListings, rpc } from '../../../support/database';
import {
  apiEvent,
  context,
  startHandlerEnvironment,
  type HandlerEnvironment,
} from '../../../support/handler-environment';

type Handler<E = unknown, R = unknown> = (event: E, context: Context) => Promise<R>;

let env: HandlerEnvironment;
let sink: SlackSink;
let sweeper: Handler;
let monitor: Handler;
let redrive: Handler<
  unknown,
  { ok: boolean; redriven?: { task_id: string; sent: boolean }[]; error?: { code: string } }
>;
let retention: Handler<unknown, { archivedRows: number; archives: string[] }>;
let notifier: Handler<SNSEvent, void>;
let health: Handler<unknown, APIGatewayProxyResult>;
let healthDetails: Handler<unknown, APIGatewayProxyResult>;
let staffKey: string;

beforeAll(async () => {
  env = await startHandlerEnvironment();
  sink = await startSlackSink();
  Object.assign(process.env, {
    DLQ_URL: env.aws.dlq.url,
    ARCHIVE_BUCKET: env.aws.archiveBucket,
    SLACK_WEBHOOK_URL: registered(sink.webhookUrl),
    RUNBOOK_BASE_URL: 'https://runbooks.example/docs/runbooks',
    DASHBOARD_URL: 'https://dashboard.example/d',
    // Seconds instead of minutes, so "stale" happens within the test.
    STALE_PENDING_SECONDS: '1',
    STALE_LEASE_GRACE_SECONDS: '1',
    DLQ_ALERT_RETRY_BASE_SECONDS: '1',
  });
  const load = async (file: string) =>
    ((await import(`../../../../lambdas/handlers/${file}`)) as { handler: Handler }).handler;
  sweeper = await load('operations/stale-task-sweeper');
  monitor = await load('operations/dlq-monitor');
  redrive = (await load('operations/dlq-redrive')) as typeof redrive;
  retention = (await load('operations/retention')) as typeof retention;
  notifier = (await load('operations/slack-notifier')) as typeof notifier;
  health = (await load('api/health')) as typeof health;
  healthDetails = (await load('api/health-details')) as typeof healthDetails;
  staffKey = (await createApiKey(env.db.pool, { role: 'staff', label: 'ops test' })).key;
});

// Jobs, not listings, are under test here: every test may send the demo business's directories again.
beforeEach(async () => {
  await releaseListings(env.db.pool);
});

afterAll(async () => {
  await sink?.stop();
  await env?.stop();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A job created by the SQL function alone: committed, no message sent (create-job died in between). */
async function committedJob(
  directoryCount = 2,
): Promise<{ job_id: string; priority: string; tasks: { task_id: string }[] }> {
  return rpc(env.db.pool, 'create_job', {
    p_customer_id: env.demoCustomerId,
    p_directory_ids: env.demoDirectories.slice(0, directoryCount).map((d) => d.id),
  });
}

async function taskStatus(taskId: string): Promise<{ status: string; attempt: number }> {
  const result = await env.db.pool.query('select status, attempt from job_results where id = $1', [taskId]);
  return result.rows[0];
}

describe('stale-task sweeper', () => {
  it('sends the messages of a job whose tasks were committed but never enqueued, then marks them queued', async () => {
    const job = await committedJob(2);
    await sleep(1500);

    await sweeper({}, context('stale-task-sweeper'));

    const records = await env.receive(job.priority as 'p1' | 'p2' | 'p3');
    const bodies = records.map((record) => JSON.parse(record.body) as Record<string, string>);
    expect(bodies.filter((body) => body.job_id === job.job_id)).toEqual(
      expect.arrayContaining(
        job.tasks.map((t) => ({ task_id: t.task_id, job_id: job.job_id, priority: job.priority })),
      ),
    );
    for (const task of job.tasks) {
      expect((await taskStatus(task.task_id)).status).toBe('queued');
      const events = (await history(env.db.pool, { taskId: task.task_id })).map((e) => e.event);
      expect(events).toContain('requeued_by_sweeper');
    }

    // A second run finds nothing: queued tasks are not stale for an hour.
    await sweeper({}, context('stale-task-sweeper'));
    const again = await env.receive(job.priority as 'p1' | 'p2' | 'p3');
    expect(again.filter((record) => record.body.includes(job.job_id))).toHaveLength(0);
  });

  it('requeues an expired lease and fails a task that lost its last allowed attempt to infrastructure', async () => {
    const job = await committedJob(2);
    const [alive, spent] = job.tasks.map((t) => t.task_id);
    await rpc(env.db.pool, 'mark_tasks_enqueued', { p_task_ids: [alive, spent] });
    // A worker claims both with a 1-second lease and dies; the second may lose only one attempt to
    // infrastructure (the retry budget is for the directory's answers, and it gave none).
    await env.db.pool.query('update job_results set max_infrastructure_attempts = 1 where id = $1', [spent]);
    for (const id of [alive, spent]) {
      const claim = await rpc(env.db.pool, 'claim_task', {
        p_task_id: id,
        p_worker_id: 'dead-worker',
        p_lease_seconds: 1,
      });
      expect(claim.claimed).toBe(true);
    }
    await sleep(2500);

    await sweeper({}, context('stale-task-sweeper'));

    expect(await taskStatus(alive!)).toEqual({ status: 'queued', attempt: 1 });
    expect((await taskStatus(spent!)).status).toBe('failed');
    const failed = (await history(env.db.pool, { taskId: spent })).find(
      (e) => e.event === 'failed_by_sweeper',
    );
    expect(failed?.details).toMatchObject({ reason: 'infrastructure_attempts_exhausted' });
    const records = await env.receive(job.priority as 'p1' | 'p2' | 'p3');
    expect(records.map((r) => JSON.parse(r.body).task_id)).toContain(alive);
  });
});

describe('DLQ monitor and redrive', () => {
  it('marks the task dead_lettered, alerts once per message, deletes it from the DLQ, and never alerts twice', async () => {
    const job = await committedJob(1);
    const taskId = job.tasks[0]!.task_id;
    const poison = await env.aws.sqs.send(
      new SendMessageCommand({
        QueueUrl: env.aws.dlq.url,
        MessageBody: JSON.stringify({ task_id: taskId, job_id: job.job_id, priority: 'p9' }),
      }),
    );
    const garbage = await env.aws.sqs.send(
      new SendMessageCommand({ QueueUrl: env.aws.dlq.url, MessageBody: 'not json' }),
    );
    const before = sink.alerts().length;

    await monitor({}, context('dlq-monitor'));
    await monitor({}, context('dlq-monitor'));

    const alerts = sink.alerts().slice(before);
    expect(alerts).toHaveLength(2);
    const mine = alerts.find((alert) => alert.text.includes(poison.MessageId!));
    expect(mine).toBeDefined();
    const body = JSON.stringify(mine!.body);
    for (const expected of [
      job.job_id,
      env.demoCustomerId,
      taskId,
      'https://runbooks.example/docs/runbooks/dlq-messages.md',
    ]) {
      expect(body).toContain(expected);
    }
    expect(alerts.some((alert) => alert.text.includes(garbage.MessageId!))).toBe(true);
    expect(await taskStatus(taskId)).toMatchObject({ status: 'dead_lettered' });
    const jobRow = await env.db.pool.query('select status, tasks_dead_lettered from jobs where id = $1', [
      job.job_id,
    ]);
    expect(jobRow.rows[0]).toEqual({ status: 'failed', tasks_dead_lettered: 1 });
    const { Attributes } = await env.aws.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: env.aws.dlq.url,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    expect(
      Number(Attributes?.ApproximateNumberOfMessages) +
        Number(Attributes?.ApproximateNumberOfMessagesNotVisible),
    ).toBe(0);

    // Redrive on request: the task goes back to its queue as a well-formed task message, audited.
    const refused = await redrive({ message_ids: [] }, context('dlq-redrive'));
    expect(refused).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
    const unknown = await redrive(
      { message_ids: ['no-such-message'], requested_by: 'tester' },
      context('dlq-redrive'),
    );
    expect(unknown).toMatchObject({ ok: false, error: { code: 'not_found' } });
    const redriven = await redrive(
      { message_ids: [poison.MessageId!], requested_by: 'tester' },
      context('dlq-redrive'),
    );
    expect(redriven).toMatchObject({ ok: true, redriven: [{ task_id: taskId, sent: true }] });
    expect((await taskStatus(taskId)).status).toBe('queued');
    const records = await env.receive(job.priority as 'p1' | 'p2' | 'p3');
    expect(records.map((r) => JSON.parse(r.body))).toContainEqual({
      task_id: taskId,
      job_id: job.job_id,
      priority: job.priority,
    });
    const audit = (await history(env.db.pool, { taskId })).find((e) => e.event === 'dlq_redriven');
    expect(audit).toMatchObject({ from_status: 'dead_lettered', to_status: 'queued', worker_id: 'tester' });
  });
});

describe('retention', () => {
  it('archives old queue_history to S3 as JSON lines, then deletes exactly those rows', async () => {
    const old = await env.db.pool.query<{ id: string }>(
      "insert into queue_history (event, details, created_at) values ('ancient_event', '{\"n\": 1}', now() - interval '120 days') returning id",
    );
    const result = await retention({}, context('retention'));

    expect(result.archivedRows).toBeGreaterThanOrEqual(1);
    const remaining = await env.db.pool.query('select 1 from queue_history where id = $1', [old.rows[0]!.id]);
    expect(remaining.rowCount).toBe(0);
    const listed = await env.aws.s3.send(
      new ListObjectsV2Command({ Bucket: env.aws.archiveBucket, Prefix: 'queue_history/' }),
    );
    const key = listed.Contents?.map((o) => o.Key).find((k) => k === result.archives[0]);
    expect(key).toBeDefined();
    const object = await env.aws.s3.send(new GetObjectCommand({ Bucket: env.aws.archiveBucket, Key: key }));
    const lines = (await object.Body!.transformToString())
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines).toContainEqual(
      expect.objectContaining({ id: Number(old.rows[0]!.id), event: 'ancient_event', details: { n: 1 } }),
    );
    const audit = await env.db.pool.query(
      "select details from queue_history where event = 'history_archived'",
    );
    expect(audit.rows[0].details).toMatchObject({ archive_key: key });
  });
});

describe('health', () => {
  it('GET /health is public and answers 200 with the checks up', async () => {
    const response = await health(
      apiEvent({ method: 'GET', resource: '/health', path: '/health' }),
      context('health'),
    );
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toEqual({
      status: 'healthy',
      checks: { database: 'up', queues: 'up' },
    });
  });

  it('GET /health/details reports real figures and CloudWatch as unavailable here', async () => {
    const response = await healthDetails(
      apiEvent({
        method: 'GET',
        resource: '/health/details',
        path: '/health/details',
        headers: { 'x-api-key': staffKey },
      }),
      context('health-details'),
    );
    expect(response.statusCode).toBe(200);
    const body = JSON.parse(response.body);
    expect(body.status).toBe('healthy');
    expect(body.database).toMatchObject({ status: 'up', latency_ms: expect.any(Number) });
    expect(body.queues.p1).toMatchObject({ visible: expect.any(Number), in_flight: expect.any(Number) });
    expect(body.queues.p1.oldest_message_age_seconds).toMatchObject({ available: false });
    expect(body.alarms).toMatchObject({ available: false });
    expect(body.jobs).toMatchObject({
      pending: expect.any(Number),
      completed_today: expect.any(Number),
      failed_today: expect.any(Number),
    });
    expect(body.workers).toMatchObject({ active: expect.any(Number), stale: expect.any(Number) });
    expect(body.dlq).toMatchObject({ visible: expect.any(Number), dead_lettered_tasks: expect.any(Number) });
  });

  it('GET /health/details is for operators: a customer key gets 403 and no figures', async () => {
    const key = registered(
      (await createApiKey(env.db.pool, { role: 'customer', customerId: env.demoCustomerId })).key,
    );
    const response = await healthDetails(
      apiEvent({
        method: 'GET',
        resource: '/health/details',
        path: '/health/details',
        headers: { 'x-api-key': key },
      }),
      context('health-details'),
    );
    expect(response.statusCode).toBe(403);
    const body = JSON.parse(response.body);
    expect(body.error).toMatchObject({ code: 'forbidden' });
    expect(body.queues).toBeUndefined();
  });

  it('GET /health/details needs an API key', async () => {
    const response = await healthDetails(
      apiEvent({ method: 'GET', resource: '/health/details', path: '/health/details' }),
      context('health-details'),
    );
    expect(response.statusCode).toBe(401);
  });
});

describe('Slack notifier', () => {
  const alarmEvent = (state: 'ALARM' | 'OK'): SNSEvent => ({
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: 'arn:aws:sns:us-east-1:000000000000:alarms:sub',
        Sns: {
          Type: 'Notification',
          MessageId: `m-${state}`,
          TopicArn: 'arn:aws:sns:us-east-1:000000000000:alarms',
          Subject: `${state}: "DirectoryBolt-dlq-not-empty"`,
          Message: JSON.stringify({
            AlarmName: 'DirectoryBolt-dlq-not-empty',
            AlarmDescription:
              'Critical: messages in the DLQ. Runbook: https://runbooks.example/dlq-messages.md#dlq-not-empty',
            NewStateValue: state,
            OldStateValue: state === 'ALARM' ? 'OK' : 'ALARM',
            NewStateReason: 'Threshold Crossed: 1 datapoint [2.0] was greater than the threshold (0.0).',
            StateChangeTime: '2025-11-02T09:00:00.000+0000',
            Region: 'US East (N. Virginia)',
            AWSAccountId: '123456789012',
            Trigger: {
              MetricName: 'ApproximateNumberOfMessagesVisible',
              Namespace: 'AWS/SQS',
              Threshold: 0,
              ComparisonOperator: 'GreaterThanThreshold',
            },
          }),
          Timestamp: '2025-11-02T09:00:00.000Z',
          SignatureVersion: '1',
          Signature: '',
          SigningCertUrl: '',
          UnsubscribeUrl: '',
          MessageAttributes: {},
        },
      },
    ],
  });

  it('turns ALARM and OK into readable messages with severity, time, runbook and dashboard', async () => {
    const before = sink.alerts().length;
    await notifier(alarmEvent('ALARM'), context('slack-notifier'));
    await notifier(alarmEvent('OK'), context('slack-notifier'));
    const [firing, resolved] = sink.alerts().slice(before);
    expect(firing!.text).toBe(':red_circle: Critical: DirectoryBolt-dlq-not-empty is in ALARM');
    const body = JSON.stringify(firing!.body);
    expect(body).toContain('since 2025-11-02T09:00:00Z');
    // The runbook section the description links, anchor included
    expect(body).toContain('<https://runbooks.example/dlq-messages.md#dlq-not-empty|Runbook>');
    expect(body).toContain('https://dashboard.example/d');
    expect(resolved!.text).toContain('Resolved: DirectoryBolt-dlq-not-empty is back to OK');
  });

  it('throws when Slack refuses, without the webhook URL in the error', async () => {
    sink.setMode('error');
    try {
      const error = await notifier(alarmEvent('ALARM'), context('slack-notifier')).then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(error?.message).toBe('Slack answered 500 internal_error');
      expect(error?.message).not.toContain(sink.url);
    } finally {
      sink.setMode('ok');
    }
  });
});
