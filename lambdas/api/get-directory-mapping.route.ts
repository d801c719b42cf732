import type { ApiRoute } from './route-definition';

/** GET /directories/{id}/mapping */
export const route = {
  method: 'GET',
  resource: '/directories/{id}/mapping',
  entry: 'api/get-directory-mapping',
  name: 'get-directory-mapping',
  apiKeyRequired: true,
  access: 'staff',
  rateLimit: 'staff',
} as const satisfies ApiRoute;
