import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { correlationId, errorResponse } from './http';
import { logger, metrics } from './powertools';

type ApiFunction = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

/**
 * Wraps an API function as a Lambda handler: structured logs carrying the correlation id, EMF
 * metrics, and every error turned into a JSON answer without internals.
 */
export function apiHandler(route: string, fn: ApiFunction) {
  const guarded: ApiFunction = async (event, context) => {
    logger.appendKeys({ correlation_id: correlationId(event), route });
    let result: APIGatewayProxyResult;
    try {
      result = await fn(event, context);
    } catch (error) {
      result = errorResponse(event, error);
    }
    metrics.addDimension('route', route);
    metrics.addMetric(result.statusCode >= 500 ? 'ApiServerError' : 'ApiRequest', MetricUnit.Count, 1);
    result.headers = { ...result.headers, 'x-correlation-id': correlationId(event) };
    return result;
  };
  return middy(guarded)
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics));
}
