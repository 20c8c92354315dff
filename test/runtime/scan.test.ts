/** Scanner primitives the newer spec shapes rest on: escapes, variants, NUL items. */
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseProcMeminfo } from '../../generated/parsers/proc/meminfo.js';
import { parseProcDiskstats } from '../../generated/parsers/proc/diskstats.js';
import { parseProcLocks } from '../../generated/parsers/proc/locks.js';
import { parseProcPidEnviron } from '../../generated/parsers/proc/pid/environ.js';
import { parseProcPidCmdline } from '../../generated/parsers/proc/pid/cmdline.js';
import { parseProcNetSnmp } from '../../generated/parsers/proc/net/snmp.js';
import { contextOf } from '../../runtime/core/context.js';
import { ProcfsError } from '../../runtime/core/errors.js';
import { Scan } from '../../runtime/core/scan.js';
import { ScanText } from '../../runtime/core/scan/text.js';
import { thrown } from '../support/thrown.js';

const ctx = contextOf({ file: 'test-file' });

const parseErrorOf = (f: () => unknown): ProcfsError => thrown(f, ProcfsError);

describe('Scan.unescape', () => {
  it('decodes the octal escapes of mountinfo and swaps', () => {
    expect(Scan.unescape('/mnt/My\\040Disk')).toBe('/mnt/My Disk');
    expect(Scan.unescape('tab\\011dir\\012nl')).toBe('tab\tdir\nnl');
    expect(Scan.unescape('back\\134slash')).toBe('back\\slash');
  });
  it('decodes the letter escapes of a task name and reads escaped bytes as UTF-8', () => {
    expect(Scan.unescape('a\\nb\\\\c')).toBe('a\nb\\c');
    expect(Scan.unescape('caf\\303\\251')).toBe('café');
    expect(Scan.unescape('déjà\\040vu')).toBe('déjà vu');
  });
  it('leaves text without escapes, and a backslash that starts none, as it is', () => {
    expect(Scan.unescape('plain')).toBe('plain');
    expect(Scan.unescape('end\\')).toBe('end\\');
    expect(Scan.unescape('\\q')).toBe('\\q');
  });
  it('word readers that decode as they read give what unescape of the plain read gives, and the same errors', () => {
    const lines = ['/mnt/My\\040Disk rest', 'plain,rw,x\\054y next', 'caf\\303\\251\tz', 'end\\', 'déjà\\040vu', ',lead', ' gap'];
    const run = (line: string, read: (s: Scan) => string): string => {
      const s = new Scan(Buffer.from(`${line}\n`), 'f', 'spec');
      s.nextLine(s.end);
      try {
        return `${read(s)}|${s.pos}`;
      } catch (e) {
        return `error ${(e as ProcfsError).message}`;
      }
    };
    for (const line of lines) {
      expect(
        run(line, (s) => s.wordUnescaped()),
        line,
      ).toBe(run(line, (s) => Scan.unescape(s.word())));
      expect(
        run(line, (s) => s.wordToUnescaped(',')),
        line,
      ).toBe(run(line, (s) => Scan.unescape(s.wordTo(','))));
      expect(run(line, (s) => s.wordBeforeUnescaped(',', '='))).toBe(run(line, (s) => Scan.unescape(s.wordBefore(',', '='))));
    }
    expect(run('/mnt/My\\040Disk rest', (s) => s.wordUnescaped())).toBe('/mnt/My Disk|15');
    expect(run(' gap', (s) => s.wordUnescaped())).toMatch(/^error .*a word/);
  });
});

describe('variants', () => {
  it('a row that fits no variant reports where the closest one stopped', () => {
    const text = '1: POSIX  ADVISORY  WRITE 1402 fd:01:1835023 0 EOF\n2: -> POSIX  ADVISORY  SIDEWAYS 1 fd:01:1 0 EOF\n';
    const e = parseErrorOf(() => parseProcLocks(text, ctx));
    expect(e.line).toBe(2);
    expect(e.column).toBe(24);
    expect(e.message).toMatch(/^test-file:2:24: expected type: one of READ, WRITE/);
  });
  it('a disk line cut short is not mistaken for an old partition line', () => {
    const e = parseErrorOf(() => parseProcDiskstats('   8       0 sda 1 2 3 4 5\n', ctx));
    expect(e.line).toBe(1);
    expect(e.message).toMatch(/^test-file:1:/);
  });
});

