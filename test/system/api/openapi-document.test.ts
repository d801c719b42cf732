/**
 * GET /openapi.json serves docs/openapi.json (lambdas/handlers/api/openapi.ts), so the file must be exactly
 * what the request schemas generate; regenerate it with `npx tsx scripts/write-openapi.ts`.
 */
import { readFile } from 'node:fs/promises';
import { openApiDocument } from '../../../lambdas/http/openapi';

it('docs/openapi.json is the document the request schemas generate', async () => {
  // Prepare
  const onDisk: unknown = JSON.parse(
    await readFile(new URL('../../../docs/openapi.json', import.meta.url), 'utf8'),
  );
  // Act
  const generated = openApiDocument();
  // Assess
  expect(onDisk).toEqual(generated);
});
