import { Duration } from 'aws-cdk-lib';
import type { Stage } from 'aws-cdk-lib/aws-apigateway';
import { MathExpression, Metric, Stats } from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import {
  METRIC_NAMES,
  METRICS_NAMESPACE,
  MONITORING,
  QUEUES,
  SERVICE_NAME,
} from '../../../lambdas/platform/system-config';

const PERIOD = Duration.seconds(MONITORING.alarmPeriodSeconds);

/**
 * Every metric the alarms and the dashboard read, made in one place so an alarm and the graph next
 * to it always show the same numbers. Only metrics: thresholds live in the alarms.
 */
export const operationsMetrics = {
  /**
   * An EMF metric as Powertools publishes it: namespace from the config and its default `service`
   * dimension (the handlers add no other dimension to these metrics).
   */
  emf(metricName: string, statistic: string = Stats.SUM, period: Duration = PERIOD): Metric {
    return new Metric({
      namespace: METRICS_NAMESPACE,
      metricName,
      dimensionsMap: { service: SERVICE_NAME },
      statistic,
      period,
    });
  },

  queueDepth(queue: IQueue): Metric {
    return queue.metricApproximateNumberOfMessagesVisible({ statistic: Stats.MAXIMUM, period: PERIOD });
  },

  queueOldestMessageAge(queue: IQueue): Metric {
    return queue.metricApproximateAgeOfOldestMessage({ statistic: Stats.MAXIMUM, period: PERIOD });
  },

  /**
   * Seconds the queue needs to empty at the rate it is being worked: depth / deletions per second.
   * A queue with messages and no deletions is not draining at all; it reads as the queue's retention
   * (its messages would expire first) instead of dividing by zero, which would yield no data and
   * hide exactly the case this alarm is for.
   */
  /** `key` names the queue inside the expression, so several queues can share one graph. */
  queueTimeToDrain(queue: IQueue, key: string): MathExpression {
    const depth = `depth_${key}`;
    const deleted = `deleted_${key}`;
    return new MathExpression({
      expression: `IF(${deleted} > 0, ${depth} * PERIOD(${deleted}) / ${deleted}, IF(${depth} > 0, ${QUEUES.retentionPeriodSeconds}, 0))`,
      usingMetrics: {
        [depth]: queue.metricApproximateNumberOfMessagesVisible({ statistic: Stats.AVERAGE, period: PERIOD }),
        [deleted]: queue.metricNumberOfMessagesDeleted({ statistic: Stats.SUM, period: PERIOD }),
      },
      label: 'Time to drain (s)',
      period: PERIOD,
    });
  },

  /**
   * The share of submission attempts that ended in an error, in percent: handler errors, transient
   * failures sent back for a retry, and permanent failures, over every attempt that reached an outcome
   * (skipped duplicates and lost leases are not attempts). Below the minimum number of attempts the
   * rate reads 0: three attempts with one failure is not an incident.
   */
  submitterErrorRate(): MathExpression {
    const errors = 'FILL(taskError, 0) + FILL(retryScheduled, 0) + FILL(failed, 0)';
    const attempts = `${errors} + FILL(submitted, 0) + FILL(needsManual, 0)`;
    return new MathExpression({
      expression: `IF((${attempts}) >= ${MONITORING.submitter.minAttemptsForErrorRate}, 100 * (${errors}) / (${attempts}), 0)`,
      usingMetrics: {
        taskError: operationsMetrics.emf(METRIC_NAMES.taskError),
        retryScheduled: operationsMetrics.emf(METRIC_NAMES.taskRetryScheduled),
        failed: operationsMetrics.emf(METRIC_NAMES.taskFailed),
        submitted: operationsMetrics.emf(METRIC_NAMES.taskSubmitted),
        needsManual: operationsMetrics.emf(METRIC_NAMES.taskNeedsManual),
      },
      label: 'Submitter error rate (%)',
      period: PERIOD,
    });
  },

  lambdaErrors(fn: IFunction): Metric {
    return fn.metricErrors({ statistic: Stats.SUM, period: PERIOD });
  },

  lambdaThrottles(fn: IFunction): Metric {
    return fn.metricThrottles({ statistic: Stats.SUM, period: PERIOD });
  },

  lambdaConcurrency(fn: IFunction): Metric {
    return fn.metric('ConcurrentExecutions', { statistic: Stats.MAXIMUM, period: PERIOD });
  },

  lambdaDuration(fn: IFunction, statistic: string): Metric {
    return fn.metricDuration({ statistic, period: PERIOD });
  },

  api5xx(stage: Stage): Metric {
    return stage.metricServerError({ statistic: Stats.SUM, period: PERIOD });
  },

  api4xx(stage: Stage): Metric {
    return stage.metricClientError({ statistic: Stats.SUM, period: PERIOD });
  },

  apiCount(stage: Stage): Metric {
    return stage.metricCount({ statistic: Stats.SUM, period: PERIOD });
  },

  apiLatency(stage: Stage, statistic: string): Metric {
    return stage.metricLatency({ statistic, period: PERIOD });
  },
};
