import type { ApiRoute } from '../../http/route-definition';

/** GET /health */
export const route = {
  method: 'GET',
  resource: '/health',
  entry: 'handlers/api/health',
  name: 'health',
  apiKeyRequired: false,
} as const satisfies ApiRoute;
