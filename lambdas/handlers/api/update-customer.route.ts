import { updateCustomerSchema } from '../../customers/customer-schemas';
import type { ApiRoute } from '../../http/route-definition';

/** PATCH /customers/{id} */
export const route = {
  method: 'PATCH',
  resource: '/customers/{id}',
  entry: 'handlers/api/update-customer',
  name: 'update-customer',
  apiKeyRequired: true,
  access: 'staff',
  rateLimit: 'staff',
  body: updateCustomerSchema,
} as const satisfies ApiRoute;
