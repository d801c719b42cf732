import type { ApiRoute } from '../../http/route-definition';

/** GET /admin/workers */
export const route = {
  method: 'GET',
  resource: '/admin/workers',
  entry: 'handlers/api/admin-workers',
  name: 'admin-workers',
  apiKeyRequired: true,
  access: 'admin',
  rateLimit: 'admin',
} as const satisfies ApiRoute;
