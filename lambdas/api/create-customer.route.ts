import { createCustomerSchema } from '../shared/customer-schemas';
import type { ApiRoute } from './route-definition';

/** POST /customers */
export const route = {
  method: 'POST',
  resource: '/customers',
  entry: 'api/create-customer',
  name: 'create-customer',
  apiKeyRequired: true,
  access: 'staff',
  rateLimit: 'staff',
  body: createCustomerSchema,
} as const satisfies ApiRoute;
