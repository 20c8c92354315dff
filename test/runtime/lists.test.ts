/**
 * Lists in parsed values: from a long text each list is a copy of exactly
 * its items (Scan.fit), from a short one the array it was read into; either
 * way every record's lists are arrays of their own.
 */
import { describe, expect, it } from 'vitest';
import { parseProcPidMountinfo } from '../../generated/parsers/proc/pid/mountinfo.js';
import { Scan } from '../../runtime/scan.js';

const LINES = '22 1 0:21 / /a rw,nosuid,nodev shared:1 master:2 - tmpfs t1 rw,size=4k,mode=755\n23 22 0:22 / /b ro - proc p ro\n';

describe('lists in parsed values', () => {
  it('copies a list read from a text longer than 4 KiB, and keeps one from a shorter text', () => {
    const list = ['a', 'b'];
    expect(new Scan('x'.repeat(5000), 'f', 'spec').fit(list)).not.toBe(list);
    expect(new Scan('x'.repeat(5000), 'f', 'spec').fit(list)).toEqual(list);
    expect(new Scan('x'.repeat(100), 'f', 'spec').fit(list)).toBe(list);
  });

  for (const [name, text] of [['a short text', LINES], ['a long text', LINES.repeat(100)]] as const) {
    it(`gives every record lists of its own, from ${name}`, () => {
      const rows = parseProcPidMountinfo(text);
      for (let i = 0; i < rows.length; i += 2) {
        const [a, b] = [rows[i]!, rows[i + 1]!];
        expect(a.mountOptions).toEqual(['rw', 'nosuid', 'nodev']);
        expect(a.optionalFields).toEqual(['shared:1', 'master:2']);
        expect(a.superOptions).toEqual(['rw', 'size=4k', 'mode=755']);
        expect(b.mountOptions).toEqual(['ro']);
        expect(b.optionalFields).toEqual([]);
        expect(b.superOptions).toEqual(['ro']);
      }
      rows[0]!.mountOptions.push('changed');
      expect(rows[2]?.mountOptions ?? ['rw', 'nosuid', 'nodev']).toEqual(['rw', 'nosuid', 'nodev']);
      expect(parseProcPidMountinfo(text)[0]!.mountOptions).toEqual(['rw', 'nosuid', 'nodev']);
    });
  }
});
