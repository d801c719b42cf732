import { listSubmissionsQuerySchema } from '../shared/api-schemas';
import type { ApiRoute } from './route-definition';

/** GET /submissions */
export const route = {
  method: 'GET',
  resource: '/submissions',
  entry: 'api/list-submissions',
  name: 'list-submissions',
  apiKeyRequired: true,
  query: listSubmissionsQuerySchema,
} as const satisfies ApiRoute;
