/**
 * The fuzz pass over every spec (a new spec is fuzzed with no new test code):
 * each case is a seed text with one to four mutations, or random text, and
 * must satisfy the oracle. PROCSPEC_FUZZ_RUNS sets the cases per spec (a
 * short pass of 100 by default; .ci/run runs 4,000), PROCSPEC_FUZZ_SEED the seed
 * (printed, so a failure can be replayed), and PROCSPEC_FUZZ_REPORT a file
 * that receives the count of cases run per spec.
 */
import fc from 'fast-check';
import { appendFileSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { registry } from '../../generated/index.js';
import { contextOf } from '../../runtime/core/context.js';
import { checkCompressedCase } from './compressed.js';
import { mutation, randomText } from './mutate.js';
import { checkParse } from './oracle.js';
import { seedsFor } from './seeds.js';

/** Cases per spec (and per hostile pattern). */
export const RUNS = Number(process.env.PROCSPEC_FUZZ_RUNS ?? 100);
export const SEED = Number(process.env.PROCSPEC_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const REPORT = process.env.PROCSPEC_FUZZ_REPORT;

/** Failing inputs found before, kept as test/fuzz/regressions/<spec id>/<name>.txt. */
export const REGRESSIONS = join(import.meta.dirname, 'regressions');

/** A stable number per spec id, so each spec gets its own stream of cases from one seed. */
const offset = (id: string): number => [...id].reduce((h, c) => (h * 31 + c.charCodeAt(0)) % 2 ** 30, 7);

/** Fuzzes every spec whose index in the registry is `part` modulo `parts` (the suite is split so files run in parallel). */
export function fuzzSpecs(part: number, parts: number): void {
  describe(`fuzz: seed ${SEED}, ${RUNS} cases per spec (part ${part + 1} of ${parts})`, () => {
    registry.forEach((entry, index) => {
      if (index % parts !== part) return;
      it(entry.id, () => {
        const seeds = seedsFor(registry, entry);
        const ctx = contextOf({ file: `<fuzz ${entry.id}>` });
        let cases = 0;
        let values = 0;
        const input = fc.oneof(
          { weight: 9, arbitrary: fc.tuple(fc.constantFrom(...seeds), mutation).map(([s, m]) => ({ from: s.from, text: m(s.text) })) },
          { weight: 1, arbitrary: randomText.map((text) => ({ from: 'random text', text })) },
        );
        fc.assert(
          fc.property(input, (c) => {
            cases++;
            try {
              if (checkParse(entry, c.text, ctx) === 'value') values++;
              checkCompressedCase(entry, c.text, ctx);
            } catch (err) {
              throw new Error(
                `${(err as Error).message}\n  mutated from: ${c.from}\n  text: ${JSON.stringify(c.text.length > 600 ? `${c.text.slice(0, 600)}…` : c.text)}`,
                { cause: err },
              );
            }
          }),
          { numRuns: RUNS, seed: (SEED + offset(entry.id)) % 2 ** 31 },
        );
        if (REPORT !== undefined) appendFileSync(REPORT, `${entry.id} ${cases} ${values}\n`);
        // A pass in which nothing parsed or nothing failed did not exercise the parser.
        expect(cases).toBeGreaterThanOrEqual(RUNS);
      });
    });
  });
}

/** The regression inputs of one spec. */
export function regressionsOf(id: string): { name: string; text: string }[] {
  const dir = join(REGRESSIONS, id);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .filter((f) => f.endsWith('.txt'))
    .map((f) => ({ name: f, text: readFileSync(join(dir, f), 'utf8') }));
}
