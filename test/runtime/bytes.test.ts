/** Strings of bytes that need not be UTF-8: decoded as Python's surrogateescape does, and given back byte for byte. */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bytesOf,
  decodeBytes,
  parseProcPidCmdline,
  parseProcPidMaps,
  parseProcPidMountinfo,
  parseProcNetUnix,
  ProcFs,
  readFileAsync as readTextAsync,
  readFileSync as readTextSync,
  toJson,
} from '../../runtime/index.js';

const b = (...xs: number[]): Buffer => Buffer.from(xs);
/** The escape of byte x. */
const esc = (...xs: number[]): string => String.fromCharCode(...xs.map((x) => 0xdc00 + x));

const python = spawnSync('python3', ['-c', 'print(1)'], { encoding: 'utf8' }).stdout?.trim() === '1';

describe('decodeBytes', () => {
  it('decodes every byte alone: ASCII as itself, 0x80-0xFF as U+DC80..U+DCFF', () => {
    for (let x = 0; x < 256; x++) {
      const s = decodeBytes(b(x));
      expect(s).toBe(x < 0x80 ? String.fromCharCode(x) : esc(x));
      expect(bytesOf(s)).toEqual(b(x));
    }
  });

  it('keeps valid UTF-8 as it is: 2-, 3- and 4-byte sequences, the highest code point, a U+FFFD of the text', () => {
    for (const text of ['héllo wörld', '日本語のテキスト', 'emoji 😀 and 𝄞', '\u{10FFFF}', 'a\uFFFDb', '\u0080\u07FF\u0800\uFFFF\u{10000}']) {
      const bytes = Buffer.from(text, 'utf8');
      expect(decodeBytes(bytes)).toBe(text);
      expect(bytesOf(text)).toEqual(bytes);
    }
    expect(decodeBytes(b(0xf0, 0x9f, 0x98, 0x80))).toBe('😀');
    expect(decodeBytes(b(0xf4, 0x8f, 0xbf, 0xbf))).toBe('\u{10FFFF}');
    // U+FFFD the text holds, beside an invalid byte: the one stays U+FFFD, the other is escaped.
    expect(decodeBytes(b(0xef, 0xbf, 0xbd, 0xff))).toBe(`\uFFFD${esc(0xff)}`);
  });

  it('escapes each byte of a truncated sequence, and goes on with the next valid one', () => {
    expect(decodeBytes(b(0xe2, 0x82))).toBe(esc(0xe2, 0x82));
    expect(decodeBytes(b(0xe2, 0x82, 0x41))).toBe(`${esc(0xe2, 0x82)}A`);
    expect(decodeBytes(b(0xf0, 0x9f, 0x98))).toBe(esc(0xf0, 0x9f, 0x98));
    expect(decodeBytes(b(0xf0, 0x9f, 0x98, 0xe2, 0x82, 0xac))).toBe(`${esc(0xf0, 0x9f, 0x98)}€`);
    expect(decodeBytes(b(0xc3))).toBe(esc(0xc3));
    expect(decodeBytes(b(0x80, 0xbf))).toBe(esc(0x80, 0xbf));
  });

  it('escapes overlong forms, encoded surrogates and code points beyond U+10FFFF', () => {
    expect(decodeBytes(b(0xc0, 0xaf))).toBe(esc(0xc0, 0xaf));
    expect(decodeBytes(b(0xc1, 0xbf))).toBe(esc(0xc1, 0xbf));
    expect(decodeBytes(b(0xe0, 0x80, 0xaf))).toBe(esc(0xe0, 0x80, 0xaf));
    expect(decodeBytes(b(0xf0, 0x80, 0x80, 0xaf))).toBe(esc(0xf0, 0x80, 0x80, 0xaf));
    expect(decodeBytes(b(0xed, 0xa0, 0x80))).toBe(esc(0xed, 0xa0, 0x80));
    expect(decodeBytes(b(0xed, 0xbf, 0xbf))).toBe(esc(0xed, 0xbf, 0xbf));
    expect(decodeBytes(b(0xed, 0x9f, 0xbf))).toBe('\uD7FF');
    expect(decodeBytes(b(0xf4, 0x90, 0x80, 0x80))).toBe(esc(0xf4, 0x90, 0x80, 0x80));
    expect(decodeBytes(b(0xf5, 0x80, 0x80, 0x80))).toBe(esc(0xf5, 0x80, 0x80, 0x80));
  });

  it('decodes a slice, and bytes given as a plain Uint8Array', () => {
    const u = new Uint8Array([0x61, 0xff, 0xc3, 0xa9, 0x62]);
    expect(decodeBytes(u)).toBe(`a${esc(0xff)}éb`);
    expect(decodeBytes(u, 1, 4)).toBe(`${esc(0xff)}é`);
  });

  it('gives bytes back for any bytes (a pair whose low half lies in U+DC80..U+DCFF included)', () => {
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 48 }),
      // Mostly valid UTF-8 with stray bytes, where the two kinds meet.
      fc
        .array(
          fc.oneof(
            fc.string({ unit: 'grapheme', maxLength: 4 }).map((s) => [...Buffer.from(s, 'utf8')]),
            fc.integer({ min: 0x80, max: 0xff }).map((x) => [x]),
          ),
          { maxLength: 12 },
        )
        .map((xs) => Uint8Array.from(xs.flat())),
    );
    fc.assert(
      fc.property(bytes, (u) => {
        expect(bytesOf(decodeBytes(u))).toEqual(Buffer.from(u));
      }),
      { numRuns: 2000 },
    );
    expect(decodeBytes(b(0xf0, 0x90, 0x82, 0x80))).toBe('\uD800\uDC80');
    expect(bytesOf('\uD800\uDC80')).toEqual(b(0xf0, 0x90, 0x82, 0x80));
  });

  it('writes a lone surrogate other than an escaped byte as U+FFFD, as UTF-8 does', () => {
    expect(bytesOf(`\uD800A${esc(0xff)}\uDC00`)).toEqual(b(0xef, 0xbf, 0xbd, 0x41, 0xff, 0xef, 0xbf, 0xbd));
  });

  it.skipIf(!python)("agrees with Python's surrogateescape on every one- and two-byte text and on random ones", () => {
    const inputs: Buffer[] = [];
    for (let x = 0; x < 256; x++) for (let y = 0; y < 256; y++) inputs.push(b(x, y));
    fc.sample(fc.uint8Array({ minLength: 1, maxLength: 16 }), { numRuns: 5000, seed: 42 }).forEach((u) => {
      inputs.push(Buffer.from(u));
    });
    for (const lead of [0xe0, 0xed, 0xf0, 0xf4]) for (let y = 0x80; y < 0xc0; y++) inputs.push(b(lead, y, 0x80, 0x80));
    const script = 'import sys, json\nfor line in sys.stdin:\n    print(json.dumps(bytes.fromhex(line.strip()).decode("utf-8", "surrogateescape")))';
    const r = spawnSync('python3', ['-c', script], { input: inputs.map((x) => x.toString('hex')).join('\n'), encoding: 'utf8', maxBuffer: 1 << 26 });
    const theirs = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as string);
    expect(theirs.length).toBe(inputs.length);
    const differ = inputs.filter((x, i) => decodeBytes(x) !== theirs[i]).map((x) => x.toString('hex'));
    expect(differ).toEqual([]);
  });
});

