/**
 * The spec language's `label` marker (docs/spec-language.md, Fields): what
 * it puts in the checked model, the misuses the checker refuses at their
 * line and column, and that it changes nothing in the generated parser or
 * types; and the rule that a u64 is a quantity only with its own measure.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkSpec } from '../generator/check.js';
import { generate } from '../generator/generate.js';
import { loadSpecText } from '../generator/load.js';
import { SpecError } from '../generator/spec-error.js';
import type { FieldModel, SpecModel } from '../runtime/model/model.js';
import { repo } from './support/cli.js';
import { thrown } from './support/thrown.js';

const load = (text: string): SpecModel => checkSpec(loadSpecText('specs/proc/test.yaml', text), 'proc/test');
const error = (text: string): SpecError => thrown(() => load(text), SpecError);

/** A table spec of counters whose row tokens are `tokens` (YAML lines of a list). */
const table = (tokens: string): string => `description: t\npaths: [/proc/test]\nsampling: sampled\nmeasure: counter\nlayout:\n  table:\n    tokens:\n${tokens}`;

const rowFields = (m: SpecModel): Record<string, FieldModel> => {
  if (m.layout.kind !== 'table' || !('record' in m.layout.rows)) throw new Error('not a table of one shape');
  return Object.fromEntries(m.layout.rows.record.tokens.flatMap((t) => (t.kind === 'field' ? [[t.field.name, t.field]] : [])));
};

describe('the label marker', () => {
  it('is kept in the model as written; a label has no measure and is never wide', () => {
    const m = load(
      table(
        '      - {name: major, type: integer, label: true, description: Major number}\n' +
          '      - {name: dev, type: string, label: false, description: Free text}\n' +
          '      - {name: reads, type: integer, description: Reads}\n' +
          '      - {name: orders, type: integer, repeat: true, label: order, description: Per order}\n',
      ),
    );
    const f = rowFields(m);
    expect(f.major!.label).toBe(true);
    expect(f.major!.measure).toBeUndefined();
    expect(f.major!.value).toMatchObject({ kind: 'integer' });
    expect((f.major!.value as { wide?: boolean }).wide).toBeUndefined();
    expect(f.dev!.label).toBe(false);
    expect(f.reads!.label).toBeUndefined();
    expect(f.reads!.measure).toBe('counter');
    expect(f.orders!.label).toBe('order');
  });
  it('changes nothing in the generated parser and types (a label is for the exporter only)', () => {
    // diskstats: its major and minor say `label: true`; without the marker, `narrow: true` keeps them the numbers they were.
    const text = readFileSync(join(repo, 'specs', 'proc', 'diskstats.yaml'), 'utf8');
    expect(text).toMatch(/label: true/);
    const marked = checkSpec(loadSpecText('specs/proc/diskstats.yaml', text), 'proc/diskstats');
    const plain = checkSpec(loadSpecText('specs/proc/diskstats.yaml', text.replace(/label: true/g, 'narrow: true')), 'proc/diskstats');
    const a = generate([marked]);
    const b = generate([plain]);
    for (const path of ['parsers/proc/diskstats.ts', 'types/proc/diskstats.ts']) {
      expect(a.get(path), path).toBeDefined();
      expect(a.get(path), path).toBe(b.get(path));
    }
    expect(a.get('metadata/proc/diskstats.ts')).not.toBe(b.get('metadata/proc/diskstats.ts'));
  });
  it('misuses are refused at their line and column', () => {
    const cases: [string, number, RegExp][] = [
      ['      - {name: n, type: integer, label: false, description: x}\n', 8, /"label: false" says a text field .* not for a integer/],
      ['      - {name: n, type: integer, measure: gauge, label: true, description: x}\n', 8, /a label .* has no "measure"/],
      ['      - {name: n, type: float, label: true, description: x}\n', 8, /not a float/],
      ['      - {name: n, type: integer, unit: kB, label: true, description: x}\n', 8, /a label is a name, not a quantity in kB/],
      ['      - {name: n, type: mask, label: true, description: x}\n', 8, /not a mask/],
      ['      - {name: n, type: integer, repeat: true, label: true, description: x}\n', 8, /each by its position, under a label the spec names/],
      [
        '      - {name: a, type: string, label: x, description: x}\n      - {name: b, type: integer, label: x, description: x}\n',
        9,
        /label "x" is also given by field "a"/,
      ],
      ['      - {name: n, type: integer, label: Bad-Name, description: x}\n', 8, /"Bad-Name" is not a label name/],
    ];
    for (const [tokens, line, why] of cases) {
      const e = error(table(tokens));
      expect(e.line, tokens).toBe(line);
      expect(e.problem, tokens).toMatch(why);
      expect(e.key, tokens).toMatch(/^layout\.table\.tokens\.[0-9]+/);
    }
  });
  it('records sharing a label name must be declared alike; a record needs a label name', () => {
    const keyed = (some: string, full: string): string =>
      `description: t\npaths: [/proc/test]\nsampling: sampled\nlayout:\n  keyed:\n    separator: space\n    fields:\n` +
      `      - {key: some, type: record, label: stall, description: x, pairs: {separator: =, fields: [${some}]}}\n` +
      `      - {key: full, type: record, label: stall, description: x, pairs: {separator: =, fields: [${full}]}}\n`;
    const ok = load(keyed('{raw: avg10, type: float, description: a}', '{raw: avg10, type: float, description: a}'));
    expect(ok.layout.kind === 'keyed' && ok.layout.entries.map((e) => e.field.label)).toEqual(['stall', 'stall']);
    const e = error(keyed('{raw: avg10, type: float, description: a}', '{raw: avg60, type: float, description: a}'));
    expect([e.line, e.key]).toEqual([9, 'layout.keyed.fields.1.label']);
    expect(e.problem).toMatch(/records sharing label "stall" are one set of families: "full" is not declared like "some"/);
    const t = error(keyed('{raw: avg10, type: float, description: a}', '{raw: avg10, type: float, description: a}').replace(/label: stall/g, 'label: true'));
    expect(t.problem).toMatch(/write "label: <name>"/);
  });
});

describe('u64', () => {
  it('takes no measure from its spec (an address, mask, id or inode); one that says its own is a quantity', () => {
    const m = load(
      table(
        '      - {name: address, type: u64, hex: true, description: An address}\n' +
          '      - {name: limit, type: u64, measure: gauge, description: A limit}\n' +
          '      - {name: count, type: integer, description: A count}\n',
      ),
    );
    const f = rowFields(m);
    expect(f.address!.measure).toBeUndefined();
    expect(f.limit!.measure).toBe('gauge');
    expect(f.count!.measure).toBe('counter');
  });
});
