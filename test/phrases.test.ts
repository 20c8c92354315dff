/**
 * `phrases` on a string token or on the first part of a pair: a word that
 * may begin with a text holding spaces (numa_maps' `weighted interleave`
 * and `prefer (many)`, mpol_to_str in mm/mempolicy.c), and the checks that
 * keep the option to words.
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

const spec = table(`      - name: policy
        type: pair
        separator: ":"
        description: x
        first: {name: mode, type: string, phrases: [weighted interleave, prefer (many), prefer (many) more], description: x}
        second: {name: nodes, type: string, optional: true, description: x}
      - {name: kind, type: string, phrases: [two words], description: x}
      - {name: n, type: integer, description: x}
`);

async function parser(): Promise<(text: string) => unknown> {
  const parse = await loadSpecParser(checkSpec(loadSpecText('specs/proc/test.yaml', spec), 'proc/test'));
  return (text) => parse(text, contextOf({ file: 'test' }));
}

describe('a word with phrases', () => {
  it('runs on past the space of a phrase it begins with, and over what follows the phrase up to the separator', async () => {
    const parse = await parser();
    expect(parse('weighted interleave:0-1 two words 1\nprefer (many)=relative:1,3 plain 2\nbind=static|balancing:0 two wordsmore 3\ndefault x 4\n')).toEqual([
      { policy: { mode: 'weighted interleave', nodes: '0-1' }, kind: 'two words', n: 1 },
      { policy: { mode: 'prefer (many)=relative', nodes: '1,3' }, kind: 'plain', n: 2 },
      { policy: { mode: 'bind=static|balancing', nodes: '0' }, kind: 'two wordsmore', n: 3 },
      { policy: { mode: 'default' }, kind: 'x', n: 4 },
    ]);
  });
  it('takes the longest phrase the text begins with', async () => {
    const parse = await parser();
    expect(parse('prefer (many) more:2 x 5\n')).toEqual([{ policy: { mode: 'prefer (many) more', nodes: '2' }, kind: 'x', n: 5 }]);
  });
  it('is one word when the text begins with no phrase: a two-word mode not listed shifts the tokens after it', async () => {
    const parse = await parser();
    const e = thrown(() => parse('weighted other:0 x 1\n'), ProcfsError);
    expect(e.message).toMatch(/^test:1:18: expected a decimal integer, found "x"/);
  });
});

describe('phrases are refused', () => {
  const refused = (tokens: string): string => thrown(() => checkSpec(loadSpecText('specs/proc/test.yaml', table(tokens)), 'proc/test'), SpecError).problem;
  it('when a phrase is one word, repeats, or holds two spaces in a row', () => {
    expect(refused('      - {name: a, type: string, phrases: [word], description: x}\n')).toMatch(/at least two of them/);
    expect(refused('      - {name: a, type: string, phrases: [a b, a b], description: x}\n')).toMatch(/given twice/);
    expect(refused('      - {name: a, type: string, phrases: ["a  b"], description: x}\n')).toMatch(/single spaces/);
  });
  it('on a value that is not a string, a quoted string, or a token not read as a word', () => {
    expect(refused('      - {name: a, type: integer, phrases: [a b], description: x}\n')).toMatch(/"phrases" does not apply to type integer/);
    expect(refused('      - {name: a, type: string, quoted: true, phrases: [a b], description: x}\n')).toMatch(/plain word/);
    expect(refused('      - {name: a, type: string, rest: true, phrases: [a b], description: x}\n')).toMatch(/a token read as a word/);
    expect(refused('      - {name: a, type: string, terminator: ",", phrases: [a b], description: x}\n')).toMatch(/a token read as a word/);
  });
  it('on a keyed value', () => {
    const keyed =
      'description: t\npaths: [/proc/test]\nsampling: sampled\nlayout:\n  keyed:\n    separator: colon\n    fields:\n      - {key: A, type: string, phrases: [a b], description: x}\n';
    const e = thrown(() => checkSpec(loadSpecText('specs/proc/test.yaml', keyed), 'proc/test'), SpecError);
    expect(e.problem).toBe('unknown key "phrases"');
  });
});
