/**
 * Short strings come from a table that keeps the last string made for each
 * slot (Scan.str, short-strings.ts), in texts of any size: whatever the
 * table held, the string a parse returns is exactly the bytes it was asked
 * for.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseProcPidMountinfo } from '../../generated/parsers/proc/pid/mountinfo.js';
import { Scan } from '../../runtime/core/scan.js';

/** A text of the given tokens, one a line (padded to over 4,096 bytes unless `small`), and where each starts. */
function largeText(tokens: readonly string[], small = false): { text: string; at: number[] } {
  const at: number[] = [];
  let text = '';
  for (const t of tokens) {
    at.push(text.length);
    text += `${t}\n`;
  }
  while (!small && text.length <= 4096) text += `${'#'.repeat(60)}\n`;
  return { text, at };
}

/** The strings a Scan of `text` makes of `tokens` (at their offsets), twice over, each pass from the table the last one left. */
function madeTwice(tokens: readonly string[], small = false): string[] {
  const { text, at } = largeText(tokens, small);
  const out: string[] = [];
  for (let pass = 0; pass < 2; pass++) {
    const s = new Scan(new TextEncoder().encode(text), 'test-file', 'test');
    tokens.forEach((t, i) => {
      out.push(s.str(at[i]!, at[i]! + t.length));
    });
  }
  return out;
}

describe('short strings', () => {
  it('gives back exactly the bytes asked for, for every length of 2 to 12, tokens that differ in one byte and tokens that differ in trailing NULs', () => {
    // 12,000 tokens sharing their first bytes: several of them land in each of the table's slots.
    const tokens: string[] = [];
    for (let n = 2; n <= 12; n++) {
      for (let i = 0; i < 1100; i++) tokens.push(('abcdefghijkl'.slice(0, n - 1) + String.fromCharCode(33 + (i % 90)) + i).slice(0, n));
    }
    for (let i = 0; i < 600; i++) tokens.push(`abcdefgh${String(i).padStart(4, '0')}`);
    // Bytes of 0 weigh nothing in the packed words, only the length tells these apart: 5,000 prefixes
    // with 0 to 10 NULs after them, among which some of the same prefix share a slot.
    for (let p = 0; p < 5000; p++) {
      for (let k = 0; k <= 10; k++) tokens.push(String.fromCharCode(48 + (p % 70), 48 + Math.floor(p / 70)) + '\0'.repeat(k));
    }
    expect(madeTwice(tokens)).toEqual([...tokens, ...tokens]);
  });

  it('gives back the last bytes of a text, where fewer than twelve follow the token', () => {
    const { text } = largeText(['start']);
    const full = `${text}tail-of-it`;
    const s = new Scan(new TextEncoder().encode(full), 'test-file', 'test');
    expect(s.str(full.length - 10, full.length)).toBe('tail-of-it');
    expect(s.str(full.length - 2, full.length)).toBe('it');
  });

  it('matches a slice of the text for any tokens (fast-check)', () => {
    const token = fc.string({ unit: fc.constantFrom(...'abcdefgh=,:/_-0123456789'), minLength: 1, maxLength: 14 });
    fc.assert(
      fc.property(fc.array(token, { minLength: 1, maxLength: 400 }), (tokens) => {
        expect(madeTwice(tokens)).toEqual([...tokens, ...tokens]);
      }),
      { numRuns: 200 },
    );
  });

  it('matches a slice of a small text for any tokens, the table holding what earlier texts left (fast-check)', () => {
    const token = fc.string({ unit: fc.constantFrom(...'abcdefgh=,:/_-0123456789\0'), minLength: 1, maxLength: 14 });
    fc.assert(
      fc.property(fc.array(token, { minLength: 1, maxLength: 40 }), (tokens) => {
        expect(madeTwice(tokens, true)).toEqual([...tokens, ...tokens]);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps the values of a large mountinfo whose options differ only past their eighth byte', () => {
    const lines: string[] = [];
    for (let i = 0; i < 200; i++) lines.push(`${i + 2} 1 0:${i} / /m${i} rw,relatime - tmpfs none rw,size=${1000 + i}k`);
    const text = `${lines.join('\n')}\n`;
    expect(text.length).toBeGreaterThan(4096);
    const rows = parseProcPidMountinfo(text);
    expect(rows.map((r) => r.superOptions[1])).toEqual(lines.map((_, i) => `size=${1000 + i}k`));
    expect(rows.every((r) => r.mountOptions.join() === 'rw,relatime' && r.fsType === 'tmpfs' && r.source === 'none')).toBe(true);
  });
});
