import { updateJobSchema } from '../../jobs/job-requests';
import type { ApiRoute } from '../../http/route-definition';

/** PATCH /jobs/{id} */
export const route = {
  method: 'PATCH',
  resource: '/jobs/{id}',
  entry: 'handlers/api/update-job',
  name: 'update-job',
  apiKeyRequired: true,
  enqueues: true,
  body: updateJobSchema,
} as const satisfies ApiRoute;
