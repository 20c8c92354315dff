/**
 * The one reader under every read of a /proc (or snapshot) file.
 *
 * procfs reports a size of 0 for most files and produces their text as it is
 * read, so a file is read the only safe way: open, read() into a buffer until
 * read() returns 0 (end of file), close. Nothing is sized from stat(), and
 * fs.readFile is not used (it has returned truncated /proc files).
 */
import * as fs from 'node:fs';
import { utf8Text } from '../core/bytes.js';
import { ioError } from '../core/errors.js';
import { errnoError, native } from './native.js';

/** Size in bytes of a fresh read buffer; most /proc files fit in it. */
const INITIAL_BUFFER_BYTES = 64 * 1024;

/**
 * Largest buffer (bytes) kept for reuse after a read. A read of a bigger file
 * grows a buffer by doubling, then lets it go so one huge file does not pin
 * its memory for the life of the process.
 */
export const MAX_RETAINED_BUFFER_BYTES = 4 * 1024 * 1024;

/**
 * Most bytes asked for by one read(). The kernel refuses a read of a sysctl
 * file (/proc/sys) whose count is KMALLOC_MAX_SIZE (4 MiB on x86-64) or more
 * with ENOMEM (fs/proc/proc_sysctl.c, proc_sys_call_handler), so a buffer
 * grown by a long file must not be offered whole; native/procread-file.h
 * asks for the same at most.
 */
export const MAX_READ_ASK = 1024 * 1024;

/** Bytes to ask for: the room left in a buffer of `size` holding `length`, at most MAX_READ_ASK. */
const askOf = (size: number, length: number): number => Math.min(size - length, MAX_READ_ASK);

/** How many idle buffers the async pool keeps (more may exist while reads run). */
const MAX_POOLED_BUFFERS = 8;

// ---------------------------------------------------------------------------
// Buffers

/** The buffer of synchronous reads. A sync read runs to completion before any other, so one is enough. */
let syncBuffer: Buffer = Buffer.allocUnsafe(INITIAL_BUFFER_BYTES);

/** Idle buffers for async reads: each running async read owns one, so concurrent reads never share. */
const asyncPool: Buffer[] = [];

function takeAsyncBuffer(): Buffer {
  return asyncPool.pop() ?? Buffer.allocUnsafe(INITIAL_BUFFER_BYTES);
}

function returnAsyncBuffer(buf: Buffer): void {
  if (buf.length <= MAX_RETAINED_BUFFER_BYTES && asyncPool.length < MAX_POOLED_BUFFERS) asyncPool.push(buf);
}

/** Returns a buffer twice the size of `buf` holding its first `used` bytes. */
export function grow(buf: Buffer, used: number): Buffer {
  const bigger = Buffer.allocUnsafe(buf.length * 2);
  buf.copy(bigger, 0, 0, used);
  return bigger;
}

// ---------------------------------------------------------------------------
// Sync

/**
 * Reads an open file until EOF into the shared sync buffer: with `positional`
 * from offset 0 (pread; procfs makes the text anew), otherwise from the
 * current offset. A file printed in one piece (`single`) is whole once a read
 * returns less than asked for. Returns the buffer and the length read (valid
 * until the next sync read).
 */
function readLoop(fd: number, path: string, positional: boolean, single: boolean): [Buffer, number] {
  let buf = syncBuffer;
  let length = 0;
  try {
    for (;;) {
      if (length === buf.length) buf = grow(buf, length);
      const ask = askOf(buf.length, length);
      const n = fs.readSync(fd, buf, length, ask, positional ? length : null);
      if (n === 0) break;
      length += n;
      if (single && n < ask) break;
    }
  } catch (err) {
    throw ioError(path, err);
  } finally {
    if (buf.length <= MAX_RETAINED_BUFFER_BYTES) syncBuffer = buf;
  }
  return [buf, length];
}

/**
 * Reads the whole file into the shared sync buffer and hands the filled part
 * (valid only until the next sync read) to `take`, whose result is returned.
 */
