/**
 * The exporter's own gzip (exporter/deflate/): every body it writes unpacks,
 * through zlib, to exactly what renderBytes prints, whatever the families,
 * labels, values and format, body after body as pieces come and go; and the
 * constant pieces are matched once, not every body.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { constants, gunzipSync, gzipSync } from 'node:zlib';
import { ProcFs } from '../../runtime/index.js';
import { CODES_KEPT_FOR, gzipBody, lastWork } from '../../exporter/deflate/gzip-body.js';
import { canonicalCodes, codeLengths } from '../../exporter/deflate/huffman.js';
import { Exporter } from '../../exporter/exporter.js';
import { type Exposition, type Format, OPENMETRICS, renderBytes, TEXT } from '../../exporter/exposition.js';
import type { FamilyDef } from '../../exporter/names.js';
import { labelPair, type Sample } from '../../exporter/walks.js';

const OM_OLD: Format = { kind: 'openmetrics', version: '0.0.1' };
const FORMATS = [TEXT, OPENMETRICS, OM_OLD];

/** The body gzipped, unpacked by zlib, against what renderBytes prints of the same families. */
function roundTrip(families: Exposition, format: Format): Buffer {
  const gzip = gzipBody(families, format);
  expect(gunzipSync(gzip).equals(renderBytes(families, format))).toBe(true);
  return gzip;
}

/** A few names and help words, so that pieces repeat each other and matches reach into earlier pieces. */
const familyArb = fc.record({
  name: fc.constantFrom('procspec_a', 'procspec_a_b', 'procspec_net_dev_receive', 'procspec_x_é'),
  suffix: fc.integer({ min: 0, max: 5 }),
  type: fc.constantFrom('counter' as const, 'gauge' as const),
  unit: fc.constantFrom('' as const, 'bytes' as const, 'seconds' as const),
  help: fc.array(fc.constantFrom('The', 'number of', 'bytes', 'received', '"quoted"', 'back\\slash', 'line\nfeed', 'ü'), { maxLength: 12 }),
});
const valueArb = fc.oneof(
  fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n }),
  fc.double(),
  fc.integer({ min: -1000, max: 100000 }),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0, -0),
);
const sampleArb = fc.record({
  labels: fc.array(fc.tuple(fc.constantFrom('device', 'cpu', 'mode'), fc.constantFrom('eth0', 'lo', 'sda', '0', '1', 'idle', 'ünï"\\\n')), { maxLength: 3 }),
  value: valueArb,
  div: fc.constantFrom(1, 1, 100),
});

/** Families from the generated records: one FamilyDef per distinct name, kept across bodies (as the exporter keeps them). */
const defs = new Map<string, FamilyDef>();
function defOf(f: typeof familyArb extends fc.Arbitrary<infer T> ? T : never): FamilyDef {
  const base = `${f.name}_${f.suffix}${f.unit === '' ? '' : `_${f.unit}`}`;
  const key = `${base}|${f.type}|${f.help.join(' ')}`;
  let d = defs.get(key);
  if (d === undefined) {
    d = { name: f.type === 'counter' ? `${base}_total` : base, base, type: f.type, unit: f.unit, help: f.help.join(' ') };
    defs.set(key, d);
  }
  return d;
}
const bodyArb = fc
  .array(fc.tuple(familyArb, fc.array(sampleArb, { maxLength: 6 })), { maxLength: 12 })
  .map((fams): [FamilyDef, Sample[]][] =>
    fams.map(([f, samples]) => [defOf(f), samples.map((s) => ({ labels: s.labels.map(([k, v]) => labelPair(k, v)).join(','), value: s.value, div: s.div }))]),
  );

