/** The two exposition formats and the negotiation between them. */
import { execFileSync, spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { acceptsGzip, formatValue, negotiateFormat, render, type Sample } from '../../exporter/index.js';
import type { FamilyDef } from '../../exporter/names.js';
import { Exporter } from '../../exporter/index.js';
import { ProcFs } from '../../runtime/index.js';
import { madeUpProc, PROMETHEUS_ACCEPT } from './support.js';

const counter: FamilyDef = {
  name: 'procspec_x_read_bytes_total',
  base: 'procspec_x_read_bytes',
  type: 'counter',
  unit: 'bytes',
  help: 'Data read "so far"; a \\ and a\nline.',
};
const gauge: FamilyDef = { name: 'procspec_x_level', base: 'procspec_x_level', type: 'gauge', unit: '', help: 'A level.' };
const families: [FamilyDef, Sample[]][] = [
  [
    counter,
    [
      { labels: 'dev="a\\"b"', value: 18446744073709551615n, div: 1 },
      { labels: 'dev="c"', value: 1, div: 1 },
    ],
  ],
  [gauge, [{ labels: '', value: 1.53, div: 100 }]],
  [{ ...gauge, name: 'procspec_x_empty', base: 'procspec_x_empty' }, []],
];

const hasPromtool = spawnSync('promtool', ['--version']).status === 0;

describe('exposition', () => {
  it('values: a bigint exactly, a number shortest, a ratio without division noise, special values', () => {
    expect(formatValue(18446744073709551615n)).toBe('18446744073709551615');
    expect(formatValue(0.1 + 0.2)).toBe('0.30000000000000004');
    expect(formatValue(1.53, 100)).toBe('0.0153');
    expect(formatValue(99.23, 100)).toBe('0.9923');
    expect(formatValue(50n, 100)).toBe('0.5');
    expect(formatValue(1e21)).toBe('1e+21');
    expect(formatValue(Number.NaN)).toBe('NaN');
    expect(formatValue(Number.POSITIVE_INFINITY)).toBe('+Inf');
    expect(formatValue(Number.NEGATIVE_INFINITY)).toBe('-Inf');
  });
  it('whole numbers and bigints print as String() prints them, at every size and sign', () => {
    const whole = fc.oneof(
      fc.maxSafeInteger(),
      fc.integer(),
      fc.constantFrom(0, -0, 9, 10, 99_999_999, 100_000_000, 100_000_001, 2 ** 53 - 1, -(2 ** 53 - 1), 2 ** 53, 1e21, 12.5),
    );
    const value = fc.oneof(
      whole,
      whole.filter(Number.isInteger).map((n) => BigInt(n)),
      fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n }),
    );
    fc.assert(
      fc.property(fc.array(value, { minLength: 1, maxLength: 20 }), (values) => {
        const samples = values.map((v, i) => ({ labels: `i="${i}"`, value: v, div: 1 }));
        const want = values.map((v, i) => `procspec_x_level{i="${i}"} ${String(v)}`);
        const got = render([[gauge, samples]], { kind: 'text' })
          .split('\n')
          .slice(2, -1);
        expect(got).toEqual(want);
      }),
      { numRuns: 300 },
    );
  });
  it('text 0.0.4: HELP (backslash and line feed escaped), TYPE, samples; families without samples left out', () => {
    expect(render(families, { kind: 'text' })).toBe(
      [
        '# HELP procspec_x_read_bytes_total Data read "so far"; a \\\\ and a\\nline.',
        '# TYPE procspec_x_read_bytes_total counter',
        'procspec_x_read_bytes_total{dev="a\\"b"} 18446744073709551615',
        'procspec_x_read_bytes_total{dev="c"} 1',
        '# HELP procspec_x_level A level.',
        '# TYPE procspec_x_level gauge',
        'procspec_x_level 0.0153',
        '',
      ].join('\n'),
    );
  });
  it('OpenMetrics 1.0: TYPE, UNIT, HELP (quotes escaped too) on the family name, counter samples with _total, # EOF', () => {
    expect(render(families, { kind: 'openmetrics', version: '1.0.0' })).toBe(
      [
        '# TYPE procspec_x_read_bytes counter',
        '# UNIT procspec_x_read_bytes bytes',
        '# HELP procspec_x_read_bytes Data read \\"so far\\"; a \\\\ and a\\nline.',
        'procspec_x_read_bytes_total{dev="a\\"b"} 18446744073709551615',
        'procspec_x_read_bytes_total{dev="c"} 1',
        '# TYPE procspec_x_level gauge',
        '# HELP procspec_x_level A level.',
        'procspec_x_level 0.0153',
        '# EOF',
        '',
      ].join('\n'),
    );
  });
  it.skipIf(!hasPromtool)('promtool check metrics finds no problem in the text format of this machine and of a made-up root', async () => {
    for (const root of ['/proc', madeUpProc()]) {
      const exporter = new Exporter(new ProcFs({ root, bigint: true }));
      const text = (await exporter.scrape()).text({ kind: 'text' });
      exporter.close();
      // promtool exits 0 with no output when it finds nothing (lint problems exit 3, parse errors 1).
      expect(execFileSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] })).toBe('');
    }
  });
});

