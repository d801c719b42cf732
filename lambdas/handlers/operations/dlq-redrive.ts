import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { taskQueueUrlsFromEnv } from '../../tasks/task-queues';
import { redriveDeadLetters, type RedriveResult } from '../../operations/redrive';
import { redriveRequestSchema } from '../../operations/redrive-request';
import { serviceRpc } from '../../platform/database';
import { invokedHandler } from '../../platform/lambda-handler';
import { logger, metrics } from '../../platform/powertools';
import { RpcError } from '../../platform/rpc';
import { sqs } from '../../platform/sqs-client';
import { METRIC_NAMES } from '../../platform/system-config';

const queueUrls = taskQueueUrlsFromEnv();

export type RedriveResponse =
  | ({ ok: true } & RedriveResult)
  | { ok: false; error: { code: 'invalid_request' | 'not_found'; message: string } };

/**
 * Redrive on request: `aws lambda invoke --function-name <dlq-redrive> --payload
 * '{"message_ids":["..."],"requested_by":"alice"}'` (or `"all": true`). The admin API route calls the
 * same redriveDeadLetters. Bad input is answered, not thrown: nothing to retry, nothing changed.
 */
const redrive = async (event: unknown): Promise<RedriveResponse> => {
  const parsed = redriveRequestSchema.safeParse(event);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
    return {
      ok: false,
      error: { code: 'invalid_request', message: `${field}${issue?.message ?? 'invalid'}` },
    };
  }
  const rpc = await serviceRpc();
  try {
    const result = await redriveDeadLetters({ rpc, sqs, queueUrls, log: logger }, parsed.data);
    metrics.addMetric(METRIC_NAMES.dlqMessagesRedriven, MetricUnit.Count, result.redriven.length);
    return { ok: true, ...result };
  } catch (error) {
    if (error instanceof RpcError && error.isInvalidInput) {
      const code = error.code === 'P0002' ? 'not_found' : 'invalid_request';
      return { ok: false, error: { code, message: error.message } };
    }
    throw error;
  }
};

export const handler = invokedHandler(redrive);
