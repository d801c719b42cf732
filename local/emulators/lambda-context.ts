/**
 * Emulates: the Lambda runtime around one invocation.
 * Reproduces: the context object (name, ARN, request id, remaining time), the function timeout (an
 * invocation past its deadline fails) and a logging context per invocation, as Lambda Managed Instances
 * keep one per concurrent invocation.
 * Leaves out: cold starts, memory limits, freezing between invocations and the runtime API.
 */
import { randomUUID } from 'node:crypto';
import { InvokeStore, InvokeStoreBase } from '@aws/lambda-invoke-store';
import type { Context } from 'aws-lambda';

/** The Lambda context object a handler receives, with a deadline like Lambda's timeout. */
export function lambdaContext(functionName: string, timeoutMs: number): Context {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: '2048',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/**
 * Locally many handlers run at once in one process, all sharing the Powertools logger of
 * lambdas/platform/powertools.ts. Lambda's runtime for concurrent invocations (Lambda Managed
 * Instances) runs each invocation in its own InvokeStore context, and with AWS_LAMBDA_MAX_CONCURRENCY
 * set Powertools keeps a logger's Lambda context and appended keys per invocation there; doing the
 * same here keeps one function's name and keys off another's log lines.
 */
let invokeStore: Promise<InvokeStoreBase> | undefined;
function invocationStore(): Promise<InvokeStoreBase> {
  process.env.AWS_LAMBDA_MAX_CONCURRENCY ??= '1000';
  invokeStore ??= InvokeStore.getInstanceAsync(true);
  return invokeStore;
}

/**
 * Runs a handler as one invocation (its own logging context) with Lambda's timeout: past the
 * deadline the invocation counts as failed.
 */
export async function invokeWithTimeout<T>(
  run: () => Promise<T>,
  timeoutMs: number,
  functionName: string,
): Promise<T> {
  const store = await invocationStore();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${functionName} timed out after ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    const invocation = store.run({ [InvokeStoreBase.PROTECTED_KEYS.REQUEST_ID]: randomUUID() }, run);
    return await Promise.race([invocation, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
