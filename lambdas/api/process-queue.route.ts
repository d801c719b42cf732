import type { ApiRoute } from './route-definition';

/** POST /queue/{customerId} */
export const route = {
  method: 'POST',
  resource: '/queue/{customerId}',
  entry: 'api/process-queue',
  name: 'process-queue',
  apiKeyRequired: true,
  access: 'staff',
  rateLimit: 'staff',
  enqueues: true,
} as const satisfies ApiRoute;
