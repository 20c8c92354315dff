import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProcfsError } from '../../runtime/core/errors.js';
import {
  AT_CLKTCK,
  AT_PAGESZ,
  DEFAULT_CLOCK_TICK,
  DEFAULT_PAGE_SIZE,
  compareKernel,
  kernelRelease,
  liveSystemFacts,
  parseAuxv,
  parseKernelRelease,
  readAuxv,
  systemFacts,
} from '../../runtime/reading/system.js';
import { thrown } from '../support/thrown.js';

const sh = (cmd: string, ...args: string[]): string => execFileSync(cmd, args, { encoding: 'utf8' }).trim();

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'procspec-system-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Makes a fake procfs root with the given files (relative path -> content). */
function fakeRoot(name: string, files: Record<string, string | Buffer>): string {
  const root = path.join(dir, name);
  for (const [rel, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), content);
  }
  fs.mkdirSync(root, { recursive: true });
  return root;
}

/** Encodes auxv pairs (AT_NULL added) in the given layout. */
function auxv(pairs: [number, number][], wordSize: 4 | 8, littleEndian: boolean): Buffer {
  const all = [...pairs, [0, 0] as [number, number]];
  const buf = Buffer.alloc(all.length * 2 * wordSize);
  all.flat().forEach((v, i) => {
    const off = i * wordSize;
    if (wordSize === 8) littleEndian ? buf.writeBigUInt64LE(BigInt(v), off) : buf.writeBigUInt64BE(BigInt(v), off);
    else littleEndian ? buf.writeUInt32LE(v, off) : buf.writeUInt32BE(v, off);
  });
  return buf;
}

const failure = (f: () => unknown): ProcfsError => thrown(f, ProcfsError);

describe('auxv', () => {
  it('on this machine, page size and clock tick match getconf', () => {
    const a = readAuxv('/proc');
    expect(a.pageSize).toBe(Number(sh('getconf', 'PAGESIZE')));
    expect(a.clockTick).toBe(Number(sh('getconf', 'CLK_TCK')));
    expect(a.wordSize).toBe(process.arch === 'x64' || process.arch === 'arm64' ? 8 : a.wordSize);
    expect(a.littleEndian).toBe(os.endianness() === 'LE');
  });

  const sample: [number, number][] = [
    [33, 0x7ffd1000],
    [16, 0x178bfbff],
    [AT_PAGESZ, 65536],
    [AT_CLKTCK, 250],
    [3, 0x400040],
    [25, 0x7ffd2000],
  ];
  for (const [wordSize, littleEndian] of [
    [8, true],
    [8, false],
    [4, true],
    [4, false],
  ] as const) {
    it(`parses ${wordSize * 8}-bit ${littleEndian ? 'little' : 'big'} endian`, () => {
      const a = parseAuxv(auxv(sample, wordSize, littleEndian));
      expect(a).toMatchObject({ pageSize: 65536, clockTick: 250, wordSize, littleEndian });
      expect(a.entries.size).toBe(sample.length);
      expect(a.entries.get(33)).toBe(0x7ffd1000n);
    });
  }

  it('leaves absent entries undefined', () => {
    expect(parseAuxv(auxv([[16, 1]], 8, true))).toMatchObject({ pageSize: undefined, clockTick: undefined });
  });

  it('rejects bytes that are no auxv', () => {
    expect(failure(() => parseAuxv(Buffer.alloc(0))).code).toBe('parse');
    expect(failure(() => parseAuxv(Buffer.from([1, 2, 3]))).code).toBe('parse');
    const noNull = auxv(sample, 8, true).subarray(0, -16);
    expect(failure(() => parseAuxv(noNull, 'x/auxv')).file).toBe('x/auxv');
  });

  it('a root without self/auxv is not_found', () => {
    expect(failure(() => readAuxv(fakeRoot('empty-auxv', {}))).code).toBe('not_found');
  });
});

