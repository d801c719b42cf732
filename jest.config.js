/**
 * The project is ES modules (several dependencies ship only ESM), so jest runs in its ESM mode:
 * `npm test` starts it with --experimental-vm-modules, and swc strips types without converting modules.
 * @type {import('jest').Config}
 */
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        // keepImportAttributes: JSON imports keep their `with { type: 'json' }` (Node requires it).
        jsc: {
          parser: { syntax: 'typescript' },
          target: 'es2023',
          experimental: { keepImportAttributes: true },
        },
        module: { type: 'es6' },
      },
    ],
  },
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  // Tees each test file's output for the end-of-run scan that no secret was logged (log-scan.ts).
  setupFiles: ['<rootDir>/test/support/log-tee.ts'],
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  // Two cores on CI: two workers keep the real Postgres / Chromium tests from starving each other.
  maxWorkers: 2,
  testTimeout: 60_000,
  verbose: true,
};
