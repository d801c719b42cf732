/**
 * Locally several functions run at once in one process and share the Powertools logger
 * (lambdas/platform/powertools.ts). Invoked the way the local runtime invokes every handler
 * (invokeWithTimeout: the gateway, the pollers, the schedules), each invocation's log lines carry its
 * own function name, request id and appended keys, never another's.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { invokeWithTimeout, lambdaContext } from '../../../local/emulators/lambda-context';
import { logger } from '../../../lambdas/platform/powertools';
import { captureOutput } from '../../support/log-capture';

/** A handler like ours: middy, injectLambdaContext with resetKeys, appended keys, a wait in between. */
function handlerLoggingAs(taskId: string, waits: Promise<void>) {
  return middy(async (_event: unknown, _context: Context) => {
    logger.appendKeys({ task_id: taskId });
    logger.info('before the wait', { marker: 'context-test' });
    await waits;
    logger.info('after the wait', { marker: 'context-test' });
  }).use(injectLambdaContext(logger, { resetKeys: true }));
}

it("each concurrent invocation's log lines carry its own function name and keys", async () => {
  logger.setLogLevel('INFO');
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const sweeperHandler = handlerLoggingAs('task-of-the-sweeper', gate);
  const apiHandler = handlerLoggingAs('task-of-the-api', gate);
  const sweeperContext = lambdaContext('stale-task-sweeper', 5_000);
  const apiContext = lambdaContext('get-job', 5_000);

  const output = captureOutput();
  try {
    // Both start, then both finish: the second one's context was injected while the first was waiting.
    const first = invokeWithTimeout(() => sweeperHandler({}, sweeperContext), 5_000, 'stale-task-sweeper');
    const second = invokeWithTimeout(() => apiHandler({}, apiContext), 5_000, 'get-job');
    await new Promise((resolve) => setTimeout(resolve, 50));
    release();
    await Promise.all([first, second]);
  } finally {
    output.restore();
  }

  const lines = output
    .text()
    .split('\n')
    .filter((line) => line.includes('"context-test"'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  const linesOf = (functionName: string) =>
    lines
      .filter((line) => line.function_name === functionName)
      .map((line) => [line.function_request_id, line.task_id, line.message]);
  expect(linesOf('stale-task-sweeper')).toEqual([
    [sweeperContext.awsRequestId, 'task-of-the-sweeper', 'before the wait'],
    [sweeperContext.awsRequestId, 'task-of-the-sweeper', 'after the wait'],
  ]);
  expect(linesOf('get-job')).toEqual([
    [apiContext.awsRequestId, 'task-of-the-api', 'before the wait'],
    [apiContext.awsRequestId, 'task-of-the-api', 'after the wait'],
  ]);
});
