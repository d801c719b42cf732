import { apiHandler } from '../shared/api-handler';
import { openApiDocument } from '../shared/api-openapi';
import { json } from '../shared/http';

// Generated once per execution environment: it depends only on the code.
const document = openApiDocument();

/** GET /openapi.json (public): the OpenAPI document of this API. */
export const handler = apiHandler('GET /openapi.json', async () =>
  json(200, document, { 'cache-control': 'public, max-age=300' }),
);
