import { createDirectorySchema } from '../shared/api-schemas';
import type { ApiRoute } from './route-definition';

/** POST /directories */
export const route = {
  method: 'POST',
  resource: '/directories',
  entry: 'api/create-directory',
  name: 'create-directory',
  apiKeyRequired: true,
  access: 'admin',
  rateLimit: 'admin',
  body: createDirectorySchema,
} as const satisfies ApiRoute;
