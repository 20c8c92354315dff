/**
 * Parsing is linear in the input, for hostile inputs too: for every spec
 * and every pattern of linear-measure.ts, the work of a parse of 10.24 times
 * the input is at most 12 times that of the smaller one (a quadratic parser
 * does about 100 times the work), plus a little for what a parse does once.
 * The smaller input is PROCSPEC_LINEAR_KIB KiB: 10 in `npm test`, 100 in
 * .ci/run, where a quadratic term small next to the linear ones shows too. Work is counted, not timed (test/support/work-meter: loop
 * iterations and what the builtins called walk), so a figure is the same
 * on any machine under any load and one run of each parse is enough.
 */
import { availableParallelism } from 'node:os';
import { beforeAll, describe, expect, it } from 'vitest';
import { registry } from '../../generated/index.js';
import { runMeteredAsync } from '../support/work-meter/run.js';
import type { Counts } from './linear-measure.js';

const MEASURE = new URL('./linear-measure.ts', import.meta.url).pathname;
const KIB = Number(process.env.PROCSPEC_LINEAR_KIB ?? 10);

/** The most work the bigger input may take: 12 times the smaller one's, plus SLACK. */
const LIMIT = 12;
/** Work a parse may do once whatever the size of its input (its set-up, the message of an error). */
const SLACK = 1000;

/**
 * Runs linear-measure.ts under the meter, the specs shared out among one process per CPU (the work of a parse is
 * counted, so the counts are those of one process; each process counts the meter's samples first, as one did): the
 * counts by parser id. Alone, the measure at 100 KiB is the longest part of .ci/run's suite (some 85 s of one core on a 2-core
 * machine), and run when the module loaded (vitest counted none of it as the file's time, and ran the file last) it
 * held the end of the suite on one core.
 */
async function measure(): Promise<Map<string, Counts>> {
  const ids = registry.map((e) => e.id);
  const n = Math.max(2, availableParallelism());
  const parts = Array.from({ length: n }, (_, k) => ids.filter((_, i) => i % n === k)).filter((p) => p.length > 0);
  const outs = await Promise.all(parts.map((part) => runMeteredAsync(MEASURE, part)));
  return new Map(
    outs
      .join('')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Counts)
      .map((c) => [c.id, c]),
  );
}

/** The rows of `counts` over the bound, each with its figures: none for a linear parser. */
function overBound(counts: Counts): string[] {
  return counts.rows
    .filter(([, small, big]) => big > LIMIT * small + SLACK)
    .map(([name, small, big]) => `${name}: ${small} at the smaller size, ${big} at the bigger (${(big / small).toFixed(2)}x)`);
}

const say = (counts: Counts): string => counts.rows.map(([name, small, big]) => `${name}: ${small} -> ${big} (${(big / small).toFixed(2)}x)`).join('; ');

let byId = new Map<string, Counts>();
// In a hook, not at the module's top: the time is then the file's in vitest's results, which runs longer files first.
beforeAll(async () => {
  byId = await measure();
}, 600_000);

describe("the check refuses a quadratic parser (the meter's samples, on 1 KiB and 10.24 KiB)", () => {
  it('an indexOf per line that may run to the end of the text', () => {
    const c = byId.get('sample/unbounded-search')!;
    expect(overBound(c), say(c)).toEqual(expect.arrayContaining([expect.stringMatching(/^its own lines repeated/)]));
  });
  it('a loop that reads the text again from its start for each line', () => {
    const c = byId.get('sample/rescan')!;
    expect(overBound(c), say(c)).toEqual(expect.arrayContaining([expect.stringMatching(/^its own lines repeated/)]));
  });
  it('and passes the same parser with each search bounded by its line', () => {
    const c = byId.get('sample/bounded-search')!;
    expect(overBound(c), say(c)).toEqual([]);
    expect(c.unknown).toEqual([]);
  });
});

describe(`the work of a parse is linear in its input (${(KIB * 10.24).toFixed(1)} KiB at most ${LIMIT}x ${KIB} KiB + ${SLACK})`, () => {
  it('measured every spec', () => expect([...byId.keys()].filter((id) => !id.startsWith('sample/')).sort()).toEqual(registry.map((e) => e.id).sort()));
  for (const entry of registry) {
    it(entry.id, () => {
      const counts = byId.get(entry.id);
      expect(counts?.rows.length).toBeGreaterThan(0);
      // A function of unknown cost may walk the text uncounted: give it a cost in meter.ts first.
      expect(counts!.unknown, 'functions the meter has no cost for').toEqual([]);
      expect(overBound(counts!), say(counts!)).toEqual([]);
    });
  }
});
