/**
 * The spec language's nested shapes: trees (lines nested by indentation:
 * iomem, ioports, fib_trie) and choice lists (words with the selected one
 * in brackets: the block scheduler, transparent huge page policies). What
 * they give, the parse errors of text they cannot be (file, line, column,
 * what was expected), and the spec checks that refuse their misuse.
 */
import { describe, expect, it } from 'vitest';
import { checkSpec } from '../generator/check.js';
import { loadSpecText } from '../generator/load.js';
import { SpecError } from '../generator/spec-error.js';
import {
  parseProcIomem,
  parseProcIoports,
  parseProcNetFibTrie,
  parseSysBlockDevQueueScheduler,
  parseSysKernelMmTransparentHugepageEnabled,
} from '../generated/index.js';
import { ProcfsError } from '../runtime/core/errors.js';
import type { SpecModel } from '../runtime/model/model.js';
import { thrown } from './support/thrown.js';

const parseError = (f: () => unknown): ProcfsError => {
  const err = thrown(f, ProcfsError);
  expect(err.code).toBe('parse');
  return err;
};

describe('trees: lines nested by indentation', () => {
  it('a line is a child of the nearest line above it that is one level shallower; depths go back up by several levels at once', () => {
    const text = ['0000-0cf7 : PCI Bus', '  0000-001f : dma1', '    0000-000f : inner', '      0000-0007 : deepest', '0cf8-0cff : PCI conf1', ''].join('\n');
    const v = parseProcIoports(text);
    expect(v.map((n) => n.name)).toEqual(['PCI Bus', 'PCI conf1']);
    expect(v[0]!.children[0]!.children[0]!.children[0]).toEqual({ start: 0, end: 7, name: 'deepest', depth: 3, children: [] });
    expect(v[1]).toEqual({ start: 0xcf8, end: 0xcff, name: 'PCI conf1', depth: 0, children: [] });
  });

  it('fib_trie: depth 1 two columns in, three more per level; each line takes its variant', () => {
    const text = 'Main:\n  +-- 0.0.0.0/0 3 0 5\n     |-- 0.0.0.0\n        /0 universe UNICAST tos=16\n';
    const [table] = parseProcNetFibTrie(text);
    const tnode = table!.children[0]!;
    expect(tnode).toMatchObject({ kind: 'tnode', prefix: { address: '0.0.0.0', length: 0 }, bits: 3, emptyChildren: 5, depth: 1 });
    expect(tnode.children[0]!.children[0]).toEqual({ kind: 'route', prefixLength: 0, scope: 'universe', type: 'UNICAST', tos: 16, depth: 3, children: [] });
  });

  it('a line more than one level below the line above is an error at its first character', () => {
    const err = parseError(() => parseProcIomem('00000000-00000fff : Reserved\n    000de000-000defff : deep\n', { file: 'iomem' }));
    expect([err.file, err.line, err.column]).toEqual(['iomem', 2, 5]);
    expect(err.expected).toBe('a line at most one level below the line above (depth 1 or less, not 2)');
  });

  it('an indentation between levels is an error naming the columns a level starts at', () => {
    const err = parseError(() => parseProcIomem('00000000-00000fff : Reserved\n   000de000-000defff : odd\n', { file: 'iomem' }));
    expect([err.line, err.column, err.expected]).toEqual([2, 4, 'an indentation of 0, 2, 4, 6... spaces (2 more per level)']);
    const trie = parseError(() => parseProcNetFibTrie('Main:\n   +-- 0.0.0.0/0 3 0 5\n'));
    expect([trie.line, trie.column, trie.expected]).toEqual([2, 4, 'an indentation of 0, 2, 5, 8... spaces (3 more per level)']);
  });

  it('the first line is at the left edge', () => {
    const err = parseError(() => parseProcIomem('  00000000-00000fff : Reserved\n'));
    expect([err.line, err.column, err.expected]).toEqual([1, 3, 'a first line at the left edge (depth 0)']);
  });

  it('a line that fits no variant is the error of the variant that got furthest, at its line', () => {
    const err = parseError(() => parseProcNetFibTrie('Main:\n  +-- 0.0.0.0/0 3 x 5\n'));
    expect([err.line, err.column, err.found]).toEqual([2, 19, 'x']);
  });
});

