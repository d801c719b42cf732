import type { ApiRoute } from './route-definition';

/** DELETE /customers/{id} */
export const route = {
  method: 'DELETE',
  resource: '/customers/{id}',
  entry: 'api/delete-customer',
  name: 'delete-customer',
  apiKeyRequired: true,
  access: 'staff',
  rateLimit: 'staff',
} as const satisfies ApiRoute;
