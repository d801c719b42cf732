import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Rpc } from '../platform/rpc';
import { PRIORITIES, type Priority } from '../platform/system-config';

export type CheckState = 'up' | 'down';

/** Resolves with the promise, or rejects once `ms` have passed: a hanging dependency counts as down. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export interface HealthDeps {
  rpc: Rpc;
  sqs: Pick<SQSClient, 'send'>;
  queueUrls: Record<Priority, string>;
  timeoutMs: number;
}

export interface Health {
  status: 'healthy' | 'unhealthy';
  checks: { database: CheckState; queues: CheckState };
}

/** The public health check: is the database answering, are the queues reachable. Nothing more. */
export async function checkHealth(deps: HealthDeps): Promise<Health> {
  const [database, queues] = await Promise.all([
    probe(withTimeout(deps.rpc('health_ping', {}), deps.timeoutMs, 'database')),
    probe(
      (async () => {
        // Loaded on first use (lambdas/platform/lazy-client.ts), outside the check's time budget.
        const { GetQueueAttributesCommand } = await import('@aws-sdk/client-sqs');
        return withTimeout(
          deps.sqs.send(
            new GetQueueAttributesCommand({ QueueUrl: deps.queueUrls.p1, AttributeNames: ['QueueArn'] }),
          ),
          deps.timeoutMs,
          'queues',
        );
      })(),
    ),
  ]);
  return {
    status: database === 'up' && queues === 'up' ? 'healthy' : 'unhealthy',
    checks: { database, queues },
  };
}

/**
 * Runs `check` at most once per `reuseMs`: callers while a run is in flight share it, callers within
 * `reuseMs` of its end get its result. A run that throws is not kept. (Our own few lines: the memo
 * libraries on npm cache by arguments, not for a time after completion with a shared in-flight run.)
 */
export function sharedFor<T>(check: () => Promise<T>, reuseMs: number, now: () => number = Date.now) {
  let inFlight: Promise<T> | undefined;
  let last: { value: T; at: number } | undefined;
  return (): Promise<T> => {
    if (last && now() - last.at < reuseMs) return Promise.resolve(last.value);
    inFlight ??= check().then(
      (value) => {
        last = { value, at: now() };
        inFlight = undefined;
        return value;
      },
      (error: unknown) => {
        inFlight = undefined;
        throw error;
      },
    );
    return inFlight;
  };
}

async function probe(promise: Promise<unknown>): Promise<CheckState> {
  try {
    await promise;
    return 'up';
  } catch {
    return 'down';
  }
}

export type Unavailable = { available: false; reason: string };

export interface HealthDetailsDeps extends HealthDeps {
  dlqUrl: string;
  thresholds: { leaseGraceSeconds: number; staleWorkerSeconds: number };
  /** Present only where CloudWatch is configured (ALARM_NAME_PREFIX); otherwise reported unavailable. */
  cloudwatch?: { client: Pick<CloudWatchClient, 'send'>; alarmNamePrefix: string };
  now?: () => number;
}

interface DatabaseDetails {
  jobs: Record<'pending' | 'in_progress' | 'completed_today' | 'failed_today', number>;
  tasks: Record<'pending' | 'queued' | 'in_progress' | 'stale_leases', number>;
  workers: { active: number; stale: number };
  oldest_waiting_task_age_seconds: Record<Priority, number | null>;
  dead_letters: { alerts_pending: number; dead_lettered_tasks: number };
  database_time: string;
}

/**
 * The detailed health report (behind an API key). Every figure comes from where it lives: counts from
 * the database, depths from SQS, oldest-message ages and alarm states from CloudWatch. A source that
 * cannot be asked is reported as unavailable with the reason, never filled in.
 */
