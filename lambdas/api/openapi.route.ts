import type { ApiRoute } from './route-definition';

/** GET /openapi.json */
export const route = {
  method: 'GET',
  resource: '/openapi.json',
  entry: 'api/openapi',
  name: 'openapi',
  apiKeyRequired: false,
} as const satisfies ApiRoute;