describe('NUL-separated items', () => {
  it('keeps spaces and empty arguments, and needs no final NUL', () => {
    expect(parseProcPidCmdline('sleep\0\0a b\0', ctx)).toEqual(['sleep', '', 'a b']);
    expect(parseProcPidCmdline('nginx: worker process', ctx)).toEqual(['nginx: worker process']);
    expect(parseProcPidCmdline('', ctx)).toEqual([]);
  });
  it('splits environ entries at the first = only', () => {
    expect(parseProcPidEnviron('A=1\0B=x=y\0NOEQUALS\0', ctx)).toEqual([{ name: 'A', value: '1' }, { name: 'B', value: 'x=y' }, { name: 'NOEQUALS' }]);
  });
  it("finds an item's separator after items without one, and again after going back to an earlier item", () => {
    const s = new Scan('NO1\0NO2\0K=v\0X\0Y=z', '<test>', 'test');
    const seps = (): number[] => {
      const out: number[] = [];
      while (s.nextItem(s.end, '\0')) out.push(s.itemSep('='));
      return out;
    };
    const m = s.mark();
    expect(seps()).toEqual([-1, -1, 9, -1, 15]);
    s.reset(m);
    expect(seps()).toEqual([-1, -1, 9, -1, 15]);
    // An item longer than the 32 characters findIn searches byte by byte, its = far from its start.
    const long = `${'a'.repeat(40)}=b\0${'c'.repeat(40)}`;
    const t = new Scan(long, '<test>', 'test');
    expect(t.nextItem(t.end, '\0') && t.itemSep('=')).toBe(40);
    expect(t.nextItem(t.end, '\0') && t.itemSep('=')).toBe(-1);
  });
});

