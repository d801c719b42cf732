import type { ApiRoute } from '../../http/route-definition';

/** GET /metrics */
export const route = {
  method: 'GET',
  resource: '/metrics',
  entry: 'handlers/api/metrics',
  name: 'metrics',
  apiKeyRequired: true,
} as const satisfies ApiRoute;
