import { putLogoSchema } from '../../http/schemas';
import type { ApiRoute } from '../../http/route-definition';

/** PUT /customers/{id}/logo */
export const route = {
  method: 'PUT',
  resource: '/customers/{id}/logo',
  entry: 'handlers/api/put-customer-logo',
  name: 'put-customer-logo',
  apiKeyRequired: true,
  access: 'staff',
  rateLimit: 'staff',
  storesAssets: true,
  body: putLogoSchema,
} as const satisfies ApiRoute;