describe('keyed lines: the key expected next and the key looked up agree', () => {
  const text = readFileSync('/proc/meminfo', 'utf8');
  const lines = text.trimEnd().split('\n');
  it('lines in any order, and keys padded before ":", give the same values', () => {
    const inOrder = parseProcMeminfo(text, ctx);
    expect(parseProcMeminfo(`${[...lines].reverse().join('\n')}\n`, ctx)).toEqual(inOrder);
    expect(parseProcMeminfo(`${lines.map((l) => l.replace(':', ' :')).join('\n')}\n`, ctx)).toEqual(inOrder);
  });
  it('a key that only starts like the expected one is not taken for it', () => {
    // "MemTotalX" begins with "MemTotal" but is another key (kept in extra).
    const r = parseProcMeminfo(`MemTotalX: 1 kB\n${text}`, ctx);
    expect(r.memTotal).toBe(parseProcMeminfo(text, ctx).memTotal);
    expect(r.extra?.MemTotalX).toBeDefined();
  });
  it('a number line read in one call fails where the separate steps failed', () => {
    const at = (line: string) => {
      const e = parseErrorOf(() => parseProcMeminfo(`${line}\n${text}`, ctx));
      return [e.line, e.column, e.expected];
    };
    expect(at('MemTotal:   x kB')).toEqual([1, 13, 'a decimal integer']);
    expect(at('MemTotal:   12 MB')).toEqual([1, 16, '"kB"']);
    expect(at('MemTotal:   12 kB 3')).toEqual([1, 19, 'end of line']);
    expect(at('MemTotal:   18446744073709551616 kB')).toEqual([1, 13, 'an integer below 2^64']);
    // Beyond 2^53 bytes the size is the nearest double of the count times 1024, not an error.
    expect(parseProcMeminfo(`${text}`.replace(/^MemTotal:.*$/m, 'MemTotal:   9007199254740991 kB'), ctx).memTotal).toBe(Number('9007199254740991') * 1024);
  });
  it('a number line read whole in one pass (keyedNumber) gives what the steps give, and leaves any other line to them', () => {
    const inOrder = parseProcMeminfo(text, ctx);
    // Tabs, more spaces, a trailing space, no newline at the end: each value as before.
    const variants = [lines.map((l) => l.replace(/:\s+/, ':\t\t')).join('\n'), `${lines.map((l) => l.replace(' kB', ' kB ')).join('\n')}\n`, lines.join('\n')];
    for (const v of variants) expect(parseProcMeminfo(v, ctx)).toEqual(inOrder);
    const scan = (t: string) => {
      const sc = new Scan(Buffer.from(t), 'f', 'spec');
      return sc;
    };
    const key = Scan.keyBytes(['MemFree'])[0]!;
    const ok = scan('MemFree:   12 kB\nX: 1\n');
    expect(ok.keyedNumber(ok.end, key, 58, 1024, 'kB')).toBe(12 * 1024);
    expect([ok.line, ok.ls, ok.le, ok.nl, ok.pos]).toEqual([1, 0, 16, 17, 16]);
    // Refused, with the cursor where it was: another key, a longer key, no unit, another unit, 16 digits, a factor of 0, past `end`.
    for (const [t, end] of [
      ['MemFreeX: 12 kB\n', 0],
      ['MemFree: 12\n', 0],
      ['MemFree: 12 MB\n', 0],
      ['MemFree: 1234567890123456 kB\n', 0],
      ['MemFree: 12 kB\n', 10],
    ] as const) {
      const sc = scan(t);
      expect(sc.keyedNumber(end || sc.end, key, 58, 1024, 'kB'), t).toBe(-1);
      expect([sc.line, sc.nl, sc.pos]).toEqual([0, 0, 0]);
    }
    const z = scan('MemFree: 12 kB\n');
    expect(z.keyedNumber(z.end, key, 58, 0, 'kB')).toBe(-1);
    // A space-separated key (vmstat) and a value with no unit.
    const vm = scan('nr_free_pages 4242');
    expect(vm.keyedNumber(vm.end, Scan.keyBytes(['nr_free_pages'])[0]!, 32, 1, '')).toBe(4242);
    expect(vm.keyedNumber(vm.end, Scan.keyBytes(['nr_free_pages'])[0]!, 32, 1, '')).toBe(-1);
  });
  it('a repeated key is an error on either path', () => {
    expect(parseErrorOf(() => parseProcMeminfo(`${lines[0]}\n${lines[0]}\n${text}`, ctx)).line).toBe(2);
  });
});

