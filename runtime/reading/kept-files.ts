/**
 * Descriptors of system-wide /proc files kept open between reads.
 *
 * procfs prints a file anew whenever it is read from offset 0, so re-reading
 * a kept descriptor with pread gives the text open/read/close would, in one
 * system call instead of three (/proc/meminfo on a 6.18 kernel: about 5 µs
 * instead of 9). Only files of a live procfs are kept (a saved copy may be
 * replaced by a new file under the same name), at most MAX_KEPT over all
 * roots, the one read longest ago closed first. A kept read that fails is
 * done again by path, which gives the error the caller would have seen, and
 * that file is not kept again. An async read holds its descriptor while it
 * runs in the thread pool: a descriptor given up under it is closed once the
 * last such read has ended, so that no read goes to a number the system has
 * given to another file. The async reads asked for in one turn of the event
 * loop go to the pool as one request (rereadKeptAsync).
 */
import { closeSync, statfsSync } from 'node:fs';
import { ioError } from '../core/errors.js';
import { errnoError, native, textsOf } from './native.js';
import { openFdSync, readViewSync, rereadFdAsync, rereadFdSync } from './read.js';

/** Magic number of a procfs mount (statfs f_type). */
const PROC_SUPER_MAGIC = 0x9fa0;

/** Whether `root` is a mounted procfs (not a saved copy of one). */
export function isLiveProcfs(root: string): boolean {
  try {
    return statfsSync(root).type === PROC_SUPER_MAGIC;
  } catch {
    return false;
  }
}

/** Most descriptors kept open at once, over every root. */
export const MAX_KEPT = 64;

/** A kept descriptor and when it was used last (a count of uses over all of them). */
interface Kept {
  readonly fd: number;
  used: number;
}

/**
 * Kept descriptors by path. The one used longest ago is found by its count
 * when a new file needs room (a scan of at most MAX_KEPT entries, once per
 * file opened), so that a read only stamps its entry: moving it to the end
 * of the map's order took a delete and a set on every read.
 */
const kept = new Map<string, Kept>();
let uses = 0;
/** Files whose kept descriptor failed once: read by path from then on. */
const refused = new Set<string>();
/** Async reads running through a descriptor, by descriptor. */
const inFlight = new Map<number, number>();
/** Descriptors given up while reads ran through them: closed when the last ends. */
const closeWhenIdle = new Set<number>();

/**
 * The kept descriptor of `path`, a file of a live procfs (opened now if it
 * is not kept yet, and marked as used last), or undefined when the file is
 * read by path. Throws ProcfsError when it cannot be opened.
 */
export function keptDescriptor(path: string): number | undefined {
  const k = kept.get(path);
  if (k !== undefined) {
    k.used = ++uses;
    return k.fd;
  }
  if (refused.has(path)) return undefined;
  const fd = openFdSync(path);
  if (kept.size >= MAX_KEPT) closeKept(leastRecent());
  kept.set(path, { fd, used: ++uses });
  return fd;
}

/** The path of the kept descriptor used longest ago (kept is not empty). */
function leastRecent(): string {
  let oldest = '';
  let at = Number.POSITIVE_INFINITY;
  for (const [path, k] of kept) {
    if (k.used < at) {
      at = k.used;
      oldest = path;
    }
  }
  return oldest;
}

/** Closes the kept descriptor of `path` after a read through it failed: the file is read by path from then on. */
export function refuseKept(path: string): void {
  closeKept(path);
  refused.add(path);
}

/**
 * The bytes of `path`, a file of a live procfs, read through a kept
 * descriptor (opened on the first read): a view valid until the next
 * synchronous read, as readViewSync's. Throws ProcfsError as readViewSync.
 */
export function readKeptSync(path: string, single: boolean): Buffer {
  const fd = keptDescriptor(path);
  if (fd === undefined) return readViewSync(path, single);
  try {
    return rereadFdSync(fd, path, single);
  } catch {
    refuseKept(path);
    return readViewSync(path, single);
  }
}

function closeKept(path: string): void {
  const fd = kept.get(path)?.fd;
  if (fd === undefined) return;
  kept.delete(path);
  if (inFlight.has(fd)) closeWhenIdle.add(fd);
  else closeQuietly(fd);
}

/** Marks an async read through `fd` as running: the descriptor stays open until releaseKept. */
function holdKept(fd: number): void {
  inFlight.set(fd, (inFlight.get(fd) ?? 0) + 1);
}

