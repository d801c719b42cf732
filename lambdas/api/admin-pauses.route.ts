import type { ApiRoute } from './route-definition';

/** GET /admin/pauses */
export const route = {
  method: 'GET',
  resource: '/admin/pauses',
  entry: 'api/admin-pauses',
  name: 'admin-pauses',
  apiKeyRequired: true,
  access: 'admin',
  rateLimit: 'admin',
} as const satisfies ApiRoute;
