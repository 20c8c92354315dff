import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Limits for giving up on a hung test, not measures of speed: a busy 2-core machine (two suites at once)
    // can make a test that takes 5 s alone take ten times as long.
    testTimeout: 300_000,
    hookTimeout: 300_000,
    reporters: ['default'],
  },
});