describe('negotiation', () => {
  it("OpenMetrics 1.0.0 for Prometheus's Accept, and when it is preferred", () => {
    expect(negotiateFormat(PROMETHEUS_ACCEPT)).toEqual({ kind: 'openmetrics', version: '1.0.0' });
    expect(negotiateFormat('application/openmetrics-text')).toEqual({ kind: 'openmetrics', version: '1.0.0' });
    expect(negotiateFormat('application/openmetrics-text; version="1.0.0"; charset=utf-8')).toEqual({ kind: 'openmetrics', version: '1.0.0' });
    expect(negotiateFormat('text/plain;q=0.5, application/openmetrics-text;version=0.0.1')).toEqual({ kind: 'openmetrics', version: '0.0.1' });
    expect(negotiateFormat('application/openmetrics-text;version=1.0.0, */*')).toEqual({ kind: 'openmetrics', version: '1.0.0' });
  });
  it('text 0.0.4 when asked, by default, for other versions, and for q=0', () => {
    for (const accept of [
      undefined,
      '',
      '*/*',
      'text/plain',
      'text/plain;version=0.0.4',
      'application/openmetrics-text;version=2.0.0',
      'application/openmetrics-text;q=0',
      'application/openmetrics-text;q=0.4, text/plain;q=0.5',
      // Both named with one q: the default.
      'application/openmetrics-text;version=1.0.0, text/plain;version=0.0.4',
      'application/json',
    ])
      expect(negotiateFormat(accept), String(accept)).toEqual({ kind: 'text' });
  });
  it('text 0.0.4 for a malformed Accept header', () => {
    for (const accept of [
      'application/openmetrics-text;q=abc',
      'application/openmetrics-text;q=1.5',
      'application/openmetrics-text;;',
      'application/openmetrics-text;version',
      'application/openmetrics-text;version="1.0.0',
      'application/openmetrics-text/x',
      'application openmetrics-text',
      '\u00e9/\u00e9',
      `${'application/openmetrics-text,'.repeat(200)}`,
    ])
      expect(negotiateFormat(accept), accept).toEqual({ kind: 'text' });
  });
  it('gzip when Accept-Encoding allows it; not for q=0, other codings or a malformed header', () => {
    expect(acceptsGzip('gzip')).toBe(true);
    expect(acceptsGzip('gzip, deflate, br')).toBe(true);
    expect(acceptsGzip('br;q=1.0, gzip;q=0.8, *;q=0.1')).toBe(true);
    expect(acceptsGzip('*')).toBe(true);
    expect(acceptsGzip(undefined)).toBe(false);
    expect(acceptsGzip('identity')).toBe(false);
    expect(acceptsGzip('gzip;q=0')).toBe(false);
    expect(acceptsGzip('*, gzip;q=0')).toBe(false);
    expect(acceptsGzip('gzip;q=x')).toBe(false);
  });
});
