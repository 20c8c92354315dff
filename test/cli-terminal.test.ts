/** Output helpers of the CLI: aligned tables (colour codes take no room), --interval and --count, spec suggestions. */
import { describe, expect, it } from 'vitest';
import { nearestNote, nearestSpecIds } from '../cli/suggest.js';
import { alignedLines, parseCount, parseInterval } from '../cli/terminal.js';

const plain = (s: string): string => s.replace(/\x1b\[[0-9;]*m/g, '');

describe('alignedLines', () => {
  it('pads by what shows on the screen: a coloured cell lines up with plain ones', () => {
    const yellow = '\x1b[33mreset\x1b[0m';
    const lines = alignedLines(
      ['name', 'rate'],
      [
        ['a', '12'],
        ['bb', yellow],
        ['c', '7'],
      ],
      [false, true],
    );
    expect(lines.map(plain)).toEqual(['name   rate', 'a        12', 'bb    reset', 'c         7']);
    expect(lines[2]).toContain(yellow);
  });

  it('leaves the last left-aligned column unpadded and copes with many rows', () => {
    const rows = Array.from({ length: 200_000 }, (_, i) => [String(i), 'x'.repeat(i % 3)]);
    const lines = alignedLines(['PID', 'COMMAND'], rows, [true, false]);
    expect(lines[0]).toBe('   PID  COMMAND');
    expect(lines[1]).toBe('     0');
    expect(lines[200_000]).toBe('199999  x');
  });
});

describe('parseInterval and parseCount', () => {
  it('reads seconds, milliseconds and minutes, and refuses the rest', () => {
    expect(parseInterval('500ms')).toBe(0.5);
    expect(parseInterval('2m')).toBe(120);
    expect(parseInterval('1.5')).toBe(1.5);
    expect(() => parseInterval('0s')).toThrow(/above zero/);
    expect(() => parseInterval('soon')).toThrow(/bad interval/);
  });

  it('takes a positive whole count, Infinity without one', () => {
    expect(parseCount(undefined)).toBe(Infinity);
    expect(parseCount('3')).toBe(3);
    for (const bad of ['0', '-1', '2.5', 'x', '']) expect(() => parseCount(bad), bad).toThrow(/bad --count/);
  });
});

describe('nearestSpecIds', () => {
  it('names specs that contain the word, or whose last part the word contains', () => {
    const ids = ['proc/meminfo', 'proc/pid/stat', 'proc/stat', 'proc/pid/status', 'proc/vmstat'];
    expect(nearestSpecIds('meminf', ids)).toEqual(['proc/meminfo']);
    expect(nearestSpecIds('saved-1234-stat', ids)).toEqual(['proc/pid/stat', 'proc/stat']);
    expect(nearestSpecIds('xyz', ids)).toEqual([]);
    expect(nearestNote('xyz', ids)).toBe('');
    expect(nearestNote('meminf', ids)).toBe(' (nearest: proc/meminfo)');
  });
});
