import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

/**
 * unit:    pure tests beside the source (no database, no network), the web app's included.
 * api:     tests/ — real server, fresh database per suite (PGlite, or TEST_DATABASE_URL when set).
 * browser: tests/browser/ — the built web app in Chromium against a real server. They do not
 *          depend on the database kind, so DOCKET_SKIP_BROWSER_TESTS=1 leaves them out of the
 *          second pass of .ci/run (on PostgreSQL).
 */
// biome-ignore lint/suspicious/noUndeclaredEnvVars: vitest reads it, not a turbo task
const isBrowserSkipped = process.env.DOCKET_SKIP_BROWSER_TESTS === '1';

export default defineConfig({
  resolve: {
    // graphql 16 has no exports map: vite would pick its .mjs build while Node-loaded libraries
    // (Pothos, yoga) get the CommonJS one, and the two cannot share a schema. Use Node's choice.
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          // Property tests run hundreds of cases: 5 s is too little on a machine shared with other work.
          testTimeout: 30_000,
          include: [
            'packages/**/src/**/*.test.ts',
            'server/src/**/*.test.ts',
            'sdk/**/*.test.ts',
            'designer/src/**/*.test.ts',
          ],
          exclude: ['**/node_modules/**'],
        },
      },
      {
        extends: true,
        test: {
          name: 'api',
          include: ['tests/**/*.test.ts'],
          exclude: ['**/node_modules/**', 'tests/bench/**', 'tests/browser/**'],
          // Every suite's fresh database is a copy of one migrated once per run.
          globalSetup: ['tests/helpers/database-template.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          env: { NODE_ENV: 'test' },
        },
      },
      ...(isBrowserSkipped
        ? []
        : [
            {
              extends: true,
              test: {
                name: 'browser',
                include: ['tests/browser/**/*.test.ts'],
                exclude: ['**/node_modules/**'],
                globalSetup: ['tests/browser/global-setup.ts', 'tests/helpers/database-template.ts'],
                testTimeout: 90_000,
                hookTimeout: 180_000,
                // Pages load lazily (code split per area) on a machine shared with other work.
                expect: { poll: { timeout: 10_000 } },
                env: { NODE_ENV: 'test' },
              },
            },
          ]),
    ],
  },
});
