import type { ApiRoute } from './route-definition';

/** GET /metrics */
export const route = {
  method: 'GET',
  resource: '/metrics',
  entry: 'api/metrics',
  name: 'metrics',
  apiKeyRequired: true,
} as const satisfies ApiRoute;
