import { createDirectorySchema } from '../../http/schemas';
import type { ApiRoute } from '../../http/route-definition';

/** POST /directories */
export const route = {
  method: 'POST',
  resource: '/directories',
  entry: 'handlers/api/create-directory',
  name: 'create-directory',
  apiKeyRequired: true,
  access: 'admin',
  rateLimit: 'admin',
  body: createDirectorySchema,
} as const satisfies ApiRoute;
