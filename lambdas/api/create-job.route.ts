import { createJobRequestSchema } from '../jobs/create-job';
import type { ApiRoute } from './route-definition';

/** POST /jobs */
export const route = {
  method: 'POST',
  resource: '/jobs',
  entry: 'api/create-job',
  name: 'create-job',
  apiKeyRequired: true,
  enqueues: true,
  body: createJobRequestSchema,
} as const satisfies ApiRoute;
