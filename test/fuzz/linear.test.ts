/**
 * Parse time grows linearly with the input, for hostile inputs too: for
 * every spec and every pattern of linear-measure.ts, the parser's time on a
 * 1 MiB input is at most 16 times its time on a 100 KiB one, measured in
 * one run of that script (a spec over the bound again, alone, in up to two
 * more runs), garbage-collection pauses left out; a millisecond
 * of slack absorbs timer noise on inputs refused at once. A quadratic parser
 * takes 100 times; LIMIT in linear-measure.ts says why the bound is not 10.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { registry } from '../../generated/index.js';

type Figures = { id: string; rows: [string, number, number, number, number][] };

/** Runs linear-measure.ts (for `ids` only, when given) in a process of its own: its figures by spec. */
function measure(ids: string[] = []): Map<string, Figures> {
  const out = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', join(import.meta.dirname, 'linear-measure.ts'), ...ids], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  return new Map(out.trim().split('\n').map((l) => JSON.parse(l) as Figures).map((f) => [f.id, f]));
}

/** The most the 1 MiB input may take, in ms, given the 100 KiB one's time (LIMIT and SLACK_MS of linear-measure.ts). */
const bound = (small: number): number => 16 * small + 1;
const over = ([, , , small, big]: Figures['rows'][number]): boolean => big > bound(small);

describe('parse time is linear in the input (1 MiB at most 16x 100 KiB)', () => {
  const byId = measure();
  // A spec over the bound is measured again, up to twice, each time in a fresh process, and each pattern keeps
  // its better figures: after the other specs have run, a process's heap can make one parse of 1 MiB that
  // allocates much take 20x the time of 100 KiB where a fresh process takes 13x; a quadratic parser takes 100x.
  for (let again = 0; again < 2; again++) {
    const ids = [...byId.values()].filter((f) => f.rows.some(over)).map((f) => f.id);
    if (ids.length === 0) break;
    for (const f of measure(ids).values()) {
      const before = byId.get(f.id)!;
      before.rows = before.rows.map((row, i) => {
        const next = f.rows[i]!;
        return next[4] / next[3] < row[4] / row[3] ? next : row;
      });
    }
  }
  it('measured every spec', () => expect([...byId.keys()].sort()).toEqual(registry.map((e) => e.id).sort()));
  for (const entry of registry) {
    it(entry.id, () => {
      const rows = byId.get(entry.id)?.rows ?? [];
      expect(rows.length).toBeGreaterThan(0);
      for (const [name, wallSmall, wallBig, small, big] of rows) {
        const say = `${name}: parser 100 KiB ${small.toFixed(2)} ms, 1 MiB ${big.toFixed(2)} ms (with GC ${wallSmall.toFixed(2)} and ${wallBig.toFixed(2)} ms)`;
        expect(big, say).toBeLessThanOrEqual(bound(small));
      }
    });
  }
});
