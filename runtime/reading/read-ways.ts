/**
 * How a file is read and parsed, chosen once for each target (a file a
 * ProcFs reads) and held by it:
 * - whole: open, read to the end, close (the native reader in one call, or
 *   node:fs; read.ts picks which when it loads);
 * - kept: a sampled file of a live procfs, re-read from offset 0 through a
 *   descriptor kept open (kept-files.ts): one system call instead of three,
 *   on this thread, or in the thread pool for an async read (the reads
 *   asked for in one turn of the event loop in one request, each descriptor
 *   held until its read ends);
 * - streamed: a file of records, read on a thread of its own while the
 *   records already read are parsed (streamed-read.ts), by path or (sync)
 *   through a kept descriptor; a kept one's async read is the kept way's.
 * A way is stateless; the target passes itself in. The one change after the
 * choice: a kept descriptor that fails to read is given up, and the target
 * is switched for good to reading by path (which also gives the caller the
 * error a read by path gives).
 */
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ReadContext } from '../core/context.js';
import { absent, ProcfsError } from '../core/errors.js';
import type { Pieces } from '../core/pieces.js';
import type { Compression } from '../core/compressed.js';
import { decompressAsync, decompressSync } from './compressed.js';
import { keptDescriptor, refuseKept, rereadKeptAsync } from './kept-files.js';
import { readLinkAsync, readLinkSync } from './link.js';
import { readBytesAsync, readViewSync, rereadFdSync } from './read.js';
import { readParsedAsync, readParsedSync, streamedReads } from './streamed-read.js';

/** What a file is parsed with: the spec's parser, and its piece parser for a file of records. */
export interface Parsing {
  /** The spec's id, named in errors. */
  readonly id: string;
  readonly parse: (text: Uint8Array, ctx: ReadContext) => unknown;
  readonly pieces?: Pieces<unknown> | undefined;
  /** The kernel prints the file in one piece: a short read is its end. */
  readonly single: boolean;
  /** The file is a symbolic link: its target (readlink) is the text parsed. */
  readonly link?: boolean;
  /** The file holds its text compressed: it is read whole and decompressed before parsing (compressed.ts). */
  readonly compressed?: Compression;
}

/** A file to read: its path, its parse context, and the way it is read (which a failed kept read changes). */
export interface ReadTarget {
  readonly file: string;
  readonly ctx: ReadContext;
  way: ReadWay;
  /**
   * A file the kernel prints at once (procfs's own, of the system): read on
   * this thread by an async read too (readNowAsync).
   */
  readonly now?: boolean;
}

/**
 * An async read done on this thread, for a target whose file the kernel
 * prints at once: procfs's system-wide files take no lock a stuck process
 * could hold, and a hop to the thread pool and back costs more CPU than
 * their read (on this project's 2-vCPU machine, reading the 16 files of
 * node_exporter's /proc collectors this way took a third off the
 * exporter's collection). Errors reject the promise.
 */
export function readNowAsync(t: ReadTarget, p: Parsing): Promise<unknown> {
  try {
    return Promise.resolve(t.way.readSync(t, p));
  } catch (err) {
    return Promise.reject(err);
  }
}

export interface ReadWay {
  /** whole, kept, streamed or streamed-kept. */
  readonly name: string;
  /** The file's value. Throws ProcfsError: a missing file is 'not_found', one this kernel does not offer 'unsupported'. */
  readSync(t: ReadTarget, p: Parsing): unknown;
  /** readSync without blocking the event loop. */
  readAsync(t: ReadTarget, p: Parsing): Promise<unknown>;
}

/** A read error as the caller sees it: ENOENT in a folder that exists means the kernel does not offer the file. */
function asSeen(err: unknown, file: string): unknown {
  return absent(err, existsSync(dirname(file)));
}

async function wholeAsync(t: ReadTarget, p: Parsing): Promise<unknown> {
  let text: Buffer;
  try {
    text = await readBytesAsync(t.file, p.single);
  } catch (err) {
    throw asSeen(err, t.file);
  }
  return p.parse(text, t.ctx);
}

function wholeSync(t: ReadTarget, p: Parsing): unknown {
  let text: Buffer;
  try {
    text = readViewSync(t.file, p.single);
  } catch (err) {
    throw asSeen(err, t.file);
  }
  return p.parse(text, t.ctx);
}

const WHOLE: ReadWay = { name: 'whole', readSync: wholeSync, readAsync: wholeAsync };

/** After a kept read failed: the target reads by path from now on, and this read is done that way. */
function giveUpKept(t: ReadTarget, p: Parsing, way: ReadWay): unknown {
  refuseKept(t.file);
  t.way = way;
  return way.readSync(t, p);
}

/**
 * The kept descriptor of the target's file, opened on its first read; -1
 * when the file was given up (by another reader of it) and is read by path.
 * Throws the open's error as the caller sees it.
 */
function keptFd(t: ReadTarget): number {
  try {
    return keptDescriptor(t.file) ?? -1;
  } catch (err) {
    throw asSeen(err, t.file);
  }
}

