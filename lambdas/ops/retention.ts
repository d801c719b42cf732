import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { runRetention, type RetentionResult } from '../operations/retention';
import { serviceRpc } from '../shared/database';
import { requireEnv } from '../shared/env';
import { logger, metrics } from '../shared/powertools';
import { s3 } from '../shared/s3-client';
import { METRIC_NAMES } from '../shared/system-config';

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
  metrics.addMetric(METRIC_NAMES.retentionRun, MetricUnit.Count, 1);
  metrics.addMetric(METRIC_NAMES.historyRowsArchived, MetricUnit.Count, result.archivedRows);
  logger.info('Retention finished', {
    archived_rows: result.archivedRows,
    archives: result.archives.length,
    ...result.purged,
  });
  return result;
};

export const handler = middy(retention)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics));