describe('gzip of exposition bodies', () => {
  it('unpacks to the printed body for random families, labels and values, in each format, body after body', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(bodyArb, fc.constantFrom(...FORMATS)), { minLength: 1, maxLength: 8 }), (bodies) => {
        for (const [families, format] of bodies) roundTrip(families, format);
      }),
      { numRuns: 150 },
    );
  });

  it('unpacks to the printed body when the same families come back with new values many times (kept bits, codes made again)', () => {
    const d: FamilyDef = { name: 'procspec_t_kept_total', base: 'procspec_t_kept', type: 'counter', unit: '', help: 'A count.' };
    const e: FamilyDef = { name: 'procspec_t_kept_level', base: 'procspec_t_kept_level', type: 'gauge', unit: '', help: 'A count, and a level.' };
    for (let round = 0; round < CODES_KEPT_FOR * 2 + 3; round++) {
      const samples: Sample[] = ['a', 'b', 'c'].map((x, i) => ({ labels: labelPair('x', x), value: round * 10 ** i, div: i === 2 ? 100 : 1 }));
      roundTrip(
        [
          [d, samples],
          [e, samples.slice(round % 3)],
        ],
        round % 2 ? TEXT : OPENMETRICS,
      );
    }
  });

  it('writes an empty body, and leaves out a family with no samples', () => {
    expect(gunzipSync(roundTrip([], TEXT)).length).toBe(0);
    expect(gunzipSync(roundTrip([], OPENMETRICS)).toString()).toBe('# EOF\n');
    const d: FamilyDef = { name: 'procspec_t_none', base: 'procspec_t_none', type: 'gauge', unit: '', help: 'Nothing.' };
    expect(gunzipSync(roundTrip([[d, []]], TEXT)).length).toBe(0);
  });

  it('writes every kind of value: bigints past 2^64, NaN, infinities, negatives, divided', () => {
    const d: FamilyDef = { name: 'procspec_t_values', base: 'procspec_t_values', type: 'gauge', unit: 'ratio', help: 'Values.' };
    const values: (number | bigint)[] = [2n ** 64n - 1n, 2n ** 70n, -5n, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -1.5, 1e-300, 153];
    const samples = values.flatMap((v, i) => [1, 100].map((div) => ({ labels: labelPair('i', `${i}/${div}`), value: v, div })));
    const text = gunzipSync(roundTrip([[d, samples]], TEXT)).toString();
    expect(text).toContain('procspec_t_values{i="0/1"} 18446744073709551615\n');
    expect(text).toContain('procspec_t_values{i="8/100"} 1.53\n');
    expect(text).toContain('procspec_t_values{i="3/1"} NaN\n');
  });

  it('falls back to literals where a match would reach past the 32 KB window (label sets of 40 KB)', () => {
    const d: FamilyDef = { name: 'procspec_t_huge', base: 'procspec_t_huge', type: 'gauge', unit: '', help: 'Huge label values.' };
    const big = (c: string) => c.repeat(40 * 1024);
    for (let round = 0; round < 3; round++) {
      const samples: Sample[] = [
        { labels: labelPair('v', big('a')), value: round, div: 1 },
        { labels: labelPair('v', `${big('b')}x`), value: 2, div: 1 },
        { labels: labelPair('v', 'short'), value: 3, div: 1 },
      ];
      const gz = roundTrip([[d, samples]], round === 1 ? OPENMETRICS : TEXT);
      // Runs of one letter still compress within the piece.
      expect(gz.length).toBeLessThan(4096);
    }
  });

  it('gives code lengths of at most 15 bits that fill the code exactly, for counts that would make deeper trees', () => {
    // Fibonacci counts make the deepest Huffman trees: 30 symbols would need 29 bits.
    const fib = [1, 1];
    while (fib.length < 30) fib.push(fib[fib.length - 1]! + fib[fib.length - 2]!);
    const lengths = codeLengths(fib, 15);
    expect(Math.max(...lengths)).toBe(15);
    expect(lengths.reduce((sum, l) => sum + 2 ** -l, 0)).toBe(1);
    // Canonical codes are distinct prefixes: no code is the start of another (compared bit-reversed back).
    const codes = canonicalCodes(lengths, 15);
    const asBits = [...lengths].map((l, s) => [...Array(l)].map((_, i) => (codes[s]! >> i) & 1).join(''));
    for (const a of asBits) for (const b of asBits) if (a !== b) expect(b.startsWith(a)).toBe(false);
    // One symbol used still gets a complete code of two.
    expect([...codeLengths([0, 5, 0], 15)].filter((l) => l > 0)).toEqual([1, 1]);
  });
});

describe('gzip of a live scrape of the /proc set', () => {
  const PROC_SET = [
    'stat',
    'meminfo',
    'loadavg',
    'diskstats',
    'net_dev',
    'vmstat',
    'pressure',
    'sys_fs_file_nr',
    'net_sockstat',
    'net_sockstat6',
    'net_netstat',
    'net_snmp',
    'net_snmp6',
    'net_softnet_stat',
  ];

  it('unpacks to the plain body, within 1.15 times zlib level 1, and matches the constant pieces only in the first body', async () => {
    const exporter = new Exporter(new ProcFs({ bigint: true }), { disableDefaults: true, enable: PROC_SET });
    try {
      for (const format of [TEXT, OPENMETRICS]) {
        for (let round = 0; round < 3; round++) {
          const scrape = await exporter.scrape();
          const gz = roundTrip(scrape.families, format);
          const plain = renderBytes(scrape.families, format);
          expect(gz.length).toBeLessThanOrEqual(1.15 * gzipSync(plain, { level: constants.Z_BEST_SPEED }).length);
          const work = lastWork(format);
          if (round === 0) expect(work.matchedBytes).toBeGreaterThan(plain.length / 2);
          // Later bodies print the same pieces: none is matched again; the first of them writes each piece's bits with the new codes, the next mostly reuses them.
          else expect(work.matchedBytes).toBe(0);
          if (round === 2) expect(work.keptPieces).toBeGreaterThan(work.encodedPieces);
        }
      }
    } finally {
      exporter.close();
    }
  });
});
