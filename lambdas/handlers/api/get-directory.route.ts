import type { ApiRoute } from '../../http/route-definition';

/** GET /directories/{id}. A directory is managed after creation (ETag / If-Match). */
export const route = {
  method: 'GET',
  resource: '/directories/{id}',
  entry: 'handlers/api/get-directory',
  name: 'get-directory',
  apiKeyRequired: true,
  access: 'staff',
  rateLimit: 'staff',
} as const satisfies ApiRoute;
