import { pauseTargetSchema } from '../shared/api-schemas';
import type { ApiRoute } from './route-definition';

/** POST /admin/pauses */
export const route = {
  method: 'POST',
  resource: '/admin/pauses',
  entry: 'api/admin-pause',
  name: 'admin-pause',
  apiKeyRequired: true,
  access: 'admin',
  rateLimit: 'admin',
  body: pauseTargetSchema,
} as const satisfies ApiRoute;
