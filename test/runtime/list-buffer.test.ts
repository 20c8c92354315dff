/**
 * Lists read by generated parsers are gathered in a buffer reused from list
 * to list (runtime/list-buffer.ts): every list handed out is an array of its
 * own, of exactly its items, whatever was read before or after it.
 */
import { describe, expect, it } from 'vitest';
import { parseProcPidMountinfo } from '../../generated/parsers/proc/pid/mountinfo.js';
import { ListBuffer } from '../../runtime/list-buffer.js';

describe('ListBuffer', () => {
  it('hands out each list as a new array of exactly its items', () => {
    const b = new ListBuffer<number>();
    const long = b.start();
    for (let i = 0; i < 100; i++) long.add(i);
    const first = long.take();
    b.start().add(7);
    const second = b.take();
    expect(first).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(second).toEqual([7]);
    expect(b.start().take()).toEqual([]);
    second.push(8);
    expect(b.start().take()).toEqual([]);
  });

  it('gives the lists of parsed records arrays of their own', () => {
    const text = '22 1 0:21 / /a rw,nosuid,nodev shared:1 master:2 - tmpfs t1 rw,size=4k,mode=755\n23 22 0:22 / /b ro - proc p ro\n';
    const [a, b] = parseProcPidMountinfo(text);
    expect(a!.mountOptions).toEqual(['rw', 'nosuid', 'nodev']);
    expect(a!.optionalFields).toEqual(['shared:1', 'master:2']);
    expect(a!.superOptions).toEqual(['rw', 'size=4k', 'mode=755']);
    expect(b!.mountOptions).toEqual(['ro']);
    expect(b!.optionalFields).toEqual([]);
    expect(b!.superOptions).toEqual(['ro']);
    a!.mountOptions.push('changed');
    const again = parseProcPidMountinfo(text);
    expect(again[0]!.mountOptions).toEqual(['rw', 'nosuid', 'nodev']);
    expect(b!.mountOptions).toEqual(['ro']);
    expect(again[1]!.mountOptions).not.toBe(b!.mountOptions);
  });
});
