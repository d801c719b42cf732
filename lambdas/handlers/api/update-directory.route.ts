import { updateDirectorySchema } from '../../http/schemas';
import type { ApiRoute } from '../../http/route-definition';

/** PATCH /directories/{id} */
export const route = {
  method: 'PATCH',
  resource: '/directories/{id}',
  entry: 'handlers/api/update-directory',
  name: 'update-directory',
  apiKeyRequired: true,
  access: 'admin',
  rateLimit: 'admin',
  body: updateDirectorySchema,
} as const satisfies ApiRoute;
