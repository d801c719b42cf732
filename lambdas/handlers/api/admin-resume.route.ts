import { pauseTargetSchema } from '../../http/schemas';
import type { ApiRoute } from '../../http/route-definition';

/** POST /admin/pauses/resume */
export const route = {
  method: 'POST',
  resource: '/admin/pauses/resume',
  entry: 'handlers/api/admin-resume',
  name: 'admin-resume',
  apiKeyRequired: true,
  access: 'admin',
  rateLimit: 'admin',
  body: pauseTargetSchema,
} as const satisfies ApiRoute;
