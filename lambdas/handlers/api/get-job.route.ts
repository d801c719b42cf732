import type { ApiRoute } from '../../http/route-definition';

/** GET /jobs/{id} */
export const route = {
  method: 'GET',
  resource: '/jobs/{id}',
  entry: 'handlers/api/get-job',
  name: 'get-job',
  apiKeyRequired: true,
} as const satisfies ApiRoute;
