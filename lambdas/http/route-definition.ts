import type { Access } from './auth';
import type { RateLimitClass } from '../platform/system-config';
import type * as z from '../platform/zod';

/**
 * One API route: everything the stacks, the local gateway, the OpenAPI document and the handler layer
 * (lambdas/http/api-handler.ts) need to know about it, its request schemas included. Each route is
 * defined in a module of its own beside its handler (`<name>.route.ts`), which the handler imports:
 * every API Lambda is bundled alone, and a table importing every schema would put every schema (and
 * what they import: the sanitizer, the SSRF guard) in every bundle. lambdas/handlers/api/routes.ts assembles the
 * table from the same modules. This module holds types and pure functions only, so it costs a bundle
 * nothing.
 */
export interface ApiRoute<
  Body extends z.ZodMiniType | undefined = z.ZodMiniType | undefined,
  Query extends z.ZodMiniType | undefined = z.ZodMiniType | undefined,
> {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** API Gateway resource path, with {param} placeholders; every parameter is a UUID. */
  resource: string;
  /** Handler file, relative to lambdas/, without extension; it exports `handler`. */
  entry: string;
  /** A short name for the function and its logs. */
  name: string;
  /** Whether API Gateway requires an API key (its usage plans then apply). */
  apiKeyRequired: boolean;
  /**
   * Who may call it (lambdas/http/auth.ts Access). Default: `customer` (any valid key) when a key is
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
  /**
   * Whether the handler deletes a customer's profile assets: it gets ASSETS_BUCKET, ListBucket under
   * logos/ and DeleteObject on logos/*.
   */
  removesAssets?: boolean;
  /**
   * Whether the handler opens directory accounts' sealed credentials: it gets CREDENTIALS_KEY_ID and
   * kms:Decrypt on that key (lambdas/accounts/credential-vault.ts).
   */
  opensCredentials?: boolean;
  /**
   * The JSON body's schema (strict: unknown fields are refused). The handler layer validates the body
   * with it before the route's function runs (400 naming the field, 415 for another media type), API
   * Gateway validates with a model generated from it, and the OpenAPI document shows it.
   */
  body?: Body;
  /** An empty body is read as `{}` rather than refused (the body's fields are all optional). */
  bodyOptional?: boolean;
  /** The query parameters' schema (strict; a parameter given twice is refused). */
  query?: Query;
}

export const routeKey = (route: Pick<ApiRoute, 'method' | 'resource'>): string =>
  `${route.method} ${route.resource}`;

/** A route's effective access and rate-limit class, with the defaults applied. */
export function routePolicy(route: ApiRoute): { access: Access; rateLimit: RateLimitClass } {
  return {
    access: route.access ?? (route.apiKeyRequired ? 'customer' : 'public'),
    rateLimit: route.rateLimit ?? 'public',
  };
}

/** The {param} names of a resource path, in order. */
export const pathParameterNames = (resource: string): string[] =>
  [...resource.matchAll(/\{(\w+)\}/g)].map((match) => match[1]!);
