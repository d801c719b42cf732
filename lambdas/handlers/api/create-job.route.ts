import { createJobRequestSchema } from '../../jobs/create-job';
import type { ApiRoute } from '../../http/route-definition';

/** POST /jobs */
export const route = {
  method: 'POST',
  resource: '/jobs',
  entry: 'handlers/api/create-job',
  name: 'create-job',
  apiKeyRequired: true,
  enqueues: true,
  body: createJobRequestSchema,
} as const satisfies ApiRoute;
