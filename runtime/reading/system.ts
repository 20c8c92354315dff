/**
 * System facts needed to turn /proc numbers into units: the page size (pages
 * to bytes), the clock tick (ticks to seconds) and the kernel release (which
 * fields a file has). Read from files under a procfs root, no native code.
 */
import { endianness } from 'node:os';
import * as path from 'node:path';
import { ProcfsError, parseError } from '../core/errors.js';
import { readBytesSync, readFileSync } from './read.js';

// ---------------------------------------------------------------------------
// auxv

/** auxv entry type: end of the vector. */
export const AT_NULL = 0;
/** auxv entry type: system page size in bytes. */
export const AT_PAGESZ = 6;
/** auxv entry type: frequency of times() / clock ticks in /proc, per second (USER_HZ). */
export const AT_CLKTCK = 17;

/** What the ELF auxiliary vector of a process says. */
export interface Auxv {
  /** Page size in bytes (AT_PAGESZ), if present. */
  pageSize: number | undefined;
  /** Clock ticks per second (AT_CLKTCK, USER_HZ), if present. */
  clockTick: number | undefined;
  /** Size in bytes of one word of the vector: 8 on 64-bit, 4 on 32-bit. */
  wordSize: 4 | 8;
  /** Byte order the vector was written in. */
  littleEndian: boolean;
  /** Every entry, type -> value, AT_NULL excluded (values are unsigned, hence bigint). */
  entries: ReadonlyMap<number, bigint>;
}

/** Entry types above this are not real AT_* values; a layout producing one is the wrong layout. */
const MAX_AT_TYPE = 1024;

interface Layout {
  wordSize: 4 | 8;
  littleEndian: boolean;
}

function readWord(buf: Buffer, offset: number, layout: Layout): bigint {
  if (layout.wordSize === 8) return layout.littleEndian ? buf.readBigUInt64LE(offset) : buf.readBigUInt64BE(offset);
  return BigInt(layout.littleEndian ? buf.readUInt32LE(offset) : buf.readUInt32BE(offset));
}

/** Entries of `buf` read with `layout`, or undefined when the bytes cannot be an auxv in that layout. */
function tryLayout(buf: Buffer, layout: Layout): Map<number, bigint> | undefined {
  const pair = layout.wordSize * 2;
  if (buf.length === 0 || buf.length % pair !== 0) return undefined;
  const entries = new Map<number, bigint>();
  for (let off = 0; off < buf.length; off += pair) {
    const type = readWord(buf, off, layout);
    const value = readWord(buf, off + layout.wordSize, layout);
    const last = off + pair === buf.length;
    if (type === 0n) return last && value === 0n ? entries : undefined; // AT_NULL must end the vector
    if (last || type > BigInt(MAX_AT_TYPE)) return undefined;
    entries.set(Number(type), value);
  }
  return undefined;
}

/**
 * Parses the bytes of an auxv file: pairs of native unsigned longs (type,
 * value) ending with an AT_NULL pair. The word size and byte order are those
 * of this machine if they fit, else the first of 64/32-bit little/big endian
 * that gives a well-formed vector (so a snapshot from another machine works).
 */
export function parseAuxv(buf: Buffer, file = '<auxv>'): Auxv {
  const nativeLE = endianness() === 'LE';
  const native64 = ['x64', 'arm64', 'ppc64', 's390x', 'riscv64', 'loong64', 'mips64el'].includes(process.arch);
  const layouts: Layout[] = [];
  for (const wordSize of native64 ? ([8, 4] as const) : ([4, 8] as const)) {
    for (const littleEndian of [nativeLE, !nativeLE]) layouts.push({ wordSize, littleEndian });
  }
  for (const layout of layouts) {
    const entries = tryLayout(buf, layout);
    if (entries === undefined) continue;
    const num = (type: number): number | undefined => {
      const v = entries.get(type);
      return v === undefined ? undefined : Number(v);
    };
    return { pageSize: num(AT_PAGESZ), clockTick: num(AT_CLKTCK), ...layout, entries };
  }
  throw parseError({
    file,
    line: 1,
    column: 1,
    expected: 'pairs of 4- or 8-byte words ending with an AT_NULL pair',
    found: `${buf.length} bytes`,
  });
}

/** Reads and parses `<root>/self/auxv` (the reading process's auxiliary vector). Throws ProcfsError. */
export function readAuxv(root = '/proc'): Auxv {
  const file = path.join(root, 'self', 'auxv');
  return parseAuxv(readBytesSync(file), file);
}

// ---------------------------------------------------------------------------
// Kernel release

/** A kernel release as numbers, e.g. "6.8.0-45-generic" -> 6, 8, 0. */
export interface KernelVersion {
  major: number;
  minor: number;
  /** The third number; 0 when the release has only two ("6.8-rc1"). */
  patch: number;
}

/** The running kernel's release string (as `uname -r` prints it) and its numbers. */
export interface KernelRelease extends KernelVersion {
  release: string;
}

