import type { ApiRoute } from './route-definition';

/** GET /admin/dlq */
export const route = {
  method: 'GET',
  resource: '/admin/dlq',
  entry: 'api/admin-dlq',
  name: 'admin-dlq',
  apiKeyRequired: true,
  access: 'admin',
  rateLimit: 'admin',
} as const satisfies ApiRoute;
