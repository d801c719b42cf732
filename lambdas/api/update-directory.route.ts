import { updateDirectorySchema } from '../shared/api-schemas';
import type { ApiRoute } from './route-definition';

/** PATCH /directories/{id} */
export const route = {
  method: 'PATCH',
  resource: '/directories/{id}',
  entry: 'api/update-directory',
  name: 'update-directory',
  apiKeyRequired: true,
  access: 'admin',
  rateLimit: 'admin',
  body: updateDirectorySchema,
} as const satisfies ApiRoute;
