import type { SQSClient } from '@aws-sdk/client-sqs';
import { PRIORITIES, QUEUES, SUBMITTER, type Priority } from '../../lambdas/platform/system-config';
import { startSqsEventSource, type SqsEventSource, type SqsHandler } from '../emulators/sqs-event-source';

/**
 * The submitter's event source mappings, locally: one poller per priority queue with the batch size,
 * weighted maximumConcurrency and function timeout the stacks configure (lambdas/platform/system-config).
 * Returns a stop function that waits for the pollers.
 */
export function startSubmitterPollers(options: {
  sqs: SQSClient;
  queues: Record<Priority, { url: string; arn: string }>;
  region: string;
  handler: SqsHandler;
  log?: (line: string) => void;
}): { sources: SqsEventSource[]; stop(): Promise<void> } {
  const sources = PRIORITIES.map((priority) =>
    startSqsEventSource({
      sqs: options.sqs,
      queueUrl: options.queues[priority].url,
      queueArn: options.queues[priority].arn,
      region: options.region,
      functionName: 'submitter',
      handler: options.handler,
      batchSize: SUBMITTER.batchSize,
      maximumConcurrency: QUEUES.tasks[priority].maximumConcurrency,
      functionTimeoutMs: SUBMITTER.timeoutSeconds * 1000,
      onError: (error) => options.log?.(`submitter poller (${priority}): ${(error as Error).message}`),
    }),
  );
  return {
    sources,
    stop: async () => {
      await Promise.all(sources.map((source) => source.stop()));
    },
  };
}
