import type { ApiRoute } from '../../http/route-definition';

/** POST /queue/{customerId} */
export const route = {
  method: 'POST',
  resource: '/queue/{customerId}',
  entry: 'handlers/api/process-queue',
  name: 'process-queue',
  apiKeyRequired: true,
  access: 'staff',
  rateLimit: 'staff',
  enqueues: true,
} as const satisfies ApiRoute;
