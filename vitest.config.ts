import { defineConfig } from 'vitest/config';

/**
 * unit: pure tests beside the source (no database, no network).
 * api:  tests/ — real server, fresh database per suite (PGlite, or TEST_DATABASE_URL when set).
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['packages/**/src/**/*.test.ts', 'server/src/**/*.test.ts', 'sdk/**/*.test.ts'],
          exclude: ['**/node_modules/**'],
        },
      },
      {
        test: {
          name: 'api',
          include: ['tests/**/*.test.ts'],
          exclude: ['**/node_modules/**', 'tests/bench/**'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          env: { NODE_ENV: 'test' },
        },
      },
    ],
  },
});
