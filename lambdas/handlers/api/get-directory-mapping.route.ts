import type { ApiRoute } from '../../http/route-definition';

/** GET /directories/{id}/mapping */
export const route = {
  method: 'GET',
  resource: '/directories/{id}/mapping',
  entry: 'handlers/api/get-directory-mapping',
  name: 'get-directory-mapping',
  apiKeyRequired: true,
  access: 'staff',
  rateLimit: 'staff',
} as const satisfies ApiRoute;
