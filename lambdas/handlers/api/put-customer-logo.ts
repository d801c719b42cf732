import { apiHandler } from '../../http/api-handler';
import { route } from './put-customer-logo.route';
import { actorOf, notFound, rpcOrClientError } from '../../http/requests';
import { requireEnv } from '../../platform/env';
import { HttpError, json } from '../../http/responses';
import { logoRef, LogoRejected, type LogoContentType } from '../../customers/logo-image';
import { logger } from '../../platform/powertools';
import { s3 } from '../../platform/s3-client';
import type { LogoRef } from '../../customers/business-profile';

const assetsBucket = requireEnv('ASSETS_BUCKET');

/**
 * PUT /customers/{id}/logo (staff): `{"content_type", "data_base64"}`. The decoded bytes must be the
 * declared PNG, JPEG, WebP or GIF by their magic number (400 otherwise) and at most
 * BUCKETS.assets.logoMaxBytes (413). Stored in the assets bucket under the customer's prefix and the
 * image's hash, then recorded in customers.logo (set_customer_logo); answers the customer.
 */
export const handler = apiHandler(route, async (event, _context, { principal, rpc, params, body }) => {
  const id = params.id;

  const bytes = Buffer.from(body.data_base64, 'base64');
  const ref = checkedLogo(id, body.content_type, bytes);
  // Nothing is stored for a customer that does not exist (the bucket would keep it forever).
  if ((await rpc<unknown>('get_customer', { p_customer_id: id })) === null) throw notFound(`Customer ${id}`);
  const { PutObjectCommand } = await import('@aws-sdk/client-s3');
  await s3.send(
    new PutObjectCommand({ Bucket: assetsBucket, Key: ref.key, Body: bytes, ContentType: ref.content_type }),
  );
  const customer = await rpcOrClientError(
    rpc<unknown>('set_customer_logo', { p_customer_id: id, p_logo: ref, p_actor: actorOf(principal) }),
  );
  logger.info('Customer logo stored', { customer_id: id, key: ref.key, bytes: ref.bytes });
  return json(200, customer);
});

/** The logo's reference, or the client's error: 413 past the size limit, 400 for anything not the image. */
function checkedLogo(customerId: string, declared: LogoContentType, bytes: Buffer): LogoRef {
  try {
    return logoRef(customerId, declared, bytes);
  } catch (error) {
    if (!(error instanceof LogoRejected)) throw error;
    throw error.reason === 'too_large'
      ? new HttpError(413, 'payload_too_large', error.message)
      : new HttpError(400, 'invalid_body', error.message);
  }
}
