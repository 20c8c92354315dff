import os from 'node:os';
import { defineConfig } from 'vitest/config';

/**
 * Test files that need the modules as first loaded: they count what module-level state did (streamed-read's
 * pieces, kept in a buffer that earlier reads grow) or replace a native function for their whole run.
 */
const ISOLATED = ['test/runtime/streamed-read.test.ts', 'test/runtime/native-batches.test.ts'];

export default defineConfig({
  test: {
    // Three test files at a time at least: vitest's default (one less than the CPUs) is one on a 2-core machine, where
    // many files wait on spawned commands, sampling intervals and sockets and would leave a core idle (with two, a
    // run of the suite kept the 2 cores 70% busy).
    maxWorkers: Math.max(3, os.availableParallelism()),
    // Limits for giving up on a hung test, not measures of speed: a busy 2-core machine (two suites at once)
    // can make a test that takes 5 s alone take ten times as long.
    testTimeout: 300_000,
    hookTimeout: 300_000,
    reporters: ['default'],
    projects: [
      // The files of a worker share one module graph: loading the runtime and the 349 generated parsers once per
      // worker instead of once per file takes a third off the suite's CPU time.
      { extends: true, test: { name: 'shared', include: ['test/**/*.test.ts'], exclude: ISOLATED, isolate: false } },
      { extends: true, test: { name: 'isolated', include: ISOLATED, isolate: true } },
    ],
  },
});
