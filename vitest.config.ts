import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // Two files at a time, also on a 2-core machine (where the default is one): an end-to-end file spends most
    // of its time waiting on the processes it started, not computing.
    maxWorkers: 2,
    globalSetup: ['test/global-setup.ts'],
  },
});
