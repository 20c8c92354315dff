/**
 * The shape of parsed values: every record's lists are arrays of their own,
 * whatever was read before or after them, from short and long texts; lists
 * made at a counted length hold exactly their items; and a field the text
 * lacks is absent from its object, never a key holding undefined.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { registry } from '../../generated/index.js';
import { parseProcPidCmdline } from '../../generated/parsers/proc/pid/cmdline.js';
import { parseProcPidMountinfo } from '../../generated/parsers/proc/pid/mountinfo.js';
import { parseProcPidSmaps } from '../../generated/parsers/proc/pid/smaps.js';
import { contextOf } from '../../runtime/core/context.js';
import { ProcfsError } from '../../runtime/core/errors.js';
import { findFixtures } from '../support/fixtures.js';

const LINES = '22 1 0:21 / /a rw,nosuid,nodev shared:1 master:2 - tmpfs t1 rw,size=4k,mode=755\n23 22 0:22 / /b ro - proc p ro\n';

/** Where `v` holds a key whose value is undefined or an array with a hole: the path to it, or undefined. */
function flaw(v: unknown, path = '$'): string | undefined {
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      if (!Object.hasOwn(v, i)) return `${path}[${i}] (a hole)`;
      const f = flaw(v[i], `${path}[${i}]`);
      if (f !== undefined) return f;
    }
    return undefined;
  }
  if (v === null || typeof v !== 'object' || ArrayBuffer.isView(v)) return undefined;
  for (const [k, x] of Object.entries(v)) {
    if (x === undefined) return `${path}.${k} (undefined)`;
    const f = flaw(x, `${path}.${k}`);
    if (f !== undefined) return f;
  }
  return undefined;
}

describe('lists in parsed values', () => {
  for (const [name, text] of [
    ['a short text', LINES],
    ['a long text', LINES.repeat(100)],
  ] as const) {
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

  it('holds exactly the items of a list, past its counted length and short of it', () => {
    // The items are counted to the first white space: `rw ,nosuid` runs on past the count of 1, and an escaped
    // separator (\054) is a character of an item, not a separator.
    const [row] = parseProcPidMountinfo('22 1 0:21 / /a rw ,nosuid, nodev,x\\054y - tmpfs t1 a,b\n');
    expect(row!.mountOptions).toEqual(['rw', 'nosuid', 'nodev', 'x,y']);
    expect(row!.mountOptions.length).toBe(4);
    expect(flaw(row)).toBeUndefined();
    expect(row!.superOptions).toEqual(['a', 'b']);
  });
});

describe('items counted before they are read', () => {
  it('come out exactly, with and without a last separator', () => {
    for (const [text, items] of [
      ['', []],
      ['a', ['a']],
      ['a\0', ['a']],
      ['a\0b\0', ['a', 'b']],
      ['a\0b', ['a', 'b']],
      ['a\0\0b\0', ['a', '', 'b']],
      [`${'x\0'.repeat(3000)}`, new Array<string>(3000).fill('x')],
    ] as const) {
      const got = parseProcPidCmdline(Buffer.from(text, 'latin1'));
      expect(got).toEqual(items);
      expect(flaw(got)).toBeUndefined();
    }
  });
});

describe('fields a text lacks', () => {
  it('are absent from the object, in records made by a constructor too', () => {
    const text =
      '00400000-00401000 r-xp 00000000 fd:00 123 /bin/x\nSize: 4 kB\nRss: 4 kB\nShared_Clean: 0 kB\nShared_Dirty: 0 kB\nPrivate_Clean: 4 kB\nPrivate_Dirty: 0 kB\nReferenced: 4 kB\nAnonymous: 0 kB\nAnonHugePages: 0 kB\nSwap: 0 kB\nLocked: 0 kB\n';
    const [full, bare] = parseProcPidSmaps(`${text}VmFlags: rd ex\n${text.replace(' /bin/x', '')}`);
    expect(Object.getPrototypeOf(full)).toBe(Object.prototype);
    expect(full!.pathname).toBe('/bin/x');
    expect(full!.vmFlags).toEqual(['rd', 'ex']);
    expect('pathname' in bare!).toBe(false);
    expect('pss' in full!).toBe(false);
    expect('vmFlags' in bare!).toBe(false);
    expect(Object.keys(bare!)).toEqual(Object.keys(full!).filter((k) => k !== 'pathname' && k !== 'vmFlags'));
  });

  it('a list of tokens to the end of a short line and of a long one holds exactly its tokens', () => {
    const head =
      '00400000-00401000 r-xp 00000000 fd:00 123 /bin/x\nSize: 4 kB\nRss: 4 kB\nShared_Clean: 0 kB\nShared_Dirty: 0 kB\nPrivate_Clean: 4 kB\nPrivate_Dirty: 0 kB\nReferenced: 4 kB\nAnonymous: 0 kB\nAnonHugePages: 0 kB\nSwap: 0 kB\nLocked: 0 kB\n';
    // Counted first on a short line; grown by push on one of more than 256 characters.
    for (const flags of [['rd', 'ex', 'mr'], Array.from({ length: 120 }, (_, i) => `f${i}`)]) {
      const [block] = parseProcPidSmaps(`${head}VmFlags: ${flags.join(' ')}  \n`);
      expect(block!.vmFlags).toEqual(flags);
      expect(flaw(block)).toBeUndefined();
    }
  });

  it('leave no key holding undefined and no hole in any fixture of any spec', () => {
    let checked = 0;
    for (const f of findFixtures(registry)) {
      let v: unknown;
      try {
        v = f.spec.parse(readFileSync(f.file), contextOf({ file: f.file }));
      } catch (err) {
        if (err instanceof ProcfsError) continue;
        throw err;
      }
      expect(flaw(v), f.file).toBeUndefined();
      checked++;
    }
    expect(checked).toBeGreaterThan(100);
  });
});
