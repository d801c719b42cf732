import type { ApiRoute } from '../../http/route-definition';

/** GET /queue/{customerId} */
export const route = {
  method: 'GET',
  resource: '/queue/{customerId}',
  entry: 'handlers/api/get-queue',
  name: 'get-queue',
  apiKeyRequired: true,
  access: 'staff',
  rateLimit: 'staff',
} as const satisfies ApiRoute;
