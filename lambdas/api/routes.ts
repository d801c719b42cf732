/**
 * The API's routes: one handler file each. The API stack builds one Lambda and one method per
 * route from this list, and the local gateway routes requests to the same files.
 */
export interface ApiRoute {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** API Gateway resource path, with {param} placeholders. */
  resource: string;
  /** Handler file, relative to lambdas/, without extension; it exports `handler`. */
  entry: string;
  /** A short name for the function and its logs. */
  name: string;
  /** Whether the route needs an API key. */
  apiKeyRequired: boolean;
}

export const API_ROUTES: readonly ApiRoute[] = [
  { method: 'POST', resource: '/jobs', entry: 'api/create-job', name: 'create-job', apiKeyRequired: true },
  { method: 'GET', resource: '/jobs/{id}', entry: 'api/get-job', name: 'get-job', apiKeyRequired: true },
];