describe('Scan numbers at their limits', () => {
  const read = (text: string, f: (s: Scan) => unknown) => {
    const s = new Scan(text, 'test-file', 'test');
    s.wholeLine();
    return f(s);
  };

  it('f: what Number() gives the token, read from the bytes or from the text, and the same errors', () => {
    const tokens = [
      '0.52',
      '1.00',
      '12.5',
      '-3.25',
      '+0.5',
      '.5',
      '5.',
      '-0.0',
      '0',
      '123456789012345',
      '1234567890.12345',
      '0.000000000000001',
      '9007199254740993.5',
      '1e5',
      '1.5e-3',
      '00000000000000012.5',
    ];
    for (let i = 0; i < 500; i++) {
      const int = String(Math.floor(Math.random() * 10 ** (i % 9)));
      const frac = String(Math.floor(Math.random() * 10 ** (i % 7))).padStart(i % 7, '0');
      tokens.push(`${i % 3 === 0 ? '-' : ''}${int}.${frac}`);
    }
    for (const t of tokens)
      expect(
        read(`${t} x`, (s) => s.f()),
        t,
      ).toBe(Number(t));
    for (const bad of ['.', '-', '1.2.3', '1-2', '+-1', 'e5']) expect(parseErrorOf(() => read(bad, (s) => s.f())).expected, bad).toBe('a decimal number');
  });

  it('atWord: whether the token at the cursor is the text, as peek() === text', () => {
    const at = (line: string, t: string): [boolean, boolean] => read(line, (s) => [s.atWord(t), s.peek() === t]) as [boolean, boolean];
    for (const [line, t] of [
      ['-1 2', '-1'],
      ['-12 2', '-1'],
      ['-1', '-1'],
      ['-', '-1'],
      ['', '-1'],
      ['-1\t3', '-1'],
      ['x-1', '-1'],
    ]) {
      const [a, b] = at(line!, t!);
      expect(a, line).toBe(b);
    }
  });

  it('hexNum: exact up to 2^53 - 1 in any number of digits, the nearest double above up to 16 digits, with or without 0x', () => {
    expect(read('fffffffffffff', (s) => s.hexNum())).toBe(2 ** 52 - 1);
    expect(read('0x1fffffffffffff', (s) => s.hexNum())).toBe(Number.MAX_SAFE_INTEGER);
    expect(read('0000000000000001', (s) => s.hexNum())).toBe(1);
    expect(read('20000000000001', (s) => s.hexNum())).toBe(Number(0x20000000000001n));
    expect(read('ffffffffffffffff', (s) => s.hexNum())).toBe(Number(2n ** 64n - 1n));
    expect(parseErrorOf(() => read('10000000000000000', (s) => s.hexNum())).expected).toBe('a hexadecimal integer below 2^64');
    expect(parseErrorOf(() => read('0x', (s) => s.hexNum())).expected).toBe('a hexadecimal integer');
    expect(parseErrorOf(() => read('xyz', (s) => s.hexNum())).column).toBe(1);
  });

  it('skipWords steps over words and fails where one is missing', () => {
    expect(read('a  bb\tccc d', (s) => (s.skipWords(3), s.pos))).toBe(9);
    const err = parseErrorOf(() => read('a b   ', (s) => s.skipWords(3)));
    expect([err.expected, err.column]).toEqual(['a word', 7]);
  });

  it('hex64: every width up to 16 digits exact, zero, 2^64 - 1, refused at 17 digits', () => {
    expect(read('ffffffffffffffff', (s) => s.hex64())).toBe(2n ** 64n - 1n);
    expect(read('0000000000000000', (s) => s.hex64())).toBe(0n);
    expect(read('0x8000000000000000', (s) => s.hex64())).toBe(2n ** 63n);
    expect(read('00000000a7aa4fd3', (s) => s.hex64())).toBe(0xa7aa4fd3n);
    expect(read('ffff8f3a12345678', (s) => s.hex64())).toBe(0xffff8f3a12345678n);
    for (let digits = 1; digits <= 16; digits++) {
      const text = 'fedcba9876543210'.slice(0, digits);
      expect(
        read(text, (s) => s.hex64()),
        text,
      ).toBe(BigInt(`0x${text}`));
    }
    expect(parseErrorOf(() => read('10000000000000000', (s) => s.hex64())).expected).toBe('a hexadecimal integer below 2^64');
  });

  it('inet: IPv4 in host order (little-endian) and network order, the same text when read again', () => {
    for (let i = 0; i < 2; i++) {
      expect(read('0100007F', (s) => s.inet('host', true))).toBe('127.0.0.1');
      expect(read('0100007F', (s) => s.inet('network', true))).toBe('1.0.0.127');
      expect(read('0100007F', (s) => s.inet('host', false))).toBe('1.0.0.127');
      expect(read('FFFFFFFF', (s) => s.inet('host', true))).toBe('255.255.255.255');
      expect(read('00000000', (s) => s.inet('host', true))).toBe('0.0.0.0');
    }
    expect(read('0000000000000000FFFF00000100007F', (s) => s.inet('host', true))).toBe('::ffff:127.0.0.1');
    expect(parseErrorOf(() => read('0100007', (s) => s.inet('host', true))).expected).toBe('an address of 8 or 32 hex digits');
  });

  it('uList reads a line of unsigned integers, with the errors of u and sep', () => {
    expect(read('1 22\t333   4444  ', (s) => s.uList())).toEqual([1, 22, 333, 4444]);
    expect(read('', (s) => s.uList())).toEqual([]);
    expect(read('   ', (s) => s.uList())).toEqual([]);
    expect(read('7 9007199254740991', (s) => s.uList())).toEqual([7, 9007199254740991]);
    const at = (text: string) => {
      const err = parseErrorOf(() => read(text, (s) => s.uList()));
      return [err.column, err.expected];
    };
    expect(at('1 x 3')).toEqual([3, 'a decimal integer']);
    expect(at('1 2x 3')).toEqual([4, 'white space']);
    expect(at('1 -2')).toEqual([3, 'a decimal integer']);
    expect(read('1 9007199254740993', (s) => s.uList())).toEqual([1, Number('9007199254740993')]);
    expect(at('1 18446744073709551616')).toEqual([3, 'an integer below 2^64']);
  });

  it('findIn and findLastIn find a character inside the range only, short or long', async () => {
    const { findIn, findLastIn } = await import('../../runtime/core/scan.js');
    expect(findLastIn('1 (a) b) c) d', ')', 0, 13)).toBe(10);
    expect(findLastIn('1 (a) b) c) d', ')', 0, 9)).toBe(7);
    expect(findLastIn('))x', ')', 2, 3)).toBe(-1);
    expect(findLastIn('abab', 'ab', 0, 4)).toBe(2);
    expect(findIn('1 (a) b) c) d', ')', 5, 13)).toBe(7);
    expect(findIn('1 (a) b) c) d', ')', 8, 10)).toBe(-1);
    // A long range is searched by indexOf in a slice: still bounded by the range.
    const long = `${'x'.repeat(1000)}:${'y'.repeat(10)}`;
    expect(findIn(long, ':', 0, 1000)).toBe(-1);
    expect(findIn(long, ':', 0, 1001)).toBe(1000);
    expect(findIn(long, ':', 700, 1011)).toBe(1000);
  });
});

