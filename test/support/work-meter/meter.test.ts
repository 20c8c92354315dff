/**
 * The work meter counts what it says it counts (meter.ts), exactly: loop
 * iterations, calls, and the characters or bytes a builtin walks, however
 * the builtin is reached (on this.text, on a variable, held in a variable,
 * by call()). test/fuzz/linear.test.ts relies on these counts.
 */
import { describe, expect, it } from 'vitest';
import { runMetered } from './run.js';

const counts = JSON.parse(runMetered(new URL('./probe.ts', import.meta.url).pathname)) as Record<string, [number, string[]]>;

/** The probes of probe.ts and the count each must give: the text is 1000 'a' and an 'x', searched from index 10; the bytes are 100. */
const expected: Record<string, number> = {
  'this.text.indexOf, found': 991,
  'this.text.indexOf, not found': 991,
  'indexOf on a local': 991,
  'indexOf held in a variable, by call()': 991,
  'isAscii held in a variable': 100,
  'for loop of 50': 50,
  'while loop of 50 calling a function': 100,
  latin1Slice: 100,
  'TextDecoder.decode': 1 + 100,
  // lastIndexOf finds the last character (1), startsWith 3, slice 20, split and the regular expression walk all 1001.
  strings: 1 + 3 + 20 + 1001 + 1001,
  push: 3,
  // bind (1), then the bound function, of unknown cost (1).
  'a bound function': 2,
};

describe('the work meter', () => {
  it('ran every probe', () => expect(Object.keys(counts).sort()).toEqual(Object.keys(expected).sort()));
  for (const [name, n] of Object.entries(expected)) {
    it(name, () => {
      expect(counts[name]![0]).toBe(n);
      expect(counts[name]![1]).toEqual(name === 'a bound function' ? ['bound indexOf'] : []);
    });
  }
});
