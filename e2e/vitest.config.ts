import { defineConfig } from 'vitest/config';

// End-to-end: the real renderer in Debian's Chromium (playwright-core), through the browser
// bridge, on the real kiosk core with a replay camera and a real server. One file at a time:
// the face engine is heavy and the machines have two cores.
export default defineConfig({
  test: {
    include: ['e2e/**/*.e2e.ts'],
    environment: 'node',
    globalSetup: ['e2e/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    pool: 'forks',
    fileParallelism: false,
    maxWorkers: 1,
  },
});
