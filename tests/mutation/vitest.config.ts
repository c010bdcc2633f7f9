import { defineConfig } from 'vitest/config';

// The unit tests alone: each mutant is tried against the tests that reach it, in seconds.
export default defineConfig({
  test: { include: ['tests/unit/**/*.test.ts'], pool: 'forks' },
});
