import os from 'node:os';
import { relative } from 'node:path';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Test files that need the modules as first loaded: they count what module-level state did (streamed-read's
 * pieces, kept in a buffer that earlier reads grow) or replace a native function for their whole run.
 */
const ISOLATED = ['test/runtime/streamed-read.test.ts', 'test/runtime/native-batches.test.ts'];

/**
 * The files that take longest (tens of seconds each, most of it one long chain of commands), longest first: they
 * start first, so that none of them is still running alone at the end while the other workers have nothing left.
 * Vitest orders the others (by their durations in its cache, or, in a fresh clone, which has none, by file size,
 * which put the tutorial replay, the longest, in the last third).
 */
const SLOW = [
  'test/tutorial.test.ts',
  'test/package.test.ts',
  'test/try-spec.test.ts',
  'test/fuzz/linear.test.ts',
  'test/cli-workflows.test.ts',
  'test/runtime/streamed-read.test.ts',
  'test/processes.test.ts',
  'test/roundtrip.test.ts',
  'test/examples.test.ts',
  'test/new-spec.test.ts',
  'test/cli-format.test.ts',
  'test/reliability.test.ts',
];

class SlowFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (f: TestSpecification) => {
      const i = SLOW.indexOf(relative(this.ctx.config.root, f.moduleId));
      return i === -1 ? SLOW.length : i;
    };
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b));
  }
}

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
    sequence: { sequencer: SlowFirst },
    projects: [
      // The files of a worker share one module graph: loading the runtime and the 349 generated parsers once per
      // worker instead of once per file takes a third off the suite's CPU time.
      { extends: true, test: { name: 'shared', include: ['test/**/*.test.ts'], exclude: ISOLATED, isolate: false } },
      { extends: true, test: { name: 'isolated', include: ISOLATED, isolate: true } },
    ],
  },
});
