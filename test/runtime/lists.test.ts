/**
 * Lists in parsed values: every record's lists are arrays of their own,
 * whatever was read before or after them, from short and long texts.
 */
import { describe, expect, it } from 'vitest';
import { parseProcPidMountinfo } from '../../generated/parsers/proc/pid/mountinfo.js';

const LINES = '22 1 0:21 / /a rw,nosuid,nodev shared:1 master:2 - tmpfs t1 rw,size=4k,mode=755\n23 22 0:22 / /b ro - proc p ro\n';

describe('lists in parsed values', () => {
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
