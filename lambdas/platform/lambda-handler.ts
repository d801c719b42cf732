import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { logger, metrics } from './powertools';

/**
 * The one middy chain every Lambda runs in, whatever invokes it: the logger gets the invocation's
 * context with the previous invocation's keys reset (correlation ids never leak from one request or
 * task into the next), and the metrics the invocation added are flushed as one EMF line at its end.
 * The kinds of handler build on it: apiHandler (api-handler.ts), sqsHandler (sqs-handler.ts),
 * scheduledHandler and invokedHandler (below).
 */
export function lambdaHandler<Event, Result>(fn: (event: Event, context: Context) => Promise<Result>) {
  return middy(fn)
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics));
}

/**
 * A Lambda invoked directly or by another service with its own payload (`aws lambda invoke`, SNS):
 * the common chain only; the function validates its payload, as it is the boundary.
 */
export const invokedHandler = lambdaHandler;

/**
 * An EventBridge-scheduled job. `runMetric` is counted once for every run that finishes: the alarms
 * that say a monitor is not running (lib/constructs/operations/operations-alarms.ts) and the dashboard read it,
 * so a run that throws (database or SQS unreachable) is missing from it as well as in Errors.
 */
export function scheduledHandler<Result>(runMetric: string, fn: () => Promise<Result>) {
  return lambdaHandler(async (): Promise<Result> => {
    const result = await fn();
    metrics.addMetric(runMetric, MetricUnit.Count, 1);
    return result;
  });
}
