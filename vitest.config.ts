import { defineConfig } from 'vitest/config';

// Unit and integration tests live beside the code (*.test.ts). End-to-end browser tests
// live in e2e/ and run through `npm run e2e` with their own config.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'server/**/*.test.ts', 'scripts/**/*.test.ts', 'eval/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores: face-engine tests are heavy, so run files in a small pool.
    pool: 'forks',
    maxWorkers: 2,
  },
});
