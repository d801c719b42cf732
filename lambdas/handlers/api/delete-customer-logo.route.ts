import type { ApiRoute } from '../../http/route-definition';

/** DELETE /customers/{id}/logo. Clears the reference only (set_customer_logo): the image stays, so no bucket rights. */
export const route = {
  method: 'DELETE',
  resource: '/customers/{id}/logo',
  entry: 'handlers/api/delete-customer-logo',
  name: 'delete-customer-logo',
  apiKeyRequired: true,
  access: 'staff',
  rateLimit: 'staff',
} as const satisfies ApiRoute;