describe('Scan over bytes', () => {
  const first = (text: string | Uint8Array, f: (s: Scan) => unknown) => {
    const s = new Scan(text, 'test-file', 'test');
    s.nextLine(s.end);
    return f(s);
  };

  it('reads the same from a string and from its UTF-8 bytes', () => {
    const text = 'café  42 naïve\t7 plain\n';
    const read = (s: Scan) => [s.word(), (s.ws(), s.u()), (s.ws(), s.word()), (s.ws(), s.u()), (s.ws(), s.word())];
    expect(first(text, read)).toEqual(['café', 42, 'naïve', 7, 'plain']);
    expect(first(new TextEncoder().encode(text), read)).toEqual(['café', 42, 'naïve', 7, 'plain']);
    expect(first(Buffer.from(text), read)).toEqual(['café', 42, 'naïve', 7, 'plain']);
  });

  it('keeps a byte that is not UTF-8 as U+DC80 + (byte - 0x80), not U+FFFD (see bytes.test.ts)', () => {
    const bytes = Buffer.from([0x61, 0xff, 0x62, 0x20, 0x31, 0x0a]);
    expect(first(bytes, (s) => [s.word(), (s.ws(), s.u())])).toEqual(['a\udcffb', 1]);
  });

  it('counts error columns in characters, not bytes', () => {
    const at = (text: string | Uint8Array) => parseErrorOf(() => first(text, (s) => (s.word(), s.ws(), s.u())));
    for (const text of ['née x\n', Buffer.from('née x\n')]) {
      const err = at(text);
      expect([err.line, err.column, err.found]).toEqual([1, 5, 'x']);
    }
    // The token shown is cut at 40 bytes or so, never inside a character.
    const err = parseErrorOf(() => first(`a ${'é'.repeat(30)}\n`, (s) => (s.word(), s.ws(), s.u())));
    expect((err.found ?? '').replace('…', '')).toMatch(/^é+$/);
  });

  it('reads a Uint8Array view with an offset (a slice of a bigger buffer)', () => {
    const all = Buffer.from('junk 1 2 3\nMemTotal: 5 kB\n');
    const view = new Uint8Array(all.buffer, all.byteOffset + 11, all.length - 11);
    expect(first(view, (s) => [s.key('colon'), s.uLine(1024, 'kB')])).toEqual(['MemTotal', 5120]);
  });
});

