import type { SQSClient } from '@aws-sdk/client-sqs';
import type * as z from '../platform/zod';
import { redriveRequestSchema } from './redrive-request';
import type { LogPort } from '../platform/ports';
import type { Rpc } from '../platform/rpc';
import { OPERATIONS, TASKS, type Priority } from '../platform/system-config';
import { sendTaskMessages } from '../tasks/send-task-messages';

export type RedriveRequest = z.infer<typeof redriveRequestSchema>;

export interface RedriveDeps {
  rpc: Rpc;
  sqs: Pick<SQSClient, 'send'>;
  queueUrls: Record<Priority, string>;
  log: LogPort;
}

export interface RedriveResult {
  redriven: { message_id: string; task_id: string; job_id: string; priority: Priority; sent: boolean }[];
  skipped: { message_id: string; reason: string; task_status?: string }[];
}

/**
 * Sends dead-lettered tasks back to their priority queue. The database reopens each task with a fresh
 * retry budget and audits the redrive (redrive_dead_letters); then one task message per task goes to
 * its queue (the same body create-job sends; a poison body is never resent as it was). A task whose
 * message could not be sent is queued without one, which the sweeper repairs.
 */
export async function redriveDeadLetters(deps: RedriveDeps, request: RedriveRequest): Promise<RedriveResult> {
  const reopened = await deps.rpc<{
    redriven: { message_id: string; task_id: string; job_id: string; priority: Priority }[];
    skipped: RedriveResult['skipped'];
  }>('redrive_dead_letters', {
    p_message_ids: request.message_ids ?? null,
    p_requested_by: request.requested_by,
    p_retry_budget: TASKS.retryBudget,
    p_limit: OPERATIONS.dlqMonitor.maxRedrivePerRequest,
  });
  const sent = await sendTaskMessages(
    deps,
    reopened.redriven.map((r) => ({ task_id: r.task_id, job_id: r.job_id, priority: r.priority })),
  );
  const redriven = reopened.redriven.map((r) => ({ ...r, sent: sent.has(r.task_id) }));
  deps.log.info('Dead letters redriven', {
    requested_by: request.requested_by,
    redriven: redriven.length,
    not_sent: redriven.filter((r) => !r.sent).length,
    skipped: reopened.skipped.length,
  });
  return { redriven, skipped: reopened.skipped };
}
