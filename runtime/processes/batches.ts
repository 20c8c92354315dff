/**
 * Sizes and texts of the native reader's batches, shared by the listing
 * and the refresh mode: how many tasks a batch holds, how many threads or
 * batches read at once, which files are read in one piece, and the text of
 * one task's file in a batch read back.
 */
import { ioError } from '../core/errors.js';
import { DEFAULT_THREADS, errnoError } from '../reading/native.js';
import { SINGLE_RECORD } from './task-read.js';

/** Helper threads for a sync read with these options: `threads` as a whole number from 0 to 8, or DEFAULT_THREADS. */
export function helpersOf(opts: { threads?: number }): number {
  const t = opts.threads;
  if (t === undefined) return DEFAULT_THREADS;
  return Number.isFinite(t) ? Math.max(0, Math.min(8, Math.floor(t))) : 0;
}

/** Most tasks in a batch of the native reader (the listing's and the refresh's). */
export const NATIVE_BATCH = 256;

/**
 * Tasks per batch when reading `n` tasks with the native reader: NATIVE_BATCH,
 * or fewer for a small set, so that it still makes 16 batches and every
 * thread stays busy to its end (9 batches of 256 at 2,000 processes left
 * one thread of the pool reading the last; the async listing took 0.64x of
 * C's time instead of 0.66x, in alternating runs).
 */
export const tasksPerBatch = (n: number): number => Math.max(32, Math.min(NATIVE_BATCH, Math.ceil(n / 16)));

/** Flags for the native reader, `files` repeated for `tasks` tasks: 1 for a file the kernel prints in one piece. */
export function singleFlags(files: readonly string[], tasks: number): Uint8Array {
  const k = files.length;
  const single = new Uint8Array(tasks * k);
  for (let i = 0; i < single.length; i++) single[i] = SINGLE_RECORD.has(files[i % k]!) ? 1 : 0;
  return single;
}

/**
 * The text of `file` of the task whose files start at texts[at] (in the
 * order of `files`), or the ProcfsError of the errno read in its place.
 */
export function batchText(texts: readonly (Uint8Array | number)[], at: number, files: readonly string[], dir: string, file: string): Uint8Array {
  const j = files.indexOf(file);
  if (j < 0) throw new Error(`${file} is not one of the files read for ${dir}`);
  const v = texts[at + j]!;
  if (typeof v !== 'number') return v;
  const path = `${dir}/${file}`;
  throw ioError(path, errnoError(v, path));
}

/**
 * Default `concurrency` of the async listing and of sampleAsync: with the
 * native reader, four batches at once, the whole of libuv's default thread
 * pool while a listing reads (on two cores four batches took 0.56-0.64 of
 * the sync listing's time, two 0.69-0.72, at 2,000 and 10,000 processes).
 */
export const DEFAULT_CONCURRENCY = 64;
