/**
 * The optional native reader (native/procread.c, prebuilt in prebuilds/ or
 * built by native/build.sh; see runtime/reading/native-load.ts): one file, or many
 * per call, each costing only its system calls. Absent (no binary for this
 * platform, or PROCSPEC_NATIVE=0): undefined, and callers read through node:fs.
 */
import { availableParallelism, constants } from 'node:os';
import { loadNative } from './native-load.js';

export interface NativeReader {
  /** One file into `buf`: its length, -errno, or a new Buffer when the text is longer than `buf`. */
  readFile(path: string, buf: Buffer, single: boolean): number | Buffer;
  /** readFile on a kept descriptor, from offset 0. */
  preadFd(fd: number, buf: Buffer, single: boolean): number | Buffer;
  /**
   * The files `files` of every folder of `dirs` (file j of folder d is index
   * d * files.length + j), read on this thread and up to `helpers` helper
   * threads (kept by the module for the life of the process), in batches of
   * `per` files (a multiple of files.length; `single` has the flags of one
   * batch): `each` gets every batch in order, on this thread, as soon as it
   * is read, while the helpers read the others.
   */
  readTaskFilesEach(dirs: readonly string[], files: readonly string[], per: number, single: Uint8Array, helpers: number, each: BatchEach): void;
  /** readTaskFilesEach of kept descriptors, each re-read from offset 0. */
  preadFdsEach(fds: Int32Array, per: number, single: Uint8Array, helpers: number, each: BatchEach): void;
  /**
   * readTaskFilesEach over the pid folders of a procfs root, reading from
   * the first pids listed on: `listed` gets every pid in order once the
   * listing has ended, then `each` every batch. 1 when done; -errno when the
   * root cannot be listed, 0 when its names are not those of procfs (a name
   * of digits too long for a pid, pids out of order): nothing handed on.
   */
  readProcessesEach(
    root: string,
    files: readonly string[],
    per: number,
    single: Uint8Array,
    helpers: number,
    listed: (pids: Int32Array) => void,
    each: BatchEach,
  ): number;
  /** The next pids of a folder open at `fd` into `out` (room for 512): how many, 0 at its end, -errno, or -EOVERFLOW for a name of digits too long for a pid. */
  listPidsAt(fd: number, out: Int32Array): number;
  /** The pid folders of a procfs root in getdents' order; -errno when it cannot be listed, 0 when a name of digits is too long for a pid. */
  listPids(root: string): Int32Array | number;
  /** One batch of readTaskFilesEach in libuv's thread pool: `done` gets its texts, where each file ends, and each file's errno (0: read). */
  readTaskFilesAsync(dirs: readonly string[], files: readonly string[], single: Uint8Array, done: BatchDone): void;
  /** One batch of preadFdsEach in the thread pool (the descriptors must stay open until `done` runs). */
  preadFdsAsync(fds: Int32Array, single: Uint8Array, done: BatchDone): void;
}

/** What a batch of readTaskFilesEach or preadFdsEach gives: the index of its first file, the texts, where each file ends, each file's errno (0: read). */
export type BatchEach = (first: number, texts: Buffer, ends: Int32Array, errs: Int32Array) => void;

/**
 * Threads that read beside the calling one in a sync listing or sample
 * (the `threads` option's default): one fewer than the cores this process
 * may use, at most 3 (on this project's two-core machine 2 and 3 helpers
 * took as long as 1; more cores than that were not measured).
 */
export const DEFAULT_THREADS = Math.max(0, Math.min(3, availableParallelism() - 1));

/**
 * Loads a native module (runtime/reading/native-load.ts: the prebuilt binary for this
 * platform, else native/build/<name>.node, else none): the module, or an
 * Error saying what was tried and why it did not load.
 */
export function loadNativeModule<T>(name: string): T | Error {
  return loadNative<T>(name);
}

/** A native module for a speed-up that has a fallback: undefined when it is not available or PROCSPEC_NATIVE=0. */
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
  const pool = openPool(concurrency, start, each);
  pool.add(count);
  pool.close();
  return pool.done;
}

/** poolBatches whose batches are added as they become known (the async listing adds them while it lists). */
export interface OpenPool {
  /** Makes `n` more batches known (their indices follow those before); they are queued as the pool has room. */
  add(n: number): void;
  /** No more batches: `done` settles once every batch is back. */
  close(): void;
  /** Queues nothing more and makes `done` reject with `why` once no batch is out. */
  cancel(why: unknown): void;
  readonly done: Promise<void>;
}

/** An open-ended poolBatches: batches are added with `add` until `close` (see poolBatches). */
export function openPool(
  concurrency: number,
  start: (index: number, done: BatchDone) => void,
  each: (index: number, texts: (Uint8Array | number)[]) => void,
): OpenPool {
  const inFlight = Math.max(1, Math.min(4, Math.floor(concurrency / 16)));
  let count = 0;
  let closed = false;
  let queued = 0;
  let running = 0;
  let failed = false;
  let error: unknown;
  let resolve!: () => void;
  let reject!: (e: unknown) => void;
  const done = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  const fail = (e: unknown): void => {
    if (failed) return;
    failed = true;
    error = e;
  };
  const settle = (): void => {
    if (running > 0 || (!failed && (!closed || queued < count))) return;
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
  return {
    add(n) {
      count += n;
      queue();
      settle();
    },
    close() {
      closed = true;
      settle();
    },
    cancel(why) {
      fail(why);
      settle();
    },
    done,
  };
}

/** The files of a native batch (read into a buffer of its own): each file's bytes, or its errno number. */
export function textsOf(texts: Buffer, ends: Int32Array, errs: Int32Array): (Uint8Array | number)[] {
  const out: (Uint8Array | number)[] = new Array(ends.length);
  let start = 0;
  for (let i = 0; i < ends.length; i++) {
    out[i] = errs[i] !== 0 ? errs[i]! : texts.subarray(start, ends[i]);
    start = ends[i]!;
  }
  return out;
}