export async function healthDetails(deps: HealthDetailsDeps) {
  const now = deps.now ?? Date.now;
  const started = now();
  const database = await withTimeout(
    deps.rpc<DatabaseDetails>('health_details', {
      p_lease_grace_seconds: deps.thresholds.leaseGraceSeconds,
      p_stale_worker_seconds: deps.thresholds.staleWorkerSeconds,
    }),
    deps.timeoutMs,
    'database',
  ).then(
    (details) => ({ status: 'up' as const, latency_ms: now() - started, details }),
    (error: unknown) => ({ status: 'down' as const, error: (error as Error).message.slice(0, 200) }),
  );

  const [queues, dlq, oldestAges, alarms] = await Promise.all([
    Promise.all(
      PRIORITIES.map(
        async (priority) => [priority, await queueDepth(deps, deps.queueUrls[priority])] as const,
      ),
    ),
    queueDepth(deps, deps.dlqUrl),
    oldestMessageAges(deps),
    alarmStates(deps),
  ]);

  const db = database.status === 'up' ? database.details : undefined;
  const queueReport = Object.fromEntries(
    queues.map(([priority, depth]) => [
      priority,
      {
        ...depth,
        oldest_message_age_seconds: 'available' in oldestAges ? oldestAges : (oldestAges[priority] ?? null),
        oldest_waiting_task_age_seconds: db ? db.oldest_waiting_task_age_seconds[priority] : null,
      },
    ]),
  );
  const healthy = database.status === 'up' && queues.every(([, depth]) => !('available' in depth));
  return {
    status: healthy ? ('healthy' as const) : ('unhealthy' as const),
    checked_at: new Date(now()).toISOString(),
    database:
      database.status === 'up'
        ? { status: 'up', latency_ms: database.latency_ms }
        : { status: 'down', error: database.error },
    queues: queueReport,
    dlq: { ...dlq, ...(db ? db.dead_letters : {}) },
    workers: db?.workers ?? { available: false, reason: 'database down' },
    jobs: db?.jobs ?? { available: false, reason: 'database down' },
    tasks: db?.tasks ?? { available: false, reason: 'database down' },
    alarms,
  };
}

async function queueDepth(
  deps: HealthDeps,
  queueUrl: string,
): Promise<{ visible: number; in_flight: number; delayed: number } | Unavailable> {
  try {
    const { GetQueueAttributesCommand } = await import('@aws-sdk/client-sqs');
    const { Attributes = {} } = await withTimeout(
      deps.sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: queueUrl,
          AttributeNames: [
            'ApproximateNumberOfMessages',
            'ApproximateNumberOfMessagesNotVisible',
            'ApproximateNumberOfMessagesDelayed',
          ],
        }),
      ),
      deps.timeoutMs,
      'SQS',
    );
    return {
      visible: Number(Attributes.ApproximateNumberOfMessages ?? 0),
      in_flight: Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0),
      delayed: Number(Attributes.ApproximateNumberOfMessagesDelayed ?? 0),
    };
  } catch (error) {
    return { available: false, reason: (error as Error).message.slice(0, 200) };
  }
}

/** SQS's ApproximateAgeOfOldestMessage is only a CloudWatch metric; the queue name is its dimension. */
async function oldestMessageAges(
  deps: HealthDetailsDeps,
): Promise<Record<Priority, number | null> | Unavailable> {
  if (!deps.cloudwatch) return { available: false, reason: 'CloudWatch is not configured here' };
  const end = new Date((deps.now ?? Date.now)());
  try {
    const { GetMetricDataCommand } = await import('@aws-sdk/client-cloudwatch');
    const result = await withTimeout(
      deps.cloudwatch.client.send(
        new GetMetricDataCommand({
          StartTime: new Date(end.getTime() - 10 * 60_000),
          EndTime: end,
          ScanBy: 'TimestampDescending',
          MetricDataQueries: PRIORITIES.map((priority) => ({
            Id: `age_${priority}`,
            MetricStat: {
              Metric: {
                Namespace: 'AWS/SQS',
                MetricName: 'ApproximateAgeOfOldestMessage',
                Dimensions: [{ Name: 'QueueName', Value: deps.queueUrls[priority].split('/').pop() ?? '' }],
              },
              Period: 60,
              Stat: 'Maximum',
            },
          })),
        }),
      ),
      deps.timeoutMs,
      'CloudWatch',
    );
    const ages = {} as Record<Priority, number | null>;
    for (const priority of PRIORITIES) {
      const series = result.MetricDataResults?.find((r) => r.Id === `age_${priority}`);
      ages[priority] = series?.Values?.[0] ?? null;
    }
    return ages;
  } catch (error) {
    return { available: false, reason: (error as Error).message.slice(0, 200) };
  }
}

async function alarmStates(
  deps: HealthDetailsDeps,
): Promise<{ name: string; state: string | undefined; since: string | undefined }[] | Unavailable> {
  if (!deps.cloudwatch) return { available: false, reason: 'CloudWatch is not configured here' };
  try {
    const { DescribeAlarmsCommand } = await import('@aws-sdk/client-cloudwatch');
    const result = await withTimeout(
      deps.cloudwatch.client.send(
        new DescribeAlarmsCommand({ AlarmNamePrefix: deps.cloudwatch.alarmNamePrefix, MaxRecords: 100 }),
      ),
      deps.timeoutMs,
      'CloudWatch',
    );
    return [...(result.MetricAlarms ?? []), ...(result.CompositeAlarms ?? [])].map((alarm) => ({
      name: alarm.AlarmName ?? '',
      state: alarm.StateValue,
      since: alarm.StateUpdatedTimestamp?.toISOString(),
    }));
  } catch (error) {
    return { available: false, reason: (error as Error).message.slice(0, 200) };
  }
}
