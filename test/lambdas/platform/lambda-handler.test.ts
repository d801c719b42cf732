/**
 * The wrappers every Lambda is built with (lambdas/platform/lambda-handler.ts, sqs-handler.ts,
 * api-handler.ts), on real parts: Powertools' batch processor and metrics, and esbuild bundling each
 * API handler as the stacks do (LAMBDA_BUNDLING).
 */
import path from 'node:path';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { build } from 'esbuild';
import { API_ROUTES } from '../../../lambdas/handlers/api/routes';
import { scheduledHandler } from '../../../lambdas/platform/lambda-handler';
import { sqsHandler } from '../../../lambdas/platform/sqs-handler';
import * as z from '../../../lambdas/platform/zod';
import { LAMBDA_BUNDLING } from '../../../lib/constructs/platform/lambda-bundling';
import { lambdaContext } from '../../../local/emulators/lambda-context';
import { captureOutput } from '../../support/log-capture';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const context = () => lambdaContext('wrapper-test', 10_000);

function record(messageId: string, body: string): SQSRecord {
  return {
    messageId,
    receiptHandle: `receipt-${messageId}`,
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '0',
      SenderId: 'test',
      ApproximateFirstReceiveTimestamp: '0',
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:wrapper-test',
    awsRegion: 'us-east-1',
  };
}

const orderSchema = z.strictObject({ order_id: z.uuid(), quantity: z.number().check(z.int()) });
const ORDER = { order_id: '7c9e6679-7425-40de-944b-e07fc1f90ae7', quantity: 2 };

describe('sqsHandler', () => {
  it('hands the record function parsed messages and reports each unreadable one alone', async () => {
    // Prepare
    const seen: unknown[] = [];
    const handler = sqsHandler(
      orderSchema,
      async (message) => {
        seen.push(message);
      },
      { describe: 'an order' },
    );
    const event: SQSEvent = {
      Records: [
        record('good', JSON.stringify(ORDER)),
        record('not-json', '{"order_id":'),
        record('not-an-order', JSON.stringify({ ...ORDER, quantity: 'two' })),
        record('extra-field', JSON.stringify({ ...ORDER, surprise: true })),
      ],
    };
    // Act
    const response = await handler(event, context());
    // Assess
    expect(seen).toEqual([ORDER]);
    expect(response.batchItemFailures.map((failure) => failure.itemIdentifier).sort()).toEqual(
      ['extra-field', 'not-an-order', 'not-json'].sort(),
    );
  });

  it('answers a batch in which every record fails with every record, rather than throwing', async () => {
    // Prepare
    const handler = sqsHandler(
      orderSchema,
      async () => {
        throw new Error('directory unreachable');
      },
      { describe: 'an order' },
    );
    // Act
    const response = await handler(
      { Records: [record('a', JSON.stringify(ORDER)), record('b', 'nonsense')] },
      context(),
    );
    // Assess
    expect(response.batchItemFailures.map((failure) => failure.itemIdentifier).sort()).toEqual(['a', 'b']);
  });

  it('runs aroundBatch around the records and returns its answer', async () => {
    // Prepare
    const steps: string[] = [];
    const handler = sqsHandler(
      orderSchema,
      async (message) => {
        steps.push(`record ${message.quantity}`);
      },
      {
        describe: 'an order',
        aroundBatch: async (processBatch) => {
          steps.push('before');
          const response = await processBatch();
          steps.push('after');
          return response;
        },
      },
    );
    // Act
    const response = await handler({ Records: [record('a', JSON.stringify(ORDER))] }, context());
    // Assess
    expect(steps).toEqual(['before', 'record 2', 'after']);
    expect(response.batchItemFailures).toEqual([]);
  });
});

describe('scheduledHandler', () => {
  const runMetricsIn = (text: string, metric: string) =>
    text
      .split('\n')
      .filter((line) => line.startsWith('{') && line.includes('"_aws"'))
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((emf) => metric in emf)
      .map((emf) => emf[metric]);

  it('counts its run metric for a run that finishes, and not for one that throws', async () => {
    // Prepare
    const finishing = scheduledHandler('WrapperTestRun', async () => ({ swept: 3 }));
    const failing = scheduledHandler('WrapperTestFailedRun', async () => {
      throw new Error('database unreachable');
    });
    const output = captureOutput();
    let result: unknown;
    let failure: unknown;
    try {
      // Act
      result = await finishing({}, context());
      failure = await failing({}, context()).catch((error: unknown) => error);
    } finally {
      output.restore();
    }
    // Assess
    expect(result).toEqual({ swept: 3 });
    expect((failure as Error).message).toBe('database unreachable');
    expect(runMetricsIn(output.text(), 'WrapperTestRun')).toEqual([1]);
    expect(runMetricsIn(output.text(), 'WrapperTestFailedRun')).toEqual([]);
  });
});

