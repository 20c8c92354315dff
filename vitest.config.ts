import os from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Two test files at a time at least: vitest's default (one less than the CPUs) is one on a 2-core machine, where
    // many files wait on spawned commands, sampling intervals and sockets and would leave a core idle.
    maxWorkers: Math.max(2, os.availableParallelism()),
    // Limits for giving up on a hung test, not measures of speed: a busy 2-core machine (two suites at once)
    // can make a test that takes 5 s alone take ten times as long.
    testTimeout: 300_000,
    hookTimeout: 300_000,
    reporters: ['default'],
  },
});
