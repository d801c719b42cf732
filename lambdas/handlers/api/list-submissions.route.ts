import { listSubmissionsQuerySchema } from '../../http/schemas';
import type { ApiRoute } from '../../http/route-definition';

/** GET /submissions */
export const route = {
  method: 'GET',
  resource: '/submissions',
  entry: 'handlers/api/list-submissions',
  name: 'list-submissions',
  apiKeyRequired: true,
  query: listSubmissionsQuerySchema,
} as const satisfies ApiRoute;
