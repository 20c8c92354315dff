/**
 * Lists in a line: `endsBefore` on a repeated token (the list ends before
 * the first token that begins with the marker, which the next token reads:
 * nf_conntrack's original direction ends where the reply's `src=` begins),
 * and enum items of a separated list (nf_conntrack_expect's flags).
 */
import { describe, expect, it } from 'vitest';
import { checkSpec } from '../generator/check.js';
import { loadSpecText } from '../generator/load.js';
import { SpecError } from '../generator/spec-error.js';
import { contextOf } from '../runtime/core/context.js';
import { ProcfsError } from '../runtime/core/errors.js';
import { loadSpecParser } from '../tools/try-spec.js';
import { thrown } from './support/thrown.js';

const table = (tokens: string): string => `description: t\npaths: [/proc/test]\nsampling: sampled\nlayout:\n  table:\n    tokens:\n${tokens}`;

const spec = table(`      - {name: a, type: string, prefix: src=, description: x}
      - {name: first, type: string, repeat: true, endsBefore: src=, description: x}
      - {name: b, type: string, prefix: src=, description: x}
      - {name: second, type: string, repeat: true, description: x}
`);

describe('a list with endsBefore', () => {
  it('ends before the token that begins with the marker, which the next token reads; the list may be empty', async () => {
    const parse = await loadSpecParser(checkSpec(loadSpecText('specs/proc/test.yaml', spec), 'proc/test'));
    const ctx = contextOf({ file: 'test' });
    expect(parse('src=1 x=1 [F] src=2 y=2 z\nsrc=3 src=4\n', ctx)).toEqual([
      { a: '1', first: ['x=1', '[F]'], b: '2', second: ['y=2', 'z'] },
      { a: '3', first: [], b: '4', second: [] },
    ]);
    // No token begins with the marker: the list takes the line, and the next token is missing.
    expect(thrown(() => parse('src=1 x=1 y=2\n', ctx), ProcfsError).message).toMatch(/^test:1:14: expected "src="/);
  });
  it('is refused without repeat, and beside endsAt', () => {
    const refused = (tokens: string): string => thrown(() => checkSpec(loadSpecText('specs/proc/test.yaml', table(tokens)), 'proc/test'), SpecError).problem;
    expect(refused('      - {name: a, type: string, endsBefore: src=, description: x}\n      - {name: b, type: string, description: x}\n')).toBe(
      '"endsBefore" ends a "repeat" list',
    );
    expect(
      refused(
        '      - {name: a, type: string, repeat: true, endsAt: "-", endsBefore: src=, description: x}\n      - {name: b, type: string, description: x}\n',
      ),
    ).toMatch(/not both/);
  });
});

describe('an enum item of a separated list', () => {
  it('ends at the separator, so each item is a word of its own', async () => {
    const text = table(`      - {name: n, type: integer, description: x}
      - name: flags
        type: list
        of:
          type: enum
          values:
            - {raw: PERMANENT, name: permanent, description: x}
            - {raw: INACTIVE, name: inactive, description: x}
        separator: ","
        description: x
`);
    const parse = await loadSpecParser(checkSpec(loadSpecText('specs/proc/test.yaml', text), 'proc/test'));
    const ctx = contextOf({ file: 'test' });
    expect(parse('1 PERMANENT,INACTIVE\n2 INACTIVE\n', ctx)).toEqual([
      { n: 1, flags: ['permanent', 'inactive'] },
      { n: 2, flags: ['inactive'] },
    ]);
    expect(thrown(() => parse('3 PERMANENT,OTHER\n', ctx), ProcfsError).message).toMatch(/^test:1:13: expected flags: one of PERMANENT, INACTIVE/);
  });
});
