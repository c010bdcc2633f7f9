import { defineConfig } from 'vitest/config';

// Temporal workers crash inside worker threads: every project runs in forked processes.
export default defineConfig({
  test: {
    pool: 'forks',
    projects: [
      {
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.ts'],
          pool: 'forks',
          // Projects run one after the other: each integration and browser stack wants the
          // machine's cores to itself.
          sequence: { groupOrder: 0 },
        },
      },
      {
        // Each workflow on its own with stubbed activities, on one shared time-skipping
        // Temporal test server (tests/support/workflow-server.ts starts it and bundles the
        // workflows once). Time is global to that server, so its files run one at a time.
        test: {
          name: 'workflows',
          include: ['tests/workflows/**/*.test.ts'],
          pool: 'forks',
          sequence: { groupOrder: 1 },
          globalSetup: ['tests/support/workflow-server.ts'],
          fileParallelism: false,
          // One process runs the files in turn: the SDK's native module loads once (measured:
          // the project in 17-19 s instead of 22-25 s on the shared 2 cores).
          isolate: false,
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          pool: 'forks',
          sequence: { groupOrder: 2 },
          globalSetup: ['tests/support/globalSetup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        // Real Chromium against the production build of the site and the platform's own
        // processes (tests/support/e2e-setup.ts starts them once for the run).
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          pool: 'forks',
          sequence: { groupOrder: 3 },
          globalSetup: ['tests/support/e2e-setup.ts'],
          // One file at a time: the site, API, worker and stack already share the machine.
          fileParallelism: false,
          testTimeout: 90_000,
          hookTimeout: 240_000,
        },
      },
    ],
  },
});
