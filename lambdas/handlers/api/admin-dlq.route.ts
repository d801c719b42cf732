import type { ApiRoute } from '../../http/route-definition';

/** GET /admin/dlq */
export const route = {
  method: 'GET',
  resource: '/admin/dlq',
  entry: 'handlers/api/admin-dlq',
  name: 'admin-dlq',
  apiKeyRequired: true,
  access: 'admin',
  rateLimit: 'admin',
} as const satisfies ApiRoute;