describe('values kept from a large text', () => {
  it('do not keep the text alive (V8 slices of 13 characters or more would)', () => {
    const run = (count: number, what: string) =>
      JSON.parse(
        execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', join(import.meta.dirname, '..', 'support', 'retained.ts'), String(count), what], {
          encoding: 'utf8',
        }),
      ) as {
        kept: number;
        length: number;
        grew: number;
        text: number;
      };
    const mounts = run(30, 'mountPoint');
    const none = run(30, 'none');
    expect(mounts.length).toBeGreaterThanOrEqual(13);
    // Thirty texts of 1.1 MB kept alive would be 33 MB more; thirty strings of 33 characters are a few kB.
    expect(mounts.grew - none.grew, JSON.stringify({ mounts, none })).toBeLessThan(mounts.text);
  });
});

describe('Scan.cpulist', () => {
  const list = (t: string): number[] => {
    const s = new Scan(Buffer.from(`${t}\n`), 'test-file', 'test', false);
    s.nextLine(t.length + 1);
    return s.cpulist();
  };
  it('expands ranges and single numbers in order', () => {
    expect(list('0-3,8,10-11')).toEqual([0, 1, 2, 3, 8, 10, 11]);
    expect(list('')).toEqual([]);
    expect(list('0-1048575')).toHaveLength(2 ** 20);
  });
  it('gives lists made anew each call, the same after a long one, and after an error', () => {
    const a = list('0-1');
    expect(list('0-5000')).toHaveLength(5001);
    expect(() => list('0-3,2-5')).toThrow();
    const b = list('0-1');
    expect(a).toEqual([0, 1]);
    expect(b).toEqual([0, 1]);
    expect(b).not.toBe(a);
  });
  it('refuses numbers no kernel prints and parts out of order, so no text makes the list unbounded', () => {
    // Past 2^53 a double's c++ is c: this range once never ended.
    expect(parseErrorOf(() => list('9007199254740992-9007199254740993')).expected).toBe('a CPU or node number below 1048576');
    expect(parseErrorOf(() => list('0-1048576')).expected).toBe('a CPU or node number below 1048576');
    expect(parseErrorOf(() => list('0-3,2-5')).column).toBe(5);
    expect(parseErrorOf(() => list('5,3')).expected).toBe('a CPU or node number above 5 and below 1048576');
    expect(parseErrorOf(() => list('4-2')).expected).toBe('a CPU or node number above 3 and below 1048576');
  });
});

describe('end marks that may be missing (optionalEnd)', () => {
  const line = (text: string, f: (s: Scan) => unknown) => {
    const s = new Scan(text, 'test-file', 'test');
    s.nextLine(s.end);
    return f(s);
  };

  it('uLine reads a number with or without its optional suffix, in the fast pass and step by step', () => {
    for (const text of ['0 nsecs\n', '0\n', '  7  nsecs \n', '7 \n']) {
      expect(
        line(text, (s) => s.uLine(1, 'nsecs', true)),
        text,
      ).toBe(text.includes('7') ? 7 : 0);
    }
    // Without `optional` the suffix stays required; a word that only begins with it is no suffix.
    expect(parseErrorOf(() => line('0\n', (s) => s.uLine(1, 'nsecs'))).expected).toBe('"nsecs"');
    expect(parseErrorOf(() => line('0 nsecsX\n', (s) => s.uLine(1, 'nsecs', true))).found).toBe('nsecsX');
    expect(line('5 kB\n', (s) => s.uLineW(1024, 'kB', true))).toBe(5120);
  });

  it('optLit steps over a whole word only', () => {
    expect(line('12 nsecs x\n', (s) => [s.u(), (s.optLit('nsecs'), s.more() && s.word())])).toEqual([12, 'x']);
    expect(line('12 nsecsx\n', (s) => [s.u(), (s.optLit('nsecs'), s.more() && s.word())])).toEqual([12, 'nsecsx']);
  });

  it('charOrEnd takes the terminator or the end of the line, and refuses anything else', () => {
    expect(line('S:01, more\n', (s) => [(s.lit('S:'), s.hexNum()), (s.charOrEnd(','), s.more() && s.word())])).toEqual([1, 'more']);
    expect(line('S:01  \n', (s) => [(s.lit('S:'), s.hexNum()), (s.charOrEnd(','), s.more())])).toEqual([1, false]);
    const err = parseErrorOf(() => line('S:01 more\n', (s) => (s.lit('S:'), s.hexNum(), s.charOrEnd(','))));
    expect([err.expected, err.column]).toEqual(['"," or the end of the line', 5]);
  });

  it('untilOrEnd reads up to the terminator, or the rest of the line', () => {
    expect(line('a b, c\n', (s) => [s.untilOrEnd(','), s.rest()])).toEqual(['a b', 'c']);
    expect(line('a b\n', (s) => [s.untilOrEnd(','), s.more()])).toEqual(['a b', false]);
  });
});

