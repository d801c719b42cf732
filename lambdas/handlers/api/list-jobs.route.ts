import { listJobsQuerySchema } from '../../jobs/job-requests';
import type { ApiRoute } from '../../http/route-definition';

/** GET /jobs */
export const route = {
  method: 'GET',
  resource: '/jobs',
  entry: 'handlers/api/list-jobs',
  name: 'list-jobs',
  apiKeyRequired: true,
  query: listJobsQuerySchema,
} as const satisfies ApiRoute;
