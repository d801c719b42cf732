import { adminRedriveSchema } from '../../http/schemas';
import type { ApiRoute } from '../../http/route-definition';

/** POST /admin/dlq/redrive */
export const route = {
  method: 'POST',
  resource: '/admin/dlq/redrive',
  entry: 'handlers/api/admin-dlq-redrive',
  name: 'admin-dlq-redrive',
  apiKeyRequired: true,
  access: 'admin',
  rateLimit: 'admin',
  enqueues: true,
  body: adminRedriveSchema,
} as const satisfies ApiRoute;
