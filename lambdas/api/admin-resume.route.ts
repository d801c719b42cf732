import { pauseTargetSchema } from '../shared/api-schemas';
import type { ApiRoute } from './route-definition';

/** POST /admin/pauses/resume */
export const route = {
  method: 'POST',
  resource: '/admin/pauses/resume',
  entry: 'api/admin-resume',
  name: 'admin-resume',
  apiKeyRequired: true,
  access: 'admin',
  rateLimit: 'admin',
  body: pauseTargetSchema,
} as const satisfies ApiRoute;