/** Parses the leading "major.minor[.patch]" of a release string; throws ProcfsError ('parse') if absent. */
export function parseKernelRelease(release: string, file = '<release>'): KernelRelease {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(release);
  if (m === null) {
    throw parseError({ file, line: 1, column: 1, expected: 'a kernel release like 6.8.0', found: release });
  }
  return { release, major: Number(m[1]), minor: Number(m[2]), patch: m[3] === undefined ? 0 : Number(m[3]) };
}

/**
 * The kernel release of the system behind `root`: `<root>/sys/kernel/osrelease`,
 * or when that file does not exist, the word after "Linux version" in
 * `<root>/version`. Throws ProcfsError (not_found if neither file exists).
 */
export function kernelRelease(root = '/proc'): KernelRelease {
  const osrelease = path.join(root, 'sys', 'kernel', 'osrelease');
  try {
    return parseKernelRelease(readFileSync(osrelease).trim(), osrelease);
  } catch (err) {
    if (!(err instanceof ProcfsError && err.code === 'not_found')) throw err;
  }
  const versionFile = path.join(root, 'version');
  const text = readFileSync(versionFile);
  const m = /^Linux version (\S+)/.exec(text);
  if (m === null) {
    throw parseError({ file: versionFile, line: 1, column: 1, expected: '"Linux version <release>"', found: text.split('\n')[0] ?? '' });
  }
  return parseKernelRelease(m[1] as string, versionFile);
}

/**
 * Orders kernel versions: negative if a < b, 0 if equal, positive if a > b.
 * Strings are parsed first, so `compareKernel(k, '5.14') >= 0` means "k is 5.14.0 or later".
 */
export function compareKernel(a: KernelVersion | string, b: KernelVersion | string): number {
  const x = typeof a === 'string' ? parseKernelRelease(a) : a;
  const y = typeof b === 'string' ? parseKernelRelease(b) : b;
  return Math.sign(x.major - y.major || x.minor - y.minor || x.patch - y.patch);
}

// ---------------------------------------------------------------------------
// System facts

/** Units and version of the system a procfs root describes. */
export interface SystemFacts {
  /** Page size in bytes (multiply page counts by this). */
  pageSize: number;
  /** Clock ticks per second, USER_HZ (divide tick counts by this for seconds). */
  clockTick: number;
  /** Kernel release, when known. */
  kernel?: KernelRelease;
}

/** Page size in bytes assumed for a snapshot that does not say (x86-64 and most arm64). */
export const DEFAULT_PAGE_SIZE = 4096;
/** Clock ticks per second assumed for a snapshot that does not say (USER_HZ is 100 on every common architecture). */
export const DEFAULT_CLOCK_TICK = 100;

/** Facts given by the caller, which win over anything read from the root. */
export interface SystemFactsOptions {
  /** Page size in bytes. */
  pageSize?: number;
  /** Clock ticks per second. */
  clockTick?: number;
  /** Kernel release string, e.g. "6.8.0-45-generic". */
  kernel?: string;
}

/**
 * Facts of the live system from `<root>/self/auxv` and the kernel release
 * files. Throws ProcfsError if auxv cannot be read or lacks AT_PAGESZ / AT_CLKTCK.
 */
export function liveSystemFacts(root = '/proc'): SystemFacts {
  const auxv = readAuxv(root);
  const file = path.join(root, 'self', 'auxv');
  if (auxv.pageSize === undefined || auxv.clockTick === undefined) {
    throw parseError({ file, line: 1, column: 1, expected: 'AT_PAGESZ and AT_CLKTCK entries', found: `types ${[...auxv.entries.keys()].join(',')}` });
  }
  return { pageSize: auxv.pageSize, clockTick: auxv.clockTick, kernel: kernelRelease(root) };
}

/**
 * Facts for any root, live or a saved snapshot folder. Each fact comes from
 * `options` if given, else from `<root>/self/auxv` (or the kernel release
 * files) if the root has them, else the defaults DEFAULT_PAGE_SIZE (4096
 * bytes) and DEFAULT_CLOCK_TICK (100 per second); the kernel is left out when
 * unknown. A missing, unreadable or malformed file only means that fact
 * falls back; the one error thrown is a ProcfsError ('parse') for a
 * malformed `options.kernel`.
 */
export function systemFacts(root = '/proc', options: SystemFactsOptions = {}): SystemFacts {
  let auxv: Auxv | undefined;
  if (options.pageSize === undefined || options.clockTick === undefined) {
    try {
      auxv = readAuxv(root);
    } catch {
      auxv = undefined;
    }
  }
  let kernel: KernelRelease | undefined;
  if (options.kernel !== undefined) {
    kernel = parseKernelRelease(options.kernel, '<options.kernel>');
  } else {
    try {
      kernel = kernelRelease(root);
    } catch {
      kernel = undefined;
    }
  }
  const facts: SystemFacts = {
    pageSize: options.pageSize ?? auxv?.pageSize ?? DEFAULT_PAGE_SIZE,
    clockTick: options.clockTick ?? auxv?.clockTick ?? DEFAULT_CLOCK_TICK,
  };
  if (kernel !== undefined) facts.kernel = kernel;
  return facts;
}
