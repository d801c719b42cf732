import document from '../../../docs/openapi.json' with { type: 'json' };
import { apiHandler } from '../../http/api-handler';
import { route } from './openapi.route';
import { json } from '../../http/responses';

/**
 * GET /openapi.json (public): the OpenAPI document of this API. Served as written to docs/openapi.json
 * by scripts/write-openapi.ts from the request schemas (lambdas/http/openapi.ts), rather than
 * generated here: generating it needs zod and every schema with their sanitizer, most of this
 * function's start-up for one constant. test/system/api/openapi-document.test.ts fails when the file is not
 * what the schemas generate.
 */
export const handler = apiHandler(route, async () =>
  json(200, document, { 'cache-control': 'public, max-age=300' }),
);
