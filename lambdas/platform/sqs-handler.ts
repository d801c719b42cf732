import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { lambdaHandler } from './lambda-handler';
import type * as z from './zod';

export interface SqsHandlerOptions {
  /** What a message is, for the error of one that does not parse ("a task message"). */
  describe: string;
  /**
   * Work around each batch (the submitter's liveness notes): it runs the batch with `processBatch` and
   * returns its answer.
   */
  aroundBatch?: (processBatch: () => Promise<SQSBatchResponse>) => Promise<SQSBatchResponse>;
}

/**
 * An SQS queue consumer: every record's body is parsed as JSON against `schema` before `fn` sees it,
 * and the batch is answered with partial batch failures (Powertools' BatchProcessor and
 * processPartialResponse; the event source sets reportBatchItemFailures): a record whose body is not
 * JSON or not a valid message, or whose `fn` throws, is reported alone and stays on its queue until
 * the redrive policy moves it to the DLQ; the others are deleted. A batch in which every record fails
 * is answered the same way, not thrown, so the event source mapping does not retry the whole batch.
 * Records run in parallel. Powertools' parser integration does the same parsing with classic zod (about
 * 100 KiB more per bundle, lambdas/platform/zod.ts); this reads the message with the schema directly.
 */
export function sqsHandler<Schema extends z.ZodMiniType>(
  schema: Schema,
  fn: (message: z.infer<Schema>, record: SQSRecord) => Promise<void>,
  options: SqsHandlerOptions,
) {
  const processor = new BatchProcessor(EventType.SQS);
  const recordHandler = async (record: SQSRecord): Promise<void> => {
    await fn(parseMessage(schema, record, options.describe), record);
  };
  return lambdaHandler(async (event: SQSEvent, context) => {
    const processBatch = () =>
      processPartialResponse(event, recordHandler, processor, { context, throwOnFullBatchFailure: false });
    return options.aroundBatch ? options.aroundBatch(processBatch) : processBatch();
  });
}

/** A message that is not what the queue carries cannot succeed by retrying: it fails until the DLQ takes it. */
function parseMessage<Schema extends z.ZodMiniType>(
  schema: Schema,
  record: SQSRecord,
  describe: string,
): z.infer<Schema> {
  let body: unknown;
  try {
    body = JSON.parse(record.body);
  } catch {
    throw new Error(`Message ${record.messageId} is not JSON`);
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    throw new Error(`Message ${record.messageId} is not ${describe}: ${parsed.error.issues[0]?.message}`);
  }
  return parsed.data;
}