describe('strings of parsed files', () => {
  const args = [b(0x2f, 0x62, 0x69, 0x6e, 0x2f, 0xff), b(0x63, 0x61, 0x66, 0xc3, 0xa9), b(0xed, 0xa0, 0x80, 0x20, 0x78), b(0xe2, 0x82), Buffer.from('plain')];
  const cmdline = Buffer.concat(args.flatMap((a) => [a, b(0)]));

  it('keeps the bytes of each cmdline argument, from bytes and from the string decodeBytes made', () => {
    const parsed = parseProcPidCmdline(cmdline);
    expect(parsed.map(bytesOf)).toEqual(args);
    expect(parsed[1]).toBe('café');
    expect(parsed[4]).toBe('plain');
    expect(parseProcPidCmdline(decodeBytes(cmdline))).toEqual(parsed);
  });

  it('keeps the bytes of paths in maps, net/unix and mountinfo, escaped (\\040, \\377) or not', () => {
    const path = b(0x2f, 0x74, 0x6d, 0x70, 0x2f, 0xfe, 0x2e, 0x73, 0x6f);
    const maps = Buffer.concat([Buffer.from('7f0000000000-7f0000001000 r--p 00000000 08:01 123                        '), path, b(0x0a)]);
    expect(bytesOf(parseProcPidMaps(maps)[0]!.pathname!)).toEqual(path);

    const unix = Buffer.concat([
      Buffer.from('Num       RefCount Protocol Flags    Type St Inode Path\n0000000000000000: 00000002 00000000 00010000 0001 01 12345 '),
      path,
      b(0x0a),
    ]);
    const row = parseProcNetUnix(unix)[0]!;
    expect(bytesOf(row.path!)).toEqual(path);

    // A mount point with a space (escaped as \040), a raw byte 0xFF and an escaped \377.
    const mountinfo = Buffer.concat([Buffer.from('36 35 98:0 / /mnt/a\\040b'), b(0xff), Buffer.from('\\377 rw,noatime master:1 - ext3 /dev/root rw\n')]);
    const point = parseProcPidMountinfo(mountinfo)[0]!.mountPoint;
    expect(bytesOf(point)).toEqual(Buffer.concat([Buffer.from('/mnt/a b'), b(0xff, 0xff)]));
    expect(point).toBe(`/mnt/a b${esc(0xff, 0xff)}`);
  });

  it('keeps them in the text readFileSync and readFileAsync return, which parses as the bytes do', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'procspec-bytes-'));
    try {
      writeFileSync(join(dir, 'cmdline'), cmdline);
      const sync = readTextSync(join(dir, 'cmdline'));
      expect(bytesOf(sync)).toEqual(cmdline);
      expect(bytesOf(await readTextAsync(join(dir, 'cmdline')))).toEqual(cmdline);
      expect(parseProcPidCmdline(sync).map(bytesOf)).toEqual(args);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps such strings through JSON: toJson writes \\udcXX, which JSON.parse reads back', () => {
    const parsed = parseProcPidCmdline(cmdline);
    const json = toJson(parsed);
    expect(json).toContain('\\udcff');
    expect(/[^\x00-\x7f]/.test(json.replace(/café/g, ''))).toBe(false);
    expect((JSON.parse(json) as string[]).map(bytesOf)).toEqual(args);
  });
});

