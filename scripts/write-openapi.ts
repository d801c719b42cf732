/** Writes docs/openapi.json from the routes and request schemas: `npx tsx scripts/write-openapi.ts`. */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { openApiDocument } from '../lambdas/http/openapi';

// Formatted as the repository's prettier check expects, so regenerating it is a clean diff.
const target = fileURLToPath(new URL('../docs/openapi.json', import.meta.url));
const options = (await resolveConfig(target)) ?? {};
await writeFile(target, await format(JSON.stringify(openApiDocument()), { ...options, filepath: target }));