/** The files esbuild put in a Lambda's bundle, built as the stacks build it (LAMBDA_BUNDLING). */
async function bundledInputs(entry: string, alsoExternal: readonly string[] = []): Promise<string[]> {
  const result = await build({
    entryPoints: [path.join(ROOT, 'lambdas', `${entry}.ts`)],
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: LAMBDA_BUNDLING.format,
    target: LAMBDA_BUNDLING.target,
    mainFields: [...LAMBDA_BUNDLING.mainFields],
    supported: LAMBDA_BUNDLING.supported,
    external: [
      ...LAMBDA_BUNDLING.sdkCredentialProvidersNotBundled,
      ...LAMBDA_BUNDLING.deferredModules.map((deferred) => deferred.importPath),
      ...alsoExternal,
      '@sparticuz/chromium',
      'playwright-core',
    ],
    logLevel: 'silent',
  });
  return Object.keys(result.metafile.inputs);
}

describe('Lambda bundles', () => {
  it('leave every deferred module out (a caller that imports one by another path pulls it back in)', async () => {
    // Every Lambda entry point: the API's routes, the others directly in lambdas/handlers/, the
    // scheduled operations.
    const { readdir } = await import('node:fs/promises');
    const handlers = path.join(ROOT, 'lambdas', 'handlers');
    const entries = new Set(API_ROUTES.map((route) => route.entry));
    for (const file of await readdir(handlers))
      if (file.endsWith('.ts')) entries.add(`handlers/${file.slice(0, -3)}`);
    for (const file of await readdir(path.join(handlers, 'operations')))
      if (file.endsWith('.ts')) entries.add(`handlers/operations/${file.slice(0, -3)}`);
    // The deferred modules' own sources, as esbuild names its inputs.
    const deferredSources = LAMBDA_BUNDLING.deferredModules.map((deferred) =>
      deferred.entry.startsWith('lambdas/platform/aws-sdk/')
        ? `node_modules/${deferred.importPath}/`
        : deferred.entry,
    );
    const found: string[] = [];
    for (const entry of [...entries].sort()) {
      for (const input of await bundledInputs(entry)) {
        if (deferredSources.some((source) => input === source || input.startsWith(source)))
          found.push(`${entry}: ${input}`);
      }
    }
    expect(entries.size).toBeGreaterThan(API_ROUTES.length + 5);
    expect(found).toEqual([]);
  }, 240_000);
});

describe('API route definitions', () => {
  it('put only its own route, and so only its own schemas, in each API bundle', async () => {
    // Prepare
    const bundled: Record<string, string[]> = {};
    // Act
    for (const route of API_ROUTES) {
      const result = await build({
        entryPoints: [path.join(ROOT, 'lambdas', `${route.entry}.ts`)],
        bundle: true,
        write: false,
        metafile: true,
        platform: 'node',
        format: LAMBDA_BUNDLING.format,
        target: LAMBDA_BUNDLING.target,
        mainFields: [...LAMBDA_BUNDLING.mainFields],
        supported: LAMBDA_BUNDLING.supported,
        external: [
          ...LAMBDA_BUNDLING.sdkCredentialProvidersNotBundled,
          ...LAMBDA_BUNDLING.deferredModules.map((deferred) => deferred.importPath),
          '@sparticuz/chromium',
          'playwright-core',
        ],
        logLevel: 'silent',
      });
      bundled[route.name] = Object.keys(result.metafile.inputs).filter(
        (input) => input.endsWith('.route.ts') || input.endsWith('lambdas/handlers/api/routes.ts'),
      );
    }
    // Assess
    for (const route of API_ROUTES) {
      expect([route.name, bundled[route.name]]).toEqual([route.name, [`lambdas/${route.entry}.route.ts`]]);
    }
  }, 240_000);
});