describe('kernel release', () => {
  it('on this machine matches uname -r', () => {
    const k = kernelRelease('/proc');
    const uname = sh('uname', '-r');
    expect(k.release).toBe(uname);
    const m = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(uname)!;
    expect([k.major, k.minor, k.patch]).toEqual([Number(m[1]), Number(m[2]), Number(m[3] ?? 0)]);
  });

  it('honours <root>/sys/kernel/osrelease of a fake root', () => {
    const root = fakeRoot('osrelease', {
      'sys/kernel/osrelease': '5.15.167.4-microsoft-standard-WSL2\n',
      version: 'Linux version 4.1.2-other (x@y) #1 SMP\n',
    });
    expect(kernelRelease(root)).toEqual({ release: '5.15.167.4-microsoft-standard-WSL2', major: 5, minor: 15, patch: 167 });
  });

  it('falls back to <root>/version when there is no osrelease', () => {
    const root = fakeRoot('version-only', {
      version: 'Linux version 6.8.0-45-generic (buildd@lcy02-amd64-075) (x86_64-linux-gnu-gcc-13 (Ubuntu 13.2.0-23ubuntu4) 13.2.0) #45-Ubuntu SMP\n',
    });
    expect(kernelRelease(root)).toEqual({ release: '6.8.0-45-generic', major: 6, minor: 8, patch: 0 });
  });

  it('is not_found when the root has neither file, parse when version is odd', () => {
    expect(failure(() => kernelRelease(fakeRoot('no-kernel', {}))).code).toBe('not_found');
    expect(failure(() => kernelRelease(fakeRoot('odd-version', { version: 'FreeBSD 14\n' }))).code).toBe('parse');
  });

  it('parses two-number releases and rejects non-releases', () => {
    expect(parseKernelRelease('6.10-rc1')).toEqual({ release: '6.10-rc1', major: 6, minor: 10, patch: 0 });
    expect(failure(() => parseKernelRelease('linux')).code).toBe('parse');
  });

  it('compareKernel orders numerically, not as text', () => {
    expect(compareKernel('6.10.0', '6.9.12')).toBe(1);
    expect(compareKernel('5.4.0', '5.14')).toBe(-1);
    expect(compareKernel('5.14-rc2', '5.14.0')).toBe(0);
    expect(compareKernel({ major: 4, minor: 19, patch: 300 }, { major: 4, minor: 19, patch: 9 })).toBe(1);
    expect(compareKernel(kernelRelease('/proc'), '2.6.0')).toBe(1);
  });
});

describe('system facts', () => {
  it('liveSystemFacts matches getconf and uname', () => {
    const f = liveSystemFacts();
    expect(f.pageSize).toBe(Number(sh('getconf', 'PAGESIZE')));
    expect(f.clockTick).toBe(Number(sh('getconf', 'CLK_TCK')));
    expect(f.kernel?.release).toBe(sh('uname', '-r'));
  });

  it('systemFacts of /proc equals liveSystemFacts', () => {
    expect(systemFacts('/proc')).toEqual(liveSystemFacts('/proc'));
  });

  it('a snapshot with nothing gets the documented defaults and no kernel', () => {
    const f = systemFacts(fakeRoot('bare', {}));
    expect(f).toEqual({ pageSize: 4096, clockTick: 100 });
    expect([DEFAULT_PAGE_SIZE, DEFAULT_CLOCK_TICK]).toEqual([4096, 100]);
  });

  it('a snapshot with self/auxv and osrelease uses them; options win over both', () => {
    const root = fakeRoot('full', {
      'self/auxv': auxv(
        [
          [AT_PAGESZ, 16384],
          [AT_CLKTCK, 1000],
        ],
        8,
        true,
      ),
      'sys/kernel/osrelease': '6.1.0\n',
    });
    expect(systemFacts(root)).toEqual({ pageSize: 16384, clockTick: 1000, kernel: { release: '6.1.0', major: 6, minor: 1, patch: 0 } });
    expect(systemFacts(root, { pageSize: 65536, kernel: '5.10.1' })).toEqual({
      pageSize: 65536,
      clockTick: 1000,
      kernel: { release: '5.10.1', major: 5, minor: 10, patch: 1 },
    });
  });

  it('a snapshot with a broken auxv falls back to defaults', () => {
    const root = fakeRoot('broken-auxv', { 'self/auxv': Buffer.from('garbage') });
    expect(systemFacts(root)).toEqual({ pageSize: 4096, clockTick: 100 });
  });

  it('liveSystemFacts of a root without auxv throws', () => {
    expect(failure(() => liveSystemFacts(fakeRoot('no-auxv-live', {}))).code).toBe('not_found');
  });
});
