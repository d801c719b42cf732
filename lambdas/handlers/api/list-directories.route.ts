import { listDirectoriesQuerySchema } from '../../http/schemas';
import type { ApiRoute } from '../../http/route-definition';

/** GET /directories */
export const route = {
  method: 'GET',
  resource: '/directories',
  entry: 'handlers/api/list-directories',
  name: 'list-directories',
  apiKeyRequired: true,
  query: listDirectoriesQuerySchema,
} as const satisfies ApiRoute;