describe('choice lists: words with the selected one in brackets', () => {
  it('the selected word and every word, brackets removed, trailing space or not', () => {
    expect(parseSysBlockDevQueueScheduler('none [mq-deadline] kyber \n').scheduler).toEqual({
      selected: 'mq-deadline',
      choices: ['none', 'mq-deadline', 'kyber'],
    });
    expect(parseSysKernelMmTransparentHugepageEnabled('always [madvise] never\n').policy).toEqual({
      selected: 'madvise',
      choices: ['always', 'madvise', 'never'],
    });
  });

  it('with `unselected`, a line with no bracketed word (a queue that cannot take a scheduler, before 6.15) has no selected', () => {
    expect(parseSysBlockDevQueueScheduler('none\n')).toEqual({ scheduler: { choices: ['none'] } });
  });

  it('without `unselected`, no bracketed word is an error at the first word', () => {
    const err = parseError(() => parseSysKernelMmTransparentHugepageEnabled('always madvise never\n', { file: 'enabled' }));
    expect([err.file, err.line, err.column, err.found]).toEqual(['enabled', 1, 1, 'always']);
    expect(err.expected).toBe('one word in brackets (the selected choice) among the words of the line');
  });

  it('two bracketed words are an error at the second, even where none is allowed', () => {
    const err = parseError(() => parseSysBlockDevQueueScheduler('[none] [mq-deadline] kyber \n'));
    expect([err.line, err.column, err.found]).toEqual([1, 8, '[mq-deadline]']);
    expect(err.expected).toBe('one bracketed word (the selected choice): [none] was bracketed already');
  });

  it('a bracket that does not enclose one word, and an empty line, are errors', () => {
    expect(parseError(() => parseSysBlockDevQueueScheduler('none [mq-deadline kyber]\n')).column).toBe(6);
    expect(parseError(() => parseSysBlockDevQueueScheduler('[] kyber\n')).column).toBe(1);
    expect(parseError(() => parseSysKernelMmTransparentHugepageEnabled('\n')).expected).toBe('a list of choices');
  });
});

describe('spec checks of trees and choices', () => {
  const load = (layout: string): SpecModel =>
    checkSpec(loadSpecText('specs/proc/test.yaml', `description: t\npaths: [/proc/test]\nsampling: sampled\nlayout:\n${layout}`), 'proc/test');
  const error = (layout: string): SpecError => thrown(() => load(layout), SpecError);

  it('a tree gives indent and the first level its own column', () => {
    const l = load('  tree:\n    indent: 3\n    firstIndent: 2\n    tokens:\n      - {name: a, type: string, description: x}\n').layout;
    expect(l).toMatchObject({ kind: 'tree', indent: 3, first: 2 });
    expect(load('  tree:\n    indent: 2\n    tokens:\n      - {name: a, type: string, description: x}\n').layout).toMatchObject({ first: 2 });
  });

  it('a row field named depth or children is refused: the tree sets them', () => {
    const err = error('  tree:\n    indent: 2\n    tokens:\n      - {name: children, type: integer, description: x}\n');
    expect(err.message).toMatch(/specs\/proc\/test\.yaml:6:5: layout\.tree: a tree's row cannot have a field named "children"/);
  });

  it('a tree needs tokens or rows, not both', () => {
    expect(error('  tree:\n    indent: 2\n').message).toMatch(/a tree needs exactly one of "tokens"/);
  });

  it('a choice is the last token of its line, with no other way to end it', () => {
    const err = error('  line:\n    tokens:\n      - {name: c, type: choice, description: x}\n      - {name: d, type: string, description: x}\n');
    expect(err.message).toMatch(/layout\.line\.tokens\.0\.type: a choice is the words up to the end of the line/);
    expect(error('  line:\n    tokens:\n      - {name: c, type: choice, prefix: "x=", description: x}\n').message).toMatch(/a choice is the words/);
  });

  it('`unselected` belongs to a choice only', () => {
    expect(error('  line:\n    tokens:\n      - {name: c, type: string, unselected: true, description: x}\n').message).toMatch(
      /"unselected" does not apply to type string/,
    );
  });
});