function readSyncWith<T>(path: string, take: (buf: Buffer, length: number) => T, single = false): T {
  const fd = openFdSync(path);
  let read: [Buffer, number];
  try {
    read = readLoop(fd, path, false, single);
  } finally {
    try {
      fs.closeSync(fd);
    } catch {
      // Nothing useful to do: the data (or the read error) is what matters.
    }
  }
  return take(read[0], read[1]);
}

/**
 * The bytes of a native read into the sync buffer: its length (a view of
 * the buffer), a Buffer holding a text longer than the buffer, or -errno.
 */
function nativeView(r: number | Buffer, path: string): Buffer {
  if (typeof r !== 'number') {
    // Keep a buffer that holds such a text next time (room beyond it: a short read must still mean the end).
    if (r.length < MAX_RETAINED_BUFFER_BYTES) syncBuffer = Buffer.allocUnsafe(Math.max(syncBuffer.length, 2 ** Math.ceil(Math.log2(r.length + 1))));
    return r;
  }
  if (r < 0) throw ioError(path, errnoError(-r, path));
  return syncBuffer.subarray(0, r);
}

/**
 * Reads a whole file into the shared sync buffer and returns a view of its
 * bytes, valid until the next synchronous read (parse it, or copy it, before
 * reading again). Throws ProcfsError.
 */
export function readViewSync(path: string, singleRecord = false): Buffer {
  return wholeSync(path, singleRecord);
}

/**
 * The reader of readViewSync and rereadFdSync, chosen once when this module
 * loads: the native one does open, read and close in one call, without
 * node:fs's work around each; node:fs's when the native module is absent.
 */
const { wholeSync, rereadSync } = ((n) =>
  n !== undefined
    ? {
        wholeSync: (path: string, single: boolean): Buffer => nativeView(n.readFile(path, syncBuffer, single), path),
        rereadSync: (fd: number, path: string, single: boolean): Buffer => nativeView(n.preadFd(fd, syncBuffer, single), path),
      }
    : {
        wholeSync: (path: string, single: boolean): Buffer => readSyncWith(path, (buf, length) => buf.subarray(0, length), single),
        rereadSync: (fd: number, path: string, single: boolean): Buffer => {
          const [buf, length] = readLoop(fd, path, true, single);
          return buf.subarray(0, length);
        },
      })(native);

/** Reads a whole file as UTF-8 text, a byte that is not UTF-8 kept (see bytes.ts: bytesOf gives it back). Throws ProcfsError. */
export function readFileSync(path: string, singleRecord = false): string {
  const view = readViewSync(path, singleRecord);
  return utf8Text(view, 0, view.length);
}

/**
 * Re-reads a file kept open, from offset 0 until EOF (pread: procfs makes
 * the text anew), into the shared sync buffer: a view of its bytes, valid
 * until the next synchronous read. `path` names it in errors. Throws ProcfsError.
 */
export function rereadFdSync(fd: number, path: string, singleRecord = false): Buffer {
  return rereadSync(fd, path, singleRecord);
}

/** Opens a file for re-reading with rereadFdSync. Throws ProcfsError. */
export function openFdSync(path: string): number {
  try {
    return fs.openSync(path, 'r');
  } catch (err) {
    throw ioError(path, err);
  }
}

/** Reads a whole file as bytes (a fresh Buffer the caller owns), e.g. the binary auxv. Throws ProcfsError. */
export function readBytesSync(path: string): Buffer {
  return readSyncWith(path, (buf, length) => Buffer.from(buf.subarray(0, length)));
}

// ---------------------------------------------------------------------------
// Async

/** Async counterpart of readSyncWith: the buffer is owned by this read until `take` returns. */
async function readAsyncWith<T>(path: string, take: (buf: Buffer, length: number) => T, single = false): Promise<T> {
  let handle: fs.promises.FileHandle;
  try {
    handle = await fs.promises.open(path, 'r');
  } catch (err) {
    throw ioError(path, err);
  }
  let buf = takeAsyncBuffer();
  let length = 0;
  try {
    for (;;) {
      if (length === buf.length) buf = grow(buf, length);
      const ask = askOf(buf.length, length);
      const { bytesRead } = await handle.read(buf, length, ask, null);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (single && bytesRead < ask) break;
    }
    return take(buf, length);
  } catch (err) {
    throw ioError(path, err);
  } finally {
    returnAsyncBuffer(buf);
    try {
      await handle.close();
    } catch {
      // As in the sync reader: a failed close loses nothing already read.
    }
  }
}

