import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

/**
 * unit:    pure tests beside the source (no database, no network), the web app's included.
 * tooling: tests/ suites that use no database (builds, packing the SDK, the import rules, the
 *          sandbox alone): the same on either database kind, so the PostgreSQL pass skips them.
 * api:     tests/ — real server, fresh database per suite (PGlite, or TEST_DATABASE_URL when set).
 * alone:   api suites that time the server against itself (event-loop delay, latency during
 *          attacks, answer times compared, lateness of jobs): run one at a time, after the rest,
 *          so another suite's work on the same cores is not in their figures.
 * browser: tests/browser/ — the built web app in Chromium against a real server. They do not
 *          depend on the database kind, so DOCKET_SKIP_BROWSER_TESTS=1 leaves them out of the
 *          second pass of .ci/run (on PostgreSQL).
 */
// biome-ignore lint/suspicious/noUndeclaredEnvVars: vitest reads it, not a turbo task
const isBrowserSkipped = process.env.DOCKET_SKIP_BROWSER_TESTS === '1';

/** Suites under tests/ that open no database (the tooling project). */
const noDatabaseSuites = [
  'tests/architecture/imports.test.ts',
  'tests/foundation/web-app-build.test.ts',
  'tests/plugins/sdk-from-tarball.test.ts',
];

/** Suites whose assertions are timings of the server itself (the alone project). */
const timingSuites = [
  'tests/db/job-bus-hold.test.ts',
  'tests/plugins/hostile-plugins.test.ts',
  'tests/plugins/hostile-server.test.ts',
  'tests/security/sessions.test.ts',
  'tests/wall/wall.test.ts',
];

const apiTest = {
  // Every suite's fresh database is a copy of one migrated once per run.
  globalSetup: ['tests/helpers/database-template.ts'],
  testTimeout: 60_000,
  hookTimeout: 120_000,
  env: { NODE_ENV: 'test' },
};

export default defineConfig({
  resolve: {
    // graphql 16 has no exports map: vite would pick its .mjs build while Node-loaded libraries
    // (Pothos, yoga) get the CommonJS one, and the two cannot share a schema. Use Node's choice.
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
  test: {
    // Most suites wait on timers, child processes, sockets and the database rather than compute:
    // vitest's default (one worker less than the cores) leaves a 2-core machine half idle.
    maxWorkers: Math.max(2, availableParallelism()),
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
          name: 'tooling',
          include: noDatabaseSuites,
          testTimeout: 60_000,
          hookTimeout: 120_000,
          env: { NODE_ENV: 'test' },
        },
      },
      {
        extends: true,
        test: {
          name: 'api',
          include: ['tests/**/*.test.ts'],
          exclude: [
            '**/node_modules/**',
            'tests/bench/**',
            'tests/browser/**',
            ...noDatabaseSuites,
            ...timingSuites,
          ],
          ...apiTest,
        },
      },
      {
        extends: true,
        // One worker: vitest runs these files one by one after the parallel projects.
        test: { name: 'alone', include: timingSuites, maxWorkers: 1, ...apiTest },
      },
      ...(isBrowserSkipped
        ? []
        : [
            {
              extends: true,
              test: {
                name: 'browser',
                // One at a time, after the rest: each drives Chromium and a server, and waits on
                // what it shows; beside another suite on two cores its waits were the ones missed.
                maxWorkers: 1,
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
