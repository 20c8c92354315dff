/**
 * The scanner's bigints made through a 64-bit typed array (runtime/core/scan/bigints.ts)
 * are the integers they stand for, on either half of the word and at its edges.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bigOf, bigOfWord } from '../../runtime/core/scan/bigints.js';

describe('bigints of exact integers', () => {
  it('bigOf(n) is BigInt(n) for every integer from 0 to 2^53', () => {
    for (const n of [0, 1, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 1, 2 ** 52, Number.MAX_SAFE_INTEGER, 2 ** 53]) {
      expect(bigOf(n)).toBe(BigInt(n));
    }
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (n) => bigOf(n) === BigInt(n)),
      { numRuns: 5000 },
    );
  });

  it('bigOfWord(hi, lo) is hi * 2^32 + lo', () => {
    const half = fc.integer({ min: 0, max: 2 ** 32 - 1 });
    expect(bigOfWord(2 ** 32 - 1, 2 ** 32 - 1)).toBe(0xffffffffffffffffn);
    expect(bigOfWord(0, 0)).toBe(0n);
    fc.assert(
      fc.property(half, half, (hi, lo) => bigOfWord(hi, lo) === (BigInt(hi) << 32n) + BigInt(lo)),
      { numRuns: 5000 },
    );
  });
});
