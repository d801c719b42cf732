import { cancelJobSchema } from '../../jobs/job-requests';
import type { ApiRoute } from '../../http/route-definition';

/** POST /jobs/{id}/cancel. The body may be empty: the reason is optional. */
export const route = {
  method: 'POST',
  resource: '/jobs/{id}/cancel',
  entry: 'handlers/api/cancel-job',
  name: 'cancel-job',
  apiKeyRequired: true,
  body: cancelJobSchema,
  bodyOptional: true,
} as const satisfies ApiRoute;
