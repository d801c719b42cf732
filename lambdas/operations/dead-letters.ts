import type { Message, SQSClient } from '@aws-sdk/client-sqs';
import type { AlertRetry } from './settings';
import type { LogPort } from '../platform/ports';
import type { Rpc } from '../platform/rpc';
import type { PostToSlack, SlackMessage } from './slack';
import { MONITORING, OPERATIONS } from '../platform/system-config';
import { runbookUrl, type OpsLinks } from './links';

/** What record_dead_letter stores for one dead-lettered message: the contents of its alert. */
export interface DeadLetterAlert {
  message_id: string;
  task_id: string | null;
  job_id: string | null;
  customer_id: string | null;
  customer_name: string | null;
  directory: { id: string; slug: string; name: string } | null;
  attempts: number | null;
  max_attempts: number | null;
  receive_count: number | null;
  last_error: string | null;
  task_status_before: string | null;
  task_status: string | null;
  job_status: string | null;
  source_queue: string | null;
  body_excerpt: string | null;
}

export interface DlqMonitorDeps {
  rpc: Rpc;
  sqs: Pick<SQSClient, 'send'>;
  dlqUrl: string;
  postToSlack: PostToSlack;
  links: OpsLinks;
  alertRetry: AlertRetry;
  log: LogPort;
}

export interface DlqMonitorResult {
  received: number;
  recorded: number;
  duplicates: number;
  /** Messages that could not be recorded; they stay on the DLQ for the next run. */
  recordFailed: number;
  deleted: number;
  alertsSent: number;
  alertsFailed: number;
}

const limits = OPERATIONS.dlqMonitor;

/**
 * One run of the DLQ monitor. The order is what makes it safe:
 *   1. receive a batch from the DLQ;
 *   2. record each message (record_dead_letter: the task becomes dead_lettered and the alert goes into
 *      the dlq_alerts outbox, de-duplicated by SQS message id, in one transaction);
 *   3. delete from the DLQ only the messages whose record is committed;
 *   4. send the outbox's due alerts to Slack, marking each sent only after Slack took it.
 * A crash before 3 leaves the message on the DLQ: it is read again and recorded once (primary key).
 * Slack down at 4 leaves the alert pending: a later run sends it. The only window for a second copy
 * is Slack taking an alert and this run dying before mark_dlq_alert_sent commits; webhooks have no
 * idempotency key, so at-least-once is the best any sender can do there.
 */
export async function monitorDeadLetters(deps: DlqMonitorDeps): Promise<DlqMonitorResult> {
  const result: DlqMonitorResult = {
    received: 0,
    recorded: 0,
    duplicates: 0,
    recordFailed: 0,
    deleted: 0,
    alertsSent: 0,
    alertsFailed: 0,
  };
  // Loaded on first use, not at start-up (lambdas/platform/lazy-client.ts).
  const { DeleteMessageBatchCommand, ReceiveMessageCommand } = await import('@aws-sdk/client-sqs');

  while (result.received < limits.maxMessagesPerRun) {
    const { Messages } = await deps.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: deps.dlqUrl,
        MaxNumberOfMessages: Math.min(10, limits.maxMessagesPerRun - result.received),
        WaitTimeSeconds: 1,
        VisibilityTimeout: limits.receiveVisibilityTimeoutSeconds,
        MessageSystemAttributeNames: ['All'],
      }),
    );
    if (!Messages || Messages.length === 0) break;
    result.received += Messages.length;

    const recorded: Message[] = [];
    for (const message of Messages) {
      try {
        const outcome = await recordMessage(deps, message);
        if (outcome === 'recorded') result.recorded += 1;
        else result.duplicates += 1;
        recorded.push(message);
      } catch (error) {
        result.recordFailed += 1;
        deps.log.error('Dead-lettered message not recorded; it stays on the DLQ', {
          message_id: message.MessageId,
          error: error instanceof Error ? error.message : String(error),
        });
      }
    }
    if (recorded.length > 0) {
      const deleted = await deps.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: deps.dlqUrl,
          Entries: recorded.map((message, index) => ({
            Id: String(index),
            ReceiptHandle: message.ReceiptHandle,
          })),
        }),
      );
      result.deleted += deleted.Successful?.length ?? 0;
    }
  }

  await deliverAlerts(deps, result);
  return result;
}

