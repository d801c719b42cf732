import { resubmitListingSchema } from '../../http/schemas';
import type { ApiRoute } from '../../http/route-definition';

/** POST /customers/{id}/listings/{directoryId}/resubmit. The deliberate, audited second submission of a business listing. */
export const route = {
  method: 'POST',
  resource: '/customers/{id}/listings/{directoryId}/resubmit',
  entry: 'handlers/api/resubmit-listing',
  name: 'resubmit-listing',
  apiKeyRequired: true,
  access: 'staff',
  rateLimit: 'staff',
  enqueues: true,
  body: resubmitListingSchema,
} as const satisfies ApiRoute;
