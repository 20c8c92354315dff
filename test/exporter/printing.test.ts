/** The body printed from kept line starts is what the samples say, scrape after scrape, and the kept starts stay bounded. */
import { describe, expect, it } from 'vitest';
import { formatValue, keptLineStarts, renderBytes, TEXT, OPENMETRICS } from '../../exporter/exposition.js';
import type { FamilyDef } from '../../exporter/names.js';
import { labelPair, type Sample } from '../../exporter/walks.js';

const def = (name: string): FamilyDef => ({ name, base: name, type: 'gauge', unit: '', help: 'A level.' });

/** The lines of samples printed as the format says, built as strings: what the kept starts must give. */
function expected(name: string, samples: readonly Sample[]): string {
  return samples.map((s) => `${s.labels === '' ? name : `${name}{${s.labels}}`} ${formatValue(s.value, s.div)}\n`).join('');
}

describe('printing from kept line starts', () => {
  it('prints each body from its own samples when label sets and values change between bodies', () => {
    const d = def('procspec_t_changing');
    for (let round = 0; round < 6; round++) {
      const samples: Sample[] = [
        { labels: '', value: round, div: 1 },
        { labels: labelPair('pid', String(1000 + round)), value: 2n ** 64n - 1n - BigInt(round), div: 1 },
        { labels: labelPair('dev', 'sda'), value: 1.5 + round, div: 100 },
        { labels: labelPair('comm', 'é"\\\n'), value: Number.NaN, div: 1 },
      ];
      const head = '# HELP procspec_t_changing A level.\n# TYPE procspec_t_changing gauge\n';
      expect(renderBytes([[d, samples]], TEXT).toString('utf8')).toBe(head + expected(d.name, samples));
      expect(renderBytes([[d, samples]], OPENMETRICS).toString('utf8')).toBe(
        `# TYPE procspec_t_changing gauge\n# HELP procspec_t_changing A level.\n${expected(d.name, samples)}# EOF\n`,
      );
    }
  });

  it('prints a body of the last label sets from its template, and one whose families or label sets changed anew', () => {
    const a = def('procspec_t_same_a');
    const b = def('procspec_t_same_b');
    const c = def('procspec_t_same_c');
    const bodyOf = (fams: [FamilyDef, Sample[]][]): string =>
      fams
        .filter(([, s]) => s.length > 0)
        .map(([d, s]) => `# HELP ${d.name} A level.\n# TYPE ${d.name} gauge\n${expected(d.name, s)}`)
        .join('');
    for (let round = 0; round < 8; round++) {
      const cpu = (i: number): Sample => ({ labels: labelPair('cpu', String(i)), value: round * 1000 + i, div: 1 });
      const fams: [FamilyDef, Sample[]][] = [
        [a, [cpu(0), cpu(1)]],
        // The same label sets on most rounds; a third cpu on rounds 3 and 4; empty on round 5.
        [b, round === 5 ? [] : round === 3 || round === 4 ? [cpu(0), cpu(1), cpu(2)] : [cpu(0), cpu(1)]],
        [c, [{ labels: '', value: round % 2 === 0 ? 2n ** 63n + BigInt(round) : 0.25 * round, div: round % 2 === 0 ? 1 : 100 }]],
      ];
      // Families in another order on round 6.
      if (round === 6) fams.reverse();
      expect(renderBytes(fams, TEXT).toString('utf8')).toBe(bodyOf(fams));
    }
  });

  it('escapes label values that need it and leaves the others as they are', () => {
    expect(labelPair('a', 'plain value')).toBe('a="plain value"');
    expect(labelPair('a', 'x"y\\z\nw')).toBe('a="x\\"y\\\\z\\nw"');
  });

  it('keeps the line starts of the last body only', () => {
    const d = def('procspec_t_churn');
    for (let round = 0; round < 200; round++) {
      const samples: Sample[] = [0, 1, 2].map((i) => ({ labels: labelPair('pid', String(round * 3 + i)), value: i, div: 1 }));
      renderBytes([[d, samples]], TEXT);
    }
    // 3 samples a body, printed in the text format only.
    expect(keptLineStarts(d)).toBe(3);
    renderBytes([[d, [{ labels: '', value: 1, div: 1 }]]], OPENMETRICS);
    expect(keptLineStarts(d)).toBe(4);
  });
});
