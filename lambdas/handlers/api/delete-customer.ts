import { apiHandler } from '../../http/api-handler';
import { route } from './delete-customer.route';
import { actorOf, rpcOrClientError } from '../../http/requests';
import { json } from '../../http/responses';
import { removeCustomerLogos } from '../../customers/logo-removal';
import { logoPrefix } from '../../customers/logo-image';
import { requireEnv } from '../../platform/env';
import { logger } from '../../platform/powertools';
import { s3 } from '../../platform/s3-client';

const assetsBucket = requireEnv('ASSETS_BUCKET');

/**
 * DELETE /customers/{id} (staff). The rule (delete_customer): 409 while any of the customer's jobs is
 * pending or in progress (cancel them first); otherwise the customer, its finished jobs and results,
 * and its API keys are deleted, and the deletion is recorded in queue_history. Then its logos are
 * deleted from the assets bucket (`logos_deleted`, how many). The database comes first: a refused
 * deletion must leave the profile whole. Should S3 then fail, the customer is still gone (the answer
 * is 200, `logos_deleted: null`, with the prefix left behind) and the error is logged for on-call.
 */
export const handler = apiHandler(route, async (event, _context, { principal, rpc, params }) => {
  const id = params.id;
  const result = await rpcOrClientError(
    rpc<{ customer_id: string; jobs_deleted: number }>('delete_customer', {
      p_customer_id: id,
      p_actor: actorOf(principal),
    }),
  );
  let logosDeleted: number | null;
  try {
    logosDeleted = await removeCustomerLogos(s3, assetsBucket, id);
  } catch (error) {
    logosDeleted = null;
    logger.error("Deleted customer's logos left in the assets bucket", {
      customer_id: id,
      bucket: assetsBucket,
      prefix: logoPrefix(id),
      error: error instanceof Error ? error.message : String(error),
    });
  }
  logger.info('Customer deleted', {
    customer_id: id,
    jobs_deleted: result.jobs_deleted,
    logos_deleted: logosDeleted,
  });
  return json(200, {
    ...result,
    logos_deleted: logosDeleted,
    ...(logosDeleted === null ? { logos_left: `s3://${assetsBucket}/${logoPrefix(id)}` } : {}),
  });
});
