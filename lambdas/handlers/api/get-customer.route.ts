import type { ApiRoute } from '../../http/route-definition';

/** GET /customers/{id}. Any key: a customer key reads its own customer (another id is 404). */
export const route = {
  method: 'GET',
  resource: '/customers/{id}',
  entry: 'handlers/api/get-customer',
  name: 'get-customer',
  apiKeyRequired: true,
} as const satisfies ApiRoute;
