import { updateCustomerSchema } from '../shared/customer-schemas';
import type { ApiRoute } from './route-definition';

/** PATCH /customers/{id} */
export const route = {
  method: 'PATCH',
  resource: '/customers/{id}',
  entry: 'api/update-customer',
  name: 'update-customer',
  apiKeyRequired: true,
  access: 'staff',
  rateLimit: 'staff',
  body: updateCustomerSchema,
} as const satisfies ApiRoute;
