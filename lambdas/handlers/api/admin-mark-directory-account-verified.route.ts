import { markDirectoryAccountVerifiedSchema } from '../../http/schemas';
import type { ApiRoute } from '../../http/route-definition';

/** POST /admin/directory-accounts/mark-verified */
export const route = {
  method: 'POST',
  resource: '/admin/directory-accounts/mark-verified',
  entry: 'handlers/api/admin-mark-directory-account-verified',
  name: 'admin-mark-directory-account-verified',
  apiKeyRequired: true,
  access: 'admin',
  rateLimit: 'admin',
  body: markDirectoryAccountVerifiedSchema,
} as const satisfies ApiRoute;
