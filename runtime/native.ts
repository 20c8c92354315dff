/**
 * The optional native reader (native/procread.c, built by native/build.sh at
 * install): one file, or many per call, each costing only its system calls.
 * Absent (no compiler, or PROCSPEC_NATIVE=0): undefined, and callers read
 * through node:fs.
 */
import { createRequire } from 'node:module';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';

export interface NativeReader {
  /** One file into `buf`: its length, -errno, or a new Buffer when the text is longer than `buf`. */
  readFile(path: string, buf: Buffer, single: boolean): number | Buffer;
  /** readFile on a kept descriptor, from offset 0. */
  preadFd(fd: number, buf: Buffer, single: boolean): number | Buffer;
  /** The files `files` of every folder of `dirs` (file j of folder d is index d * files.length + j). */
  readTaskFiles(dirs: readonly string[], files: readonly string[], from: number, single: Uint8Array, arena: Buffer, ends: Int32Array, errs: Int32Array): number;
  /** readTaskFiles in libuv's thread pool: `done` gets the texts, where each file ends, and each file's errno (0: read). */
  readTaskFilesAsync(dirs: readonly string[], files: readonly string[], single: Uint8Array, done: BatchDone): void;
  preadFds(fds: Int32Array, from: number, single: Uint8Array, arena: Buffer, ends: Int32Array, errs: Int32Array): number;
  /** preadFds of every descriptor in the thread pool (they must stay open until `done` runs). */
  preadFdsAsync(fds: Int32Array, single: Uint8Array, done: BatchDone): void;
}

/**
 * Loads native/build/<name>.node, built by native/build.sh: the module, or
 * the error of the last place tried when it is not built. runtime/*.ts runs
 * from the sources (../native) or from dist/runtime (../../native), also
 * inside node_modules/procspec; fileURLToPath, not URL.pathname, so a folder
 * with spaces or non-ASCII names works.
 */
export function loadNativeModule<T>(name: string): T | Error {
  const require = createRequire(import.meta.url);
  let error = new Error(`native/build/${name}.node not found`);
  for (const rel of [`../native/build/${name}.node`, `../../native/build/${name}.node`]) {
    try {
      return require(fileURLToPath(new URL(rel, import.meta.url))) as T;
    } catch (err) {
      error = err as Error;
    }
  }
  return error;
}

/** A native module for a speed-up that has a fallback: undefined when it is not built or PROCSPEC_NATIVE=0. */
export function loadOptionalModule<T>(name: string): T | undefined {
  if (process.env.PROCSPEC_NATIVE === '0') return undefined;
  const m = loadNativeModule<T>(name);
  return m instanceof Error ? undefined : m;
}

export const native: NativeReader | undefined = loadOptionalModule<NativeReader>('procread');

const ERRNO_NAMES = new Map<number, string>(Object.entries(constants.errno).map(([name, n]) => [n, name]));

/** The name of an errno number (ENOENT), as node:fs errors carry it in `code`. */
export const errnoName = (n: number): string => ERRNO_NAMES.get(n) ?? `E${n}`;

/** An error shaped like node:fs's for an errno number from the native reader (for ioError). */
export function errnoError(n: number, path: string): Error & { code: string; errno: number } {
  const code = errnoName(n);
  return Object.assign(new Error(`${code} (errno ${n}) reading ${path}`), { code, errno: -n });
}

let arena = Buffer.allocUnsafe(1 << 20);
/** Where each file of a batch ends in `arena`, and its errno: grown as batches grow, reused. */
let ends = new Int32Array(1024);
let errs = new Int32Array(1024);

/**
 * Runs one batch through the native reader: `call` reads files `from`..
 * into the shared buffer and returns the first one not read (the buffer
 * was full); this grows the buffer when even one file does not fit. Gives
 * each file's bytes, or its errno number. The bytes are views of the
 * shared buffer, valid until the next batch is read, for a caller that
 * parses them first (the listing); with `owned`, of a copy made for this
 * batch (the refresh reads every batch before parsing). A batch read in
 * more than one call is copied either way: each call reads into the buffer
 * from its start.
 */
export function readBatch(
  count: number,
  call: (from: number, arena: Buffer, ends: Int32Array, errs: Int32Array) => number,
  owned = false,
): (Uint8Array | number)[] {
  if (ends.length < count) {
    ends = new Int32Array(count);
    errs = new Int32Array(count);
  }
  const texts: (Uint8Array | number)[] = new Array(count);
  let from = 0;
  while (from < count) {
    const next = call(from, arena, ends, errs);
    if (next === from) {
      arena = Buffer.allocUnsafe(arena.length * 2);
      continue;
    }
    const shared = next === count && !owned;
    views(shared ? arena : Buffer.from(arena.subarray(0, ends[next - 1])), ends, errs, from, next, texts);
    from = next;
  }
  return texts;
}

/** What a native batch in the thread pool calls when it is read: the texts, where each file ends, and each file's errno (0: read). */
export type BatchDone = (err: Error | null, texts: Buffer, ends: Int32Array, errs: Int32Array) => void;

/**
 * Runs `count` batches in libuv's thread pool, `concurrency / 16` at once
 * (1 to 4: the pool's size). `start(index, done)` queues batch `index` (a
 * native call that calls `done`); `each(index, texts)` takes its texts on
 * the main thread as it comes back, after the next batch is queued, so the
 * pool reads while this thread parses. Settles once no batch is out: with
 * the first error (a batch's, or one thrown by `start` or `each`, after
 * which `each` is not called again), or when every batch is back. The
 * async listing and the refresh's sampleAsync both read this way.
 */
export function poolBatches(
  count: number,
  concurrency: number,
  start: (index: number, done: BatchDone) => void,
  each: (index: number, texts: (Uint8Array | number)[]) => void,
): Promise<void> {
  const inFlight = Math.max(1, Math.min(4, Math.floor(concurrency / 16)));
  return new Promise((resolve, reject) => {
    let queued = 0;
    let running = 0;
    let failed = false;
    let error: unknown;
    const fail = (e: unknown): void => {
      if (failed) return;
      failed = true;
      error = e;
    };
    const settle = (): void => {
      if (running > 0 || (!failed && queued < count)) return;
      if (failed) reject(error);
      else resolve();
    };
    const queue = (): void => {
      while (!failed && running < inFlight && queued < count) {
        const index = queued++;
        running++;
        try {
          start(index, (err, buf, ends, errs) => {
            running--;
            if (!failed) {
              try {
                if (err) throw err;
                queue();
                each(index, textsOf(buf, ends, errs));
              } catch (e) {
                fail(e);
              }
            }
            settle();
          });
        } catch (e) {
          // Not queued (bad arguments, out of memory): nothing of it is out.
          running--;
          fail(e);
        }
      }
    };
    queue();
    settle();
  });
}

/** The files of a batch read by readTaskFilesAsync (into a buffer of its own): each file's bytes, or its errno number. */
export function textsOf(texts: Buffer, ends: Int32Array, errs: Int32Array): (Uint8Array | number)[] {
  return views(texts, ends, errs, 0, ends.length, new Array(ends.length));
}

/** Files from..to of a batch into `out`: a view of each one's bytes (it starts where the one before ended, the first at 0), or its errno. */
function views(buf: Buffer, ends: Int32Array, errs: Int32Array, from: number, to: number, out: (Uint8Array | number)[]): (Uint8Array | number)[] {
  let start = 0;
  for (let i = from; i < to; i++) {
    out[i] = errs[i] !== 0 ? errs[i]! : buf.subarray(start, ends[i]);
    start = ends[i]!;
  }
  return out;
}
