import type { ApiRoute } from './route-definition';

/** GET /queue/{customerId} */
export const route = {
  method: 'GET',
  resource: '/queue/{customerId}',
  entry: 'api/get-queue',
  name: 'get-queue',
  apiKeyRequired: true,
  access: 'staff',
  rateLimit: 'staff',
} as const satisfies ApiRoute;
