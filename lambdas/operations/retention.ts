import type { LogPort } from '../platform/ports';
import type { Rpc } from '../platform/rpc';
import { OPERATIONS } from '../platform/system-config';

export interface RetentionDeps {
  rpc: Rpc;
  /** Writes one archive object (S3 PutObject in the handler); must only resolve once it is stored. */
  putArchive(key: string, body: string): Promise<void>;
  log: LogPort;
  settings?: typeof OPERATIONS.retention;
}

export interface RetentionResult {
  archivedRows: number;
  archives: string[];
  purged: {
    rate_limit_requests: number;
    api_idempotency_keys: number;
    dlq_alerts: number;
    inbound_mail: number;
  };
}

interface HistoryRow {
  id: number;
  created_at: string;
  [column: string]: unknown;
}

/**
 * Daily retention. queue_history older than OPERATIONS.retention.historyDays goes to S3 as JSON lines,
 * one object per batch, and is deleted only after its object is stored, by id (a failed put deletes
 * nothing; a failed delete re-archives the same rows under the same key next time, overwriting it).
 * Then expired rate-limit windows, idempotency keys, delivered DLQ alerts and the records of mail
 * that has left the mail bucket are purged.
 */
export async function runRetention(deps: RetentionDeps): Promise<RetentionResult> {
  const settings = deps.settings ?? OPERATIONS.retention;
  const result: RetentionResult = {
    archivedRows: 0,
    archives: [],
    purged: { rate_limit_requests: 0, api_idempotency_keys: 0, dlq_alerts: 0, inbound_mail: 0 },
  };

  for (let batch = 0; batch < settings.maxBatchesPerRun; batch += 1) {
    const rows = await deps.rpc<HistoryRow[]>('select_history_for_archive', {
      p_older_than_days: settings.historyDays,
      p_limit: settings.historyBatchSize,
    });
    if (rows.length === 0) break;
    const key = archiveKey(rows);
    await deps.putArchive(key, rows.map((row) => JSON.stringify(row)).join('\n') + '\n');
    const deleted = await deps.rpc<{ deleted: number }>('delete_archived_history', {
      p_ids: rows.map((row) => row.id),
      p_older_than_days: settings.historyDays,
      p_archive_key: key,
    });
    result.archivedRows += deleted.deleted;
    result.archives.push(key);
    deps.log.info('queue_history archived', { key, rows: rows.length, deleted: deleted.deleted });
    if (rows.length < settings.historyBatchSize) break;
  }

  result.purged = await deps.rpc<RetentionResult['purged']>('purge_expired_rows', {
    p_rate_limit_days: settings.rateLimitRowsDays,
    p_idempotency_days: settings.idempotencyKeyDays,
    p_dlq_alert_days: settings.dlqAlertsDays,
    p_inbound_mail_days: settings.inboundMailDays,
  });
  return result;
}

/** queue_history/<yyyy>/<mm>/<dd>/<first id>-<last id>.jsonl, dated by the oldest row: easy to find by day. */
export function archiveKey(rows: HistoryRow[]): string {
  const first = rows[0]!;
  const last = rows[rows.length - 1]!;
  const day = new Date(first.created_at).toISOString().slice(0, 10).split('-');
  const pad = (id: number) => String(id).padStart(12, '0');
  return `queue_history/${day.join('/')}/${pad(first.id)}-${pad(last.id)}.jsonl`;
}
