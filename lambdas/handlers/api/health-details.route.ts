import type { ApiRoute } from '../../http/route-definition';

/** GET /health/details. Operators only: every customer's queues, workers and jobs (a customer key gets 403). */
export const route = {
  method: 'GET',
  resource: '/health/details',
  entry: 'handlers/api/health-details',
  name: 'health-details',
  apiKeyRequired: true,
  access: 'staff',
  rateLimit: 'staff',
} as const satisfies ApiRoute;
