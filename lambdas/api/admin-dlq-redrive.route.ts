import { adminRedriveSchema } from '../shared/api-schemas';
import type { ApiRoute } from './route-definition';

/** POST /admin/dlq/redrive */
export const route = {
  method: 'POST',
  resource: '/admin/dlq/redrive',
  entry: 'api/admin-dlq-redrive',
  name: 'admin-dlq-redrive',
  apiKeyRequired: true,
  access: 'admin',
  rateLimit: 'admin',
  enqueues: true,
  body: adminRedriveSchema,
} as const satisfies ApiRoute;
