import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { runRetention, type RetentionResult } from '../../operations/retention';
import { serviceRpc } from '../../platform/database';
import { requireEnv } from '../../platform/env';
import { scheduledHandler } from '../../platform/lambda-handler';
import { logger, metrics } from '../../platform/powertools';
import { s3 } from '../../platform/s3-client';
import { METRIC_NAMES } from '../../platform/system-config';

const archiveBucket = requireEnv('ARCHIVE_BUCKET');

/** Daily retention (EventBridge, OPERATIONS.retention.intervalSeconds): archive, then delete and purge. */
const retention = async (): Promise<RetentionResult> => {
  const rpc = await serviceRpc();
  const result = await runRetention({
    rpc,
    log: logger,
    putArchive: async (key, body) => {
      const { PutObjectCommand } = await import('@aws-sdk/client-s3');
      await s3.send(
        new PutObjectCommand({
          Bucket: archiveBucket,
          Key: key,
          Body: body,
          ContentType: 'application/x-ndjson',
        }),
      );
    },
  });
  metrics.addMetric(METRIC_NAMES.historyRowsArchived, MetricUnit.Count, result.archivedRows);
  logger.info('Retention finished', {
    archived_rows: result.archivedRows,
    archives: result.archives.length,
    ...result.purged,
  });
  return result;
};

export const handler = scheduledHandler(METRIC_NAMES.retentionRun, retention);
