import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { taskQueueUrlsFromEnv } from '../../lambdas/tasks/task-queues';
import { requireEnv } from '../../lambdas/platform/env';
import { PRIORITIES, type Priority } from '../../lambdas/platform/system-config';
import { readLocalConfig } from './config';
import type { SqsHandler } from '../emulators/sqs-event-source';
import { startSubmitterPollers } from './submitter-pollers';
import { collectEmfMetrics } from '../emulators/cloudwatch-metrics';
import { startOperations } from './operations';
import type { Scheduler } from '../emulators/eventbridge-scheduler';

/**
 * The submitter's queue pollers and the operations timers as a process of their own, attached to
 * parts that run elsewhere (the RPC endpoint, SQS/S3) through the same Lambda environment variables.
 * This is how a "Lambda execution environment" can be killed with SIGKILL while the queues and the
 * database live on: the fault tests start it, kill it mid-task, and start another one.
 *
 *   LOCAL_WORKER_SUBMITTER=true|false   poll the task queues (default true)
 *   LOCAL_WORKER_OPERATIONS=true|false  run the sweeper, DLQ monitor and retention on timers (default true)
 *   LOCAL_*_INTERVAL_SECONDS            the timers (local/runtime/config.ts)
 * It prints `ready: worker` once polling.
 */
async function main(): Promise<void> {
  const config = readLocalConfig();
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const stopMetrics = collectEmfMetrics(config.LOCAL_METRICS_FILE);
  const stops: (() => Promise<void>)[] = [];

  if (process.env.LOCAL_WORKER_SUBMITTER !== 'false') {
    const sqs = new SQSClient({});
    const submitter = (await import('../../lambdas/handlers/submitter')) as {
      handler: SqsHandler;
      shutdown?: () => Promise<void>;
    };
    const queues = {} as Record<Priority, { url: string; arn: string }>;
    const urls = taskQueueUrlsFromEnv();
    for (const priority of PRIORITIES) {
      const url = urls[priority];
      const { Attributes } = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
      );
      queues[priority] = { url, arn: Attributes?.QueueArn ?? '' };
    }
    const pollers = startSubmitterPollers({
      sqs,
      queues,
      region: requireEnv('AWS_REGION'),
      handler: submitter.handler,
      log,
    });
    stops.push(async () => {
      await pollers.stop();
      await submitter.shutdown?.();
    });
  }

  let scheduler: Scheduler | undefined;
  if (process.env.LOCAL_WORKER_OPERATIONS !== 'false') {
    scheduler = await startOperations(
      {
        sweepSeconds: config.LOCAL_SWEEP_INTERVAL_SECONDS,
        dlqCheckSeconds: config.LOCAL_DLQ_CHECK_INTERVAL_SECONDS,
        retentionSeconds: config.LOCAL_RETENTION_INTERVAL_SECONDS,
      },
      log,
    );
    stops.push(() => scheduler!.stop());
  }

  const stop = async () => {
    for (const fn of stops.reverse()) await fn().catch(() => undefined);
    stopMetrics();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
  process.stdout.write('ready: worker\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`worker failed: ${(error as Error).message}\n`);
  process.exit(1);
});
