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
  /**
   * Whether the handler drives Chromium: the stacks give that function the Chromium layer, more
   * memory and API_SURFACE.testSubmission's timeout (still under API Gateway's 29 s).
   */
  browser?: boolean;
  /** Whether the handler stores profile assets (logos): it gets ASSETS_BUCKET and PutObject on it. */
  storesAssets?: boolean;
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
  // Operators only: every customer's queues, workers and jobs (a customer key gets 403).
  {
    method: 'GET',
    resource: '/health/details',
    entry: 'api/health-details',
    name: 'health-details',
    apiKeyRequired: true,
    access: 'staff',
    rateLimit: 'staff',
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
  // Issue 5 part 2: directories, customers, submissions, metrics, admin, the OpenAPI document.
  {
    method: 'GET',
    resource: '/directories',
    entry: 'api/list-directories',
    name: 'list-directories',
    apiKeyRequired: true,
  },
  {
    method: 'POST',
    resource: '/directories',
    entry: 'api/create-directory',
    name: 'create-directory',
    apiKeyRequired: true,
    access: 'admin',
    rateLimit: 'admin',
  },
  {
    method: 'GET',
    resource: '/directories/{id}/mapping',
    entry: 'api/get-directory-mapping',
    name: 'get-directory-mapping',
    apiKeyRequired: true,
    access: 'staff',
    rateLimit: 'staff',
  },
  // Issue 12: a directory is managed after creation (ETag / If-Match).
  {
    method: 'GET',
    resource: '/directories/{id}',
    entry: 'api/get-directory',
    name: 'get-directory',
    apiKeyRequired: true,
    access: 'staff',
    rateLimit: 'staff',
  },
  {
    method: 'PATCH',
    resource: '/directories/{id}',
    entry: 'api/update-directory',
    name: 'update-directory',
    apiKeyRequired: true,
    access: 'admin',
    rateLimit: 'admin',
  },
  {
    method: 'PUT',
    resource: '/directories/{id}/mapping',
    entry: 'api/put-directory-mapping',
    name: 'put-directory-mapping',
    apiKeyRequired: true,
    access: 'admin',
    rateLimit: 'admin',
  },
  {
    method: 'POST',
    resource: '/directories/{id}/test-submission',
    entry: 'api/test-submission',
    name: 'test-submission',
    apiKeyRequired: true,
    access: 'staff',
    rateLimit: 'staff',
    browser: true,
  },
  {
    method: 'POST',
    resource: '/customers',
    entry: 'api/create-customer',
    name: 'create-customer',
    apiKeyRequired: true,
    access: 'staff',
    rateLimit: 'staff',
  },
  // Any key: a customer key reads its own customer (another id is 404).
  {
    method: 'GET',
    resource: '/customers/{id}',
    entry: 'api/get-customer',
    name: 'get-customer',
    apiKeyRequired: true,
  },
  {
    method: 'PATCH',
    resource: '/customers/{id}',
    entry: 'api/update-customer',
    name: 'update-customer',
    apiKeyRequired: true,
    access: 'staff',
    rateLimit: 'staff',
  },
  {
    method: 'DELETE',
    resource: '/customers/{id}',
    entry: 'api/delete-customer',
    name: 'delete-customer',
    apiKeyRequired: true,
    access: 'staff',
    rateLimit: 'staff',
  },
  {
    method: 'PUT',
    resource: '/customers/{id}/logo',
    entry: 'api/put-customer-logo',
    name: 'put-customer-logo',
    apiKeyRequired: true,
    access: 'staff',
    rateLimit: 'staff',
    storesAssets: true,
  },
  // Clears the reference only (set_customer_logo): the image stays, so no bucket rights.
  {
    method: 'DELETE',
    resource: '/customers/{id}/logo',
    entry: 'api/delete-customer-logo',
    name: 'delete-customer-logo',
    apiKeyRequired: true,
    access: 'staff',
    rateLimit: 'staff',
  },
  // Issue 12: the deliberate, audited second submission of a business listing.
  {
    method: 'POST',
    resource: '/customers/{id}/listings/{directoryId}/resubmit',
    entry: 'api/resubmit-listing',
    name: 'resubmit-listing',
    apiKeyRequired: true,
    access: 'staff',
    rateLimit: 'staff',
    enqueues: true,
  },
  {
    method: 'GET',
    resource: '/submissions',
    entry: 'api/list-submissions',
    name: 'list-submissions',
    apiKeyRequired: true,
  },
  { method: 'GET', resource: '/metrics', entry: 'api/metrics', name: 'metrics', apiKeyRequired: true },
  {
    method: 'GET',
    resource: '/admin/workers',
    entry: 'api/admin-workers',
    name: 'admin-workers',
    apiKeyRequired: true,
    access: 'admin',
    rateLimit: 'admin',
  },
  {
    method: 'GET',
    resource: '/admin/dlq',
    entry: 'api/admin-dlq',
    name: 'admin-dlq',
    apiKeyRequired: true,
    access: 'admin',
    rateLimit: 'admin',
  },
  {
    method: 'POST',
    resource: '/admin/dlq/redrive',
    entry: 'api/admin-dlq-redrive',
    name: 'admin-dlq-redrive',
    apiKeyRequired: true,
    access: 'admin',
    rateLimit: 'admin',
    enqueues: true,
  },
  {
    method: 'GET',
    resource: '/admin/pauses',
    entry: 'api/admin-pauses',
    name: 'admin-pauses',
    apiKeyRequired: true,
    access: 'admin',
    rateLimit: 'admin',
  },
  {
    method: 'POST',
    resource: '/admin/pauses',
    entry: 'api/admin-pause',
    name: 'admin-pause',
    apiKeyRequired: true,
    access: 'admin',
    rateLimit: 'admin',
  },
  {
    method: 'POST',
    resource: '/admin/pauses/resume',
    entry: 'api/admin-resume',
    name: 'admin-resume',
    apiKeyRequired: true,
    access: 'admin',
    rateLimit: 'admin',
  },
  { method: 'GET', resource: '/openapi.json', entry: 'api/openapi', name: 'openapi', apiKeyRequired: false },
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
