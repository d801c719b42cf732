import { join, resolve } from 'node:path';

/** The repository root, where package-lock.json, lambdas/ and layers/ are. */
export const PROJECT_ROOT = resolve(import.meta.dirname, '..', '..', '..');

export function projectPath(...segments: string[]): string {
  return join(PROJECT_ROOT, ...segments);
}
