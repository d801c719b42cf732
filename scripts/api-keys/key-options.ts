/**
 * The options both key commands take (scripts/api-keys.ts for a deployed API, scripts/local-api-keys.ts
 * for the local stack), for node:util parseArgs: the same flags mean the same thing in both.
 */
export const KEY_COMMAND_OPTIONS = {
  role: { type: 'string' },
  customer: { type: 'string' },
  label: { type: 'string' },
  'key-id': { type: 'string' },
  'expires-at': { type: 'string' },
  'expires-in': { type: 'string' },
  grace: { type: 'string' },
} as const;