/** Ends what holdKept began; closes the descriptor if it was given up meanwhile and no other read runs through it. */
function releaseKept(fd: number): void {
  const n = (inFlight.get(fd) ?? 1) - 1;
  if (n > 0) {
    inFlight.set(fd, n);
    return;
  }
  inFlight.delete(fd);
  if (closeWhenIdle.delete(fd)) closeQuietly(fd);
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // The descriptor is being given up either way.
  }
}

/** Closes the kept descriptors of files under `root` (all of them without one). */
export function closeKeptFiles(root?: string): void {
  for (const path of [...kept.keys()]) {
    if (root === undefined || path.startsWith(`${root}/`)) closeKept(path);
  }
}

/** How many descriptors are kept open now. */
export function keptCount(): number {
  return kept.size;
}

/** How many descriptors were given up while an async read ran through them, and are still open for it. */
export function closingCount(): number {
  return closeWhenIdle.size;
}

/** An async read of a kept descriptor, waiting for its turn's request. */
interface Ask {
  readonly fd: number;
  readonly path: string;
  readonly single: boolean;
  readonly resolve: (bytes: Uint8Array) => void;
  readonly reject: (err: unknown) => void;
  settled: boolean;
}

/** Reads asked for in this turn of the event loop. */
let asks: Ask[] = [];
/**
 * The last flush scheduled, held after it ran: V8 drops the shape of node's
 * immediates at a full GC that finds none alive, and the code made for it
 * (see Scan.kept).
 */
const held: { flush?: NodeJS.Immediate } = {};

/**
 * How long (ms) a request of several files may take before each of its
 * files not yet given is read again on its own: a file that does not answer
 * then holds back only its own read.
 */
export const SPLIT_MS = 50;

/**
 * The bytes of the kept descriptor `fd` of `path` (a copy the caller
 * owns), re-read from offset 0 in libuv's thread pool. With the native
 * reader, the reads asked for in one turn of the event loop are one request
 * (one hop to the pool instead of one per file: some 20 µs of CPU each on
 * this 2-vCPU machine, about what a kept re-read itself costs); without it,
 * node:fs reads each file. The descriptor is held until its read ends.
 * Rejects with ProcfsError.
 */
export function rereadKeptAsync(fd: number, path: string, single: boolean): Promise<Uint8Array> {
  holdKept(fd);
  if (native === undefined) {
    const read = rereadFdAsync(fd, path, single, (bytes) => Buffer.from(bytes));
    const release = () => releaseKept(fd);
    read.then(release, release);
    return read;
  }
  return new Promise<Uint8Array>((resolve, reject) => {
    asks.push({ fd, path, single, resolve, reject, settled: false });
    if (asks.length === 1) held.flush = setImmediate(flush);
  });
}

/** Gives an ask its bytes or its error, once; its descriptor is released by the caller. */
function answer(a: Ask, got: Uint8Array | number | Error): void {
  if (a.settled) return;
  a.settled = true;
  if (got instanceof Error) a.reject(ioError(a.path, got));
  else if (typeof got === 'number') a.reject(ioError(a.path, errnoError(got, a.path)));
  else a.resolve(got);
}

/** Sends `batch` to the pool as one request; every ask in it is held, and released when the request ends. */
function request(batch: readonly Ask[], split: boolean): void {
  const n = native!;
  let back = false;
  const timer = split
    ? setTimeout(() => {
        if (back) return;
        for (const a of batch) {
          if (a.settled) continue;
          holdKept(a.fd);
          request([a], false);
        }
      }, SPLIT_MS)
    : undefined;
  timer?.unref();
  const done = (got: (Uint8Array | number)[] | Error): void => {
    back = true;
    clearTimeout(timer);
    for (let i = 0; i < batch.length; i++) {
      answer(batch[i]!, got instanceof Error ? got : got[i]!);
      releaseKept(batch[i]!.fd);
    }
  };
  try {
    n.preadFdsAsync(
      Int32Array.from(batch, (a) => a.fd),
      Uint8Array.from(batch, (a) => (a.single ? 1 : 0)),
      (err, texts, ends, errs) => done(err ?? textsOf(texts, ends, errs)),
    );
  } catch (err) {
    done(err as Error);
  }
}

/** The reads asked for in this turn, in one request. */
function flush(): void {
  const batch = asks;
  asks = [];
  request(batch, batch.length > 1);
}