describe.skipIf(!python)('a live process whose argv and environment are not UTF-8', () => {
  it('reads its cmdline and environ through ProcFs, and bytesOf gives the exact bytes', async () => {
    const argv = [
      b(0x70, 0x79),
      Buffer.from('-c'),
      Buffer.from('import time; time.sleep(60)'),
      b(0xff, 0xfe, 0x2d, 0x61),
      b(0x63, 0x61, 0x66, 0xc3, 0xa9),
      b(0xed, 0xa0, 0x80),
      b(0xc0, 0xaf, 0x20, 0x7a),
    ];
    const env = [
      [Buffer.from('PROCSPEC_BYTES'), b(0xff, 0x80, 0x76, 0xe2, 0x82)],
      [b(0x4e, 0xe9), Buffer.from('latin-1 name')],
    ] as const;
    // Python hands bytes to execve(2) as they are: no encoding on the way.
    const hex = (x: Buffer): string => `bytes.fromhex('${x.toString('hex')}')`;
    const script = `import os, sys\nos.execve(sys.executable, [${argv.map(hex).join(', ')}], {${env.map(([k, v]) => `${hex(k)}: ${hex(v)}`).join(', ')}})`;
    const child = spawn('python3', ['-c', script], { stdio: 'ignore' });
    try {
      const pid = child.pid!;
      const want = Buffer.concat(argv.flatMap((a) => [a, b(0)]));
      // Wait for the execve: until then the cmdline is the first python's.
      for (let i = 0; i < 200 && !readFileSync(`/proc/${pid}/cmdline`).equals(want); i++) await new Promise((r) => setTimeout(r, 25));
      expect(readFileSync(`/proc/${pid}/cmdline`)).toEqual(want);

      const proc = new ProcFs();
      expect(proc.read('proc/pid/cmdline', { pid }).map(bytesOf)).toEqual(argv);
      expect((await proc.readAsync('proc/pid/cmdline', { pid })).map(bytesOf)).toEqual(argv);
      const environ = proc.read('proc/pid/environ', { pid });
      expect(environ.map((v) => [bytesOf(v.name), bytesOf(v.value ?? '')])).toEqual(env.map(([k, v]) => [k, v]));
      const rows = proc.processes({ groups: ['cmdline'], select: { pid } }).rows;
      expect((rows[0]?.cmdline ?? []).map(bytesOf)).toEqual(argv);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
