import type { ApiRoute } from './route-definition';

/** GET /jobs/{id} */
export const route = {
  method: 'GET',
  resource: '/jobs/{id}',
  entry: 'api/get-job',
  name: 'get-job',
  apiKeyRequired: true,
} as const satisfies ApiRoute;
