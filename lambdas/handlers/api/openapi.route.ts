import type { ApiRoute } from '../../http/route-definition';

/** GET /openapi.json */
export const route = {
  method: 'GET',
  resource: '/openapi.json',
  entry: 'handlers/api/openapi',
  name: 'openapi',
  apiKeyRequired: false,
} as const satisfies ApiRoute;
