import { createCustomerSchema } from '../../customers/customer-schemas';
import type { ApiRoute } from '../../http/route-definition';

/** POST /customers */
export const route = {
  method: 'POST',
  resource: '/customers',
  entry: 'handlers/api/create-customer',
  name: 'create-customer',
  apiKeyRequired: true,
  access: 'staff',
  rateLimit: 'staff',
  body: createCustomerSchema,
} as const satisfies ApiRoute;
