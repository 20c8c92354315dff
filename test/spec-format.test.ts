/** The one way spec files are written (generator/format.ts, npm run format:specs), and every spec under specs/ written that way. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatSpec, LINE_WIDTH } from '../generator/format.js';
import { findSpecFiles } from '../generator/generate.js';
import { loadSpecText, specFolderLookup } from '../generator/load.js';

const repo = join(import.meta.dirname, '..');

const keyed = (fields: string): string =>
  `description: t\npaths: [/proc/test]\nsampling: sampled\nlayout:\n  keyed:\n    separator: colon\n    fields:\n${fields}`;

describe('the one way specs are written (npm run format:specs)', () => {
  it('orders keys, writes a map of scalars on one line when it fits, quotes only where needed, keeps comments', () => {
    const text = `# a comment at the top
layout:
  keyed:
    fields:
      # a comment above a field
      - description: "Plain words, with a comma"
        type: integer
        key: "MemTotal"
        since: 3.14.1
      - {description: "${'long '.repeat(30).trim()}", key: B, name: b2}
      - {key: x, name: "x"}
    separator: colon
sampling: sampled
paths:
  - /proc/test
description: 'Test: a spec'
`;
    expect(formatSpec(text)).toBe(`# a comment at the top
description: "Test: a spec"
paths: [/proc/test]
sampling: sampled
layout:
  keyed:
    separator: colon
    fields:
      # a comment above a field
      - {key: MemTotal, type: integer, since: "3.14.1", description: "Plain words, with a comma"}
      - key: B
        name: b2
        description: ${'long '.repeat(30).trim()}
      - {key: x}
`);
  });
  it('leaves out only the names of fields that their kernel name gives', () => {
    const text = `description: t
paths: [/proc/test]
override:
  a: {key: Foo, name: foo}
layout:
  table:
    tokens:
      - {raw: in_use, name: inUse, type: integer, description: x}
      - {name: plain, type: enum, description: x, values: [{raw: none, name: none, description: y}]}
`;
    const out = formatSpec(text);
    expect(out).toContain('  a: {key: Foo, name: foo}\n');
    expect(out).toContain('      - {raw: in_use, type: integer, description: x}\n');
    expect(out).toContain('          - {raw: none, name: none, description: y}\n');
  });
  it('a line it writes on one line is at most LINE_WIDTH long, and a list of maps is in block style', () => {
    const d = 'x'.repeat(LINE_WIDTH - '      - {key: K, description: }'.length);
    const fits = formatSpec(keyed(`      - {key: K, description: ${d}}\n`));
    expect(fits).toContain(`      - {key: K, description: ${d}}\n`);
    const over = formatSpec(keyed(`      - {key: K, description: ${d}x}\n`));
    expect(over).toContain(`      - key: K\n        description: ${d}x\n`);
  });
  it('every spec under specs/ is written that way, and formatting is stable and keeps its meaning', () => {
    const lookup = specFolderLookup(join(repo, 'specs'), 'specs');
    const differ: string[] = [];
    for (const file of findSpecFiles(join(repo, 'specs'))) {
      const text = readFileSync(file, 'utf8');
      const once = formatSpec(text);
      if (once !== text) differ.push(file);
      expect(formatSpec(once), file).toBe(once);
      const id = file.slice(join(repo, 'specs').length + 1).replace(/\.yaml$/, '');
      expect(loadSpecText(`specs/${id}.yaml`, once, lookup).data, file).toEqual(loadSpecText(`specs/${id}.yaml`, text, lookup).data);
    }
    expect(differ).toEqual([]);
  });
});
