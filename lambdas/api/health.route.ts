import type { ApiRoute } from './route-definition';

/** GET /health */
export const route = {
  method: 'GET',
  resource: '/health',
  entry: 'api/health',
  name: 'health',
  apiKeyRequired: false,
} as const satisfies ApiRoute;
