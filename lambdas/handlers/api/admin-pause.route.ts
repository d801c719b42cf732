import { pauseTargetSchema } from '../../http/schemas';
import type { ApiRoute } from '../../http/route-definition';

/** POST /admin/pauses */
export const route = {
  method: 'POST',
  resource: '/admin/pauses',
  entry: 'handlers/api/admin-pause',
  name: 'admin-pause',
  apiKeyRequired: true,
  access: 'admin',
  rateLimit: 'admin',
  body: pauseTargetSchema,
} as const satisfies ApiRoute;
