import type { ApiRoute } from './route-definition';

/** GET /admin/workers */
export const route = {
  method: 'GET',
  resource: '/admin/workers',
  entry: 'api/admin-workers',
  name: 'admin-workers',
  apiKeyRequired: true,
  access: 'admin',
  rateLimit: 'admin',
} as const satisfies ApiRoute;