async function recordMessage(deps: DlqMonitorDeps, message: Message): Promise<'recorded' | 'duplicate'> {
  if (!message.MessageId) throw new Error('SQS returned a message without an id');
  const attributes = message.Attributes ?? {};
  const receiveCount = Number(attributes.ApproximateReceiveCount);
  const recorded = await deps.rpc<{ recorded: boolean; alert?: DeadLetterAlert }>('record_dead_letter', {
    p_message_id: message.MessageId,
    p_body: message.Body ?? '',
    p_receive_count: Number.isInteger(receiveCount) ? receiveCount : null,
    // Set by SQS on messages it moved to a DLQ.
    p_source_queue: attributes.DeadLetterQueueSourceArn ?? null,
  });
  if (recorded.recorded && recorded.alert) {
    deps.log.warn('Message dead-lettered', {
      message_id: message.MessageId,
      task_id: recorded.alert.task_id,
      job_id: recorded.alert.job_id,
      customer_id: recorded.alert.customer_id,
      directory: recorded.alert.directory?.slug,
    });
  }
  return recorded.recorded ? 'recorded' : 'duplicate';
}

async function deliverAlerts(deps: DlqMonitorDeps, result: DlqMonitorResult): Promise<void> {
  const due = await deps.rpc<{ message_id: string; payload: DeadLetterAlert; send_attempts: number }[]>(
    'claim_dlq_alerts',
    { p_limit: limits.maxAlertsPerRun, p_claim_seconds: limits.alertClaimSeconds },
  );
  for (const [index, alert] of due.entries()) {
    try {
      await deps.postToSlack(deadLetterMessage(alert.payload, deps.links));
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      result.alertsFailed += 1;
      await deps.rpc('mark_dlq_alert_failed', {
        p_message_id: alert.message_id,
        p_error: reason,
        p_retry_base_seconds: deps.alertRetry.baseSeconds,
        p_retry_cap_seconds: deps.alertRetry.capSeconds,
      });
      // Slack is down or refusing: stop hammering it; the rest are handed back for the next run.
      const rest = due.slice(index + 1).map((next) => next.message_id);
      if (rest.length > 0) await deps.rpc('release_dlq_alerts', { p_message_ids: rest });
      deps.log.error('Slack did not take the DLQ alert; it stays in the outbox', {
        message_id: alert.message_id,
        error: reason,
        not_tried: rest.length,
      });
      return;
    }
    await deps.rpc('mark_dlq_alert_sent', { p_message_id: alert.message_id });
    result.alertsSent += 1;
  }
}

/** One dead-lettered message as a Slack message: what failed, for whom, and what to do next. */
export function deadLetterMessage(alert: DeadLetterAlert, links: OpsLinks): SlackMessage {
  const runbook = runbookUrl(links, MONITORING.runbooks.dlqMessages);
  const directory = alert.directory ? `${alert.directory.name} (${alert.directory.slug})` : 'unknown';
  const attempts =
    alert.attempts === null ? 'unknown' : `${alert.attempts} of ${alert.max_attempts ?? '?'} attempts`;
  const next = alert.task_id
    ? `Read the error and the task's history (runbook), fix the cause, then redrive: ` +
      `invoke dlq-redrive with {"message_ids": ["${alert.message_id}"], "requested_by": "<you>"}.`
    : 'The message names no known task: inspect the stored body (dlq_alerts.message_body) and delete or fix the sender.';
  const lines = [
    `*Job:* ${alert.job_id ?? 'unknown'}`,
    `*Customer:* ${alert.customer_id ?? 'unknown'}${alert.customer_name ? ` (${alert.customer_name})` : ''}`,
    `*Directory:* ${directory}`,
    `*Task:* ${alert.task_id ?? 'unknown'} (${alert.task_status_before ?? '?'} → ${alert.task_status ?? '?'})`,
    `*Attempts:* ${attempts}; SQS receives: ${alert.receive_count ?? 'unknown'}`,
    `*Message id:* ${alert.message_id}`,
    `*Last error:* ${alert.last_error ?? (alert.body_excerpt ? `unparseable message: ${alert.body_excerpt}` : 'none recorded')}`,
  ];
  const text = `:rotating_light: Task dead-lettered: ${directory}, job ${alert.job_id ?? 'unknown'} (message ${alert.message_id})`;
  const linkLine = [
    `<${runbook}|Runbook: DLQ messages>`,
    links.dashboardUrl && `<${links.dashboardUrl}|Dashboard>`,
  ]
    .filter(Boolean)
    .join(' · ');
  return {
    text,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: 'Task dead-lettered', emoji: true } },
      { type: 'section', text: { type: 'mrkdwn', text: lines.join('\n') } },
      { type: 'section', text: { type: 'mrkdwn', text: `*What to do:* ${next}` } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: linkLine }] },
    ],
  };
}
