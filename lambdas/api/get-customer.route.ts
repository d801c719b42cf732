import type { ApiRoute } from './route-definition';

/** GET /customers/{id}. Any key: a customer key reads its own customer (another id is 404). */
export const route = {
  method: 'GET',
  resource: '/customers/{id}',
  entry: 'api/get-customer',
  name: 'get-customer',
  apiKeyRequired: true,
} as const satisfies ApiRoute;
