import type { ApiRoute } from '../../http/route-definition';

/** GET /admin/pauses */
export const route = {
  method: 'GET',
  resource: '/admin/pauses',
  entry: 'handlers/api/admin-pauses',
  name: 'admin-pauses',
  apiKeyRequired: true,
  access: 'admin',
  rateLimit: 'admin',
} as const satisfies ApiRoute;
