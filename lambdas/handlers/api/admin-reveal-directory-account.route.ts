import { revealDirectoryAccountSchema } from '../../http/schemas';
import type { ApiRoute } from '../../http/route-definition';

/** POST /admin/directory-accounts/reveal */
export const route = {
  method: 'POST',
  resource: '/admin/directory-accounts/reveal',
  entry: 'handlers/api/admin-reveal-directory-account',
  name: 'admin-reveal-directory-account',
  apiKeyRequired: true,
  access: 'admin',
  rateLimit: 'admin',
  opensCredentials: true,
  body: revealDirectoryAccountSchema,
} as const satisfies ApiRoute;