describe('one shape for every scanner', () => {
  // Generated parsers' calls to Scan's methods stay monomorphic only while every scanner has the same fields in the same order, all set by the base class (runtime/core/scan/text.ts).
  it('has the fields of the base class, in one order, whatever the text', () => {
    const base = Object.keys(new ScanText('', 'f', 'spec'));
    expect(base.length).toBeGreaterThan(10);
    const texts = ['a b\n', 'café\n', 'a\udcffb\n', '', Buffer.from('a b\n'), new TextEncoder().encode('x\n'), Buffer.alloc(2000, 0x61)];
    for (const text of texts) {
      expect(Object.keys(new Scan(text, 'f', 'spec'))).toEqual(base);
      expect(Object.keys(new Scan(text, 'f', 'spec', true))).toEqual(base);
    }
  });
});

describe('column names (Scan.columns): a header line seen before is answered from its last reading', () => {
  const fixture = readFileSync(join(import.meta.dirname, '../fixtures/proc/net/snmp/written-6.18-x86_64-many-icmp-types.txt'), 'utf8');
  const NAMES =
    'RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens PassiveOpens AttemptFails EstabResets CurrEstab InSegs OutSegs RetransSegs InErrs OutRsts InCsumErrors';
  const VALUES = '1 200 120000 -1 129 4 1 0 0 10998 7349 0 0 222 0';
  const tcp = (names: string, values: string): string => fixture.replace(/^Tcp: .*\nTcp: .*\n/m, `Tcp: ${names}\nTcp: ${values}\n`);
  /** The Tcp lines with their columns in reverse order. */
  const reversed = (names: string, values: string): string => tcp(names.split(' ').reverse().join(' '), values.split(' ').reverse().join(' '));

  it("the same text parsed again gives the same value, IcmpMsg's two header lines included", () => {
    const first = parseProcNetSnmp(fixture);
    for (let i = 0; i < 3; i++) expect(parseProcNetSnmp(fixture)).toEqual(first);
    expect(Object.keys(first.icmpMsg?.types ?? {}).length).toBe(18);
  });

  it('a header that changes between reads (another order, a name the spec does not describe) is read anew', () => {
    const a = parseProcNetSnmp(tcp(NAMES, VALUES));
    expect(a.tcp).toMatchObject({ rtoAlgorithm: 1, rtoMin: 0.2, rtoMax: 120, maxConn: -1, outRsts: 222 });
    // The same names in the reverse order: each value goes with its name, not its place.
    expect(parseProcNetSnmp(reversed(NAMES, VALUES)).tcp).toEqual(a.tcp);
    // One more name, unknown to the spec: its value goes to extra.
    const c = parseProcNetSnmp(tcp(`${NAMES} TcpNewCounter`, `${VALUES} 7`));
    expect(c.tcp).toEqual({ ...a.tcp, extra: { TcpNewCounter: 7 } });
    // And back to the first: still right after the header cache has moved on.
    expect(parseProcNetSnmp(tcp(NAMES, VALUES)).tcp).toEqual(a.tcp);
  });

  it('a line of values shorter than its header fails at the column it lacks, from a header seen before too', () => {
    const text = tcp(NAMES, VALUES.replace(/ 0$/, ''));
    for (let i = 0; i < 2; i++) expect(thrown(() => parseProcNetSnmp(text), ProcfsError).message).toMatch(/a value for the column "InCsumErrors"/);
  });
});
