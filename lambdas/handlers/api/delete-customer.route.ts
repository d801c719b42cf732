import type { ApiRoute } from '../../http/route-definition';

/** DELETE /customers/{id} */
export const route = {
  method: 'DELETE',
  resource: '/customers/{id}',
  entry: 'handlers/api/delete-customer',
  name: 'delete-customer',
  apiKeyRequired: true,
  access: 'staff',
  rateLimit: 'staff',
  removesAssets: true,
} as const satisfies ApiRoute;
