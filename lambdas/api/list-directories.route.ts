import { listDirectoriesQuerySchema } from '../shared/api-schemas';
import type { ApiRoute } from './route-definition';

/** GET /directories */
export const route = {
  method: 'GET',
  resource: '/directories',
  entry: 'api/list-directories',
  name: 'list-directories',
  apiKeyRequired: true,
  query: listDirectoriesQuerySchema,
} as const satisfies ApiRoute;
