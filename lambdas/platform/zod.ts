/**
 * zod for every schema in lambdas/: zod/mini, with zod's English messages.
 *
 * Why mini: the classic API builds every schema with all its methods attached, which made building
 * the API's schemas most of an API Lambda's Init (a six-field object: 30 ms of CPU with the classic
 * API, 9 ms with mini, bench/RESULTS.md "Cold start"), and it cannot be tree-shaken (about 100 KiB
 * in every bundle, against 15 KiB). Same core, same checks, same issues and messages: mini only loads
 * no locale by itself, so this module sets the English one every answer was written with.
 * Import it as `import * as z from './zod'`.
 */
import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

config(en());

export * from 'zod/mini';
