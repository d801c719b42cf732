import { putMappingSchema } from '../../http/schemas';
import type { ApiRoute } from '../../http/route-definition';

/** PUT /directories/{id}/mapping */
export const route = {
  method: 'PUT',
  resource: '/directories/{id}/mapping',
  entry: 'handlers/api/put-directory-mapping',
  name: 'put-directory-mapping',
  apiKeyRequired: true,
  access: 'admin',
  rateLimit: 'admin',
  body: putMappingSchema,
} as const satisfies ApiRoute;