/**
 * rereadFdSync without blocking the event loop, through node:fs: the kept
 * descriptor `fd` re-read from offset 0 in libuv's thread pool, one request
 * per read(), the bytes handed to `take` while this read still owns them
 * (kept-files.ts reads with the native reader when it loaded). The caller
 * keeps `fd` open until the promise settles. Rejects with ProcfsError.
 */
export function rereadFdAsync<T>(fd: number, path: string, single: boolean, take: (bytes: Buffer) => T): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let buf = takeAsyncBuffer();
    let length = 0;
    const next = (): void => {
      if (length === buf.length) buf = grow(buf, length);
      const ask = askOf(buf.length, length);
      fs.read(fd, buf, length, ask, length, (err, got) => {
        if (err !== null) {
          returnAsyncBuffer(buf);
          reject(ioError(path, err));
          return;
        }
        length += got;
        if (got === 0 || (single && got < ask)) {
          settle(resolve, reject, () => take(buf.subarray(0, length)));
          returnAsyncBuffer(buf);
        } else next();
      });
    };
    next();
  });
}

/** Resolves with what `make` returns, or rejects with what it throws (a parse error). */
function settle<T>(resolve: (v: T) => void, reject: (e: unknown) => void, make: () => T): void {
  let v: T;
  try {
    v = make();
  } catch (err) {
    reject(err);
    return;
  }
  resolve(v);
}

/** Reads a whole file as UTF-8 text, a byte that is not UTF-8 kept (see readFileSync). Rejects with ProcfsError. */
export function readFileAsync(path: string, singleRecord = false): Promise<string> {
  return readAsyncWith(path, (buf, length) => utf8Text(buf, 0, length), singleRecord);
}

/** Reads a whole file as bytes (a fresh Buffer the caller owns). Rejects with ProcfsError. */
export function readBytesAsync(path: string, singleRecord = false): Promise<Buffer> {
  return readAsyncWith(path, (buf, length) => Buffer.from(buf.subarray(0, length)), singleRecord);
}

// ---------------------------------------------------------------------------
// Bounded concurrency

/**
 * Maps `items` through async `fn` with at most `limit` calls running at once;
 * the results keep the order of `items`. On the first rejection, no further
 * calls start and the returned promise rejects with that error.
 */
export async function mapLimit<T, R>(items: Iterable<T>, limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  if (!(limit >= 1)) throw new RangeError(`mapLimit: limit must be at least 1, got ${limit}`);
  const list = Array.from(items);
  const results = new Array<R>(list.length);
  let next = 0;
  let failed = false;
  async function worker(): Promise<void> {
    while (!failed && next < list.length) {
      const i = next++;
      try {
        results[i] = await fn(list[i] as T, i);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  }
  const workers: Promise<void>[] = [];
  for (let w = 0; w < Math.min(Math.floor(limit), list.length); w++) workers.push(worker());
  await Promise.all(workers);
  return results;
}

/**
 * Writes `text` to a /proc or /sys file in one write() (the kernel takes a
 * control file's value from a single write): open, write, close.
 */
export function writeTextSync(path: string, text: string): void {
  let fd: number;
  try {
    fd = fs.openSync(path, 'w');
  } catch (err) {
    throw ioError(path, err);
  }
  try {
    fs.writeSync(fd, text);
  } catch (err) {
    throw ioError(path, err);
  } finally {
    fs.closeSync(fd);
  }
}

/** writeTextSync without blocking the event loop. */
export async function writeTextAsync(path: string, text: string): Promise<void> {
  let h: fs.promises.FileHandle;
  try {
    h = await fs.promises.open(path, 'w');
  } catch (err) {
    throw ioError(path, err);
  }
  try {
    await h.write(text);
  } catch (err) {
    throw ioError(path, err);
  } finally {
    await h.close();
  }
}