/** giveUpKept for an async read. */
function giveUpKeptAsync(t: ReadTarget, p: Parsing, way: ReadWay): Promise<unknown> {
  refuseKept(t.file);
  t.way = way;
  return way.readAsync(t, p);
}

/**
 * The async read of a kept descriptor: re-read in the thread pool and
 * parsed. A read that fails gives the descriptor up (closed once no read
 * runs through it) and switches the target to `byPath`, which reads again.
 */
async function keptAsync(t: ReadTarget, p: Parsing, byPath: ReadWay): Promise<unknown> {
  const fd = keptFd(t);
  if (fd < 0) return giveUpKeptAsync(t, p, byPath);
  let text: Uint8Array;
  try {
    text = await rereadKeptAsync(fd, t.file, p.single);
  } catch {
    return giveUpKeptAsync(t, p, byPath);
  }
  return p.parse(text, t.ctx);
}

const KEPT: ReadWay = {
  name: 'kept',
  readSync(t, p) {
    const fd = keptFd(t);
    if (fd < 0) return giveUpKept(t, p, WHOLE);
    let text: Buffer;
    try {
      text = rereadFdSync(fd, t.file, p.single);
    } catch {
      return giveUpKept(t, p, WHOLE);
    }
    return p.parse(text, t.ctx);
  },
  readAsync: (t, p) => keptAsync(t, p, WHOLE),
};

/** The file of records read on the reading thread; undefined when that thread is busy with another worker's read (read whole then). */
function streamedSync(t: ReadTarget, p: Parsing, source: string | number): unknown {
  try {
    return readParsedSync(source, t.file, p.id, p.pieces!, p.parse, t.ctx);
  } catch (err) {
    throw asSeen(err, t.file);
  }
}

async function streamedAsync(t: ReadTarget, p: Parsing): Promise<unknown> {
  try {
    return await readParsedAsync(t.file, p.id, p.pieces!, t.ctx);
  } catch (err) {
    throw asSeen(err, t.file);
  }
}

const STREAMED: ReadWay = {
  name: 'streamed',
  readSync(t, p) {
    return streamedSync(t, p, t.file) ?? wholeSync(t, p);
  },
  readAsync: streamedAsync,
};

const STREAMED_KEPT: ReadWay = {
  name: 'streamed-kept',
  readSync(t, p) {
    const fd = keptFd(t);
    if (fd < 0) return giveUpKept(t, p, STREAMED);
    let value: unknown;
    try {
      value = readParsedSync(fd, t.file, p.id, p.pieces!, p.parse, t.ctx);
    } catch (err) {
      if (err instanceof ProcfsError && err.code === 'parse') throw err;
      return giveUpKept(t, p, STREAMED);
    }
    return value ?? KEPT.readSync(t, p);
  },
  readAsync: (t, p) => keptAsync(t, p, STREAMED),
};

/** Without the reading thread: a file of records is read whole on this thread, streamed only through the pool. */
const STREAMED_ASYNC: ReadWay = { name: 'whole', readSync: wholeSync, readAsync: streamedAsync };
const KEPT_STREAMED_ASYNC: ReadWay = { name: 'kept', readSync: KEPT.readSync, readAsync: (t, p) => keptAsync(t, p, STREAMED_ASYNC) };

/** A symbolic link (a spec with `link: true`): its target read with readlink and parsed, each time (link.ts). */
const LINK: ReadWay = {
  name: 'link',
  readSync: (t, p) => p.parse(readLinkSync(t.file), t.ctx),
  readAsync: async (t, p) => p.parse(await readLinkAsync(t.file), t.ctx),
};

/** A compressed file (a spec with `compressed: gzip`): read whole, decompressed (in the thread pool for an async read), parsed. */
const COMPRESSED: ReadWay = {
  name: 'compressed',
  readSync(t, p) {
    let bytes: Buffer;
    try {
      bytes = readViewSync(t.file, false);
    } catch (err) {
      throw asSeen(err, t.file);
    }
    return p.parse(decompressSync(bytes, p.compressed!, t.file, p.id), t.ctx);
  },
  async readAsync(t, p) {
    let bytes: Buffer;
    try {
      bytes = await readBytesAsync(t.file, false);
    } catch (err) {
      throw asSeen(err, t.file);
    }
    return p.parse(await decompressAsync(bytes, p.compressed!, t.file, p.id), t.ctx);
  },
};

/**
 * The way to read a file: a link's target for a link; a compressed file whole, then decompressed; streamed for a file of records that is not printed
 * in one piece (when the reading thread's module loaded), through a kept
 * descriptor when `keep` (a sampled file of a live procfs), else whole. The
 * async reads of a file of records read by path are streamed through the
 * thread pool with or without the native module.
 */
export function readWayFor(p: Parsing, keep: boolean): ReadWay {
  if (p.link === true) return LINK;
  if (p.compressed !== undefined) return COMPRESSED;
  const records = p.pieces !== undefined && !p.single;
  if (records && streamedReads) return keep ? STREAMED_KEPT : STREAMED;
  if (records) return keep ? KEPT_STREAMED_ASYNC : STREAMED_ASYNC;
  return keep ? KEPT : WHOLE;
}
