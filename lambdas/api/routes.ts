import type { Access } from '../shared/auth';
import type { RateLimitClass } from '../shared/system-config';

/**
 * The API's routes: one handler file each. The API stack builds one Lambda and one method per
 * route from this list, and the local gateway routes requests to the same files. The handler layer
 * (lambdas/shared/api-handler.ts) reads each route's access and rate-limit class from here.
 */
export interface ApiRoute {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** API Gateway resource path, with {param} placeholders. */
  resource: string;
  /** Handler file, relative to lambdas/, without extension; it exports `handler`. */
  entry: string;
  /** A short name for the function and its logs. */
  name: string;
  /** Whether API Gateway requires an API key (its usage plans then apply). */
  apiKeyRequired: boolean;
  /**
   * Who may call it (lambdas/shared/auth.ts Access). Default: `customer` (any valid key) when a key is
   * required, else `public`.
   */
  access?: Access;
  /** Which RATE_LIMITS preset counts its requests per key (or IP). Default: `public`. */
  rateLimit?: RateLimitClass;
  /** Whether the handler sends task messages (it gets the queue URLs and send rights). */
  enqueues?: boolean;
}

export const API_ROUTES: readonly ApiRoute[] = [
  {
    method: 'POST',
    resource: '/jobs',
    entry: 'api/create-job',
    name: 'create-job',
    apiKeyRequired: true,
    enqueues: true,
  },
  { method: 'GET', resource: '/jobs', entry: 'api/list-jobs', name: 'list-jobs', apiKeyRequired: true },
  { method: 'GET', resource: '/jobs/{id}', entry: 'api/get-job', name: 'get-job', apiKeyRequired: true },
  { method: 'GET', resource: '/health', entry: 'api/health', name: 'health', apiKeyRequired: false },
  {
    method: 'GET',
    resource: '/health/details',
    entry: 'api/health-details',
    name: 'health-details',
    apiKeyRequired: true,
  },
  {
    method: 'PATCH',
    resource: '/jobs/{id}',
    entry: 'api/update-job',
    name: 'update-job',
    apiKeyRequired: true,
    enqueues: true,
  },
  {
    method: 'POST',
    resource: '/jobs/{id}/cancel',
    entry: 'api/cancel-job',
    name: 'cancel-job',
    apiKeyRequired: true,
  },
  {
    method: 'GET',
    resource: '/queue/{customerId}',
    entry: 'api/get-queue',
    name: 'get-queue',
    apiKeyRequired: true,
    access: 'staff',
    rateLimit: 'staff',
  },
  {
    method: 'POST',
    resource: '/queue/{customerId}',
    entry: 'api/process-queue',
    name: 'process-queue',
    apiKeyRequired: true,
    access: 'staff',
    rateLimit: 'staff',
    enqueues: true,
  },
];

export const routeKey = (route: Pick<ApiRoute, 'method' | 'resource'>): string =>
  `${route.method} ${route.resource}`;

/** A route's effective access and rate-limit class, with the defaults applied. */
export function routePolicy(route: ApiRoute): { access: Access; rateLimit: RateLimitClass } {
  return {
    access: route.access ?? (route.apiKeyRequired ? 'customer' : 'public'),
    rateLimit: route.rateLimit ?? 'public',
  };
}
