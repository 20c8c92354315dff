/**
 * The async listing: listProcesses without blocking the event loop. With
 * the native reader, batches of tasks are read in libuv's thread pool and
 * each is parsed on the main thread as it arrives (every process of a root
 * queued while the root is still listed); through node:fs, a bounded number
 * of files are read at once.
 */
import * as fs from 'node:fs';
import type { ReadContext } from '../core/context.js';
import { ProcfsError } from '../core/errors.js';
import { native, type NativeReader, type OpenPool, openPool } from '../reading/native.js';
import { readFileAsync, mapLimit } from '../reading/read.js';
import { DEFAULT_CONCURRENCY, singleFlags, tasksPerBatch } from './batches.js';
import { filesOf, type Group, plan } from './groups.js';
import { listingOf } from './internal/listing-of.js';
import { BatchTexts, batchSizeWhileListing, eachOfBatch, noteListed } from './internal/native-batches.js';
import type { Listing, ListOptions } from './listing.js';
import { listingContext, readTaskOrFail, SINGLE_RECORD, type TaskRead, type TaskResult } from './task-read.js';
import { type Task, tasksOf } from './tasks.js';

/**
 * listProcesses without blocking the event loop: with the native reader,
 * batches of tasks are read in libuv's thread pool (concurrency / 16
 * batches at once, 1 to 4); through node:fs, at most `concurrency` files
 * are read at once.
 */
export async function listProcessesAsync<G extends Group, N extends number | bigint = number>(
  root: string,
  ctx: (file: string) => ReadContext,
  opts: ListOptions<G> & { concurrency?: number },
): Promise<Listing<G, N>> {
  const p = plan(opts.groups);
  const files = filesOf(p);
  const select = opts.select ?? { all: 'processes' };
  const c = listingContext(root, ctx);
  if (native !== undefined && opts.native !== false && 'all' in select && select.all === 'processes') {
    const failedWhile: { pid: number; error: ProcfsError }[] = [];
    const got = await readWhileListingAsync(native, root, files, opts.concurrency ?? DEFAULT_CONCURRENCY, (t, read) =>
      readTaskOrFail(failedWhile, t, p, c, read),
    );
    if (got !== undefined) return listingOf<G, N>(root, got.listed, got.results, failedWhile);
  }
  const tasks = tasksOf(root, select, opts.native !== false);
  const failed: { pid: number; error: ProcfsError }[] = [];
  const results =
    native !== undefined && opts.native !== false
      ? await readBatchesAsync(native, tasks, files, opts.concurrency ?? DEFAULT_CONCURRENCY, (t, read) => readTaskOrFail(failed, t, p, c, read))
      : await readEachAsync(tasks, files, opts.concurrency ?? DEFAULT_CONCURRENCY, (t, read) => readTaskOrFail(failed, t, p, c, read));
  return listingOf<G, N>(root, tasks.length, results, failed);
}

/**
 * The async listing through node:fs: each task's files read with at most
 * `concurrency` reads at once, then parsed with the sync path over the texts.
 */
async function readEachAsync(tasks: Task[], files: string[], concurrency: number, each: (t: Task, read: TaskRead) => TaskResult): Promise<TaskResult[]> {
  return mapLimit(tasks, concurrency, async (t) => {
    const texts = new Map<string, string | ProcfsError>();
    for (const f of files) {
      try {
        texts.set(f, await readFileAsync(`${t.dir}/${f}`, SINGLE_RECORD.has(f)));
      } catch (err) {
        if (!(err instanceof ProcfsError)) throw err;
        texts.set(f, err);
        if (f === 'stat') break;
      }
    }
    return each(t, (dir, file) => {
      const v = texts.get(file);
      if (v === undefined || v instanceof ProcfsError) throw v ?? new ProcfsError('not_found', `${dir}/${file}: not read`, { file: `${dir}/${file}` });
      return v;
    });
  });
}

/**
 * The async listing through the native reader: batches of tasks read in
 * libuv's thread pool (taskPool), each parsed on the main thread as it
 * arrives while the pool reads the next. Rows keep the order of the tasks.
 */
async function readBatchesAsync(
  reader: NativeReader,
  tasks: Task[],
  files: string[],
  concurrency: number,
  each: (t: Task, read: TaskRead) => TaskResult,
): Promise<TaskResult[]> {
  const size = tasksPerBatch(tasks.length);
  const bounds = [0];
  for (let at = size; at < tasks.length; at += size) bounds.push(at);
  if (tasks.length > 0) bounds.push(tasks.length);
  const { pool, parts } = taskPool(reader, tasks, files, bounds, size, concurrency, each);
  pool.add(bounds.length - 1);
  pool.close();
  await pool.done;
  return parts.flat();
}

/**
 * An open pool (see openPool) reading batch i of `tasks` (tasks[bounds[i]]
 * up to tasks[bounds[i + 1]], bounds growing as batches are added; a batch
 * holds at most 2 * size tasks) with the native reader in libuv's thread
 * pool, and its results by batch: each batch back is handed task by task
 * to `each` into parts[i].
 */
function taskPool(
  reader: NativeReader,
  tasks: readonly Task[],
  files: string[],
  bounds: readonly number[],
  size: number,
  concurrency: number,
  each: (t: Task, read: TaskRead) => TaskResult,
): { pool: OpenPool; parts: TaskResult[][] } {
  const k = files.length;
  const single = singleFlags(files, 2 * size);
  const parts: TaskResult[][] = [];
  const view = new BatchTexts(files);
  const pool = openPool(
    concurrency,
    (index, done) => {
      const batch = tasks.slice(bounds[index], bounds[index + 1]);
      reader.readTaskFilesAsync(
        batch.map((t) => t.dir),
        files,
        single.subarray(0, batch.length * k),
        done,
      );
    },
    (index, texts) => {
      parts[index] = eachOfBatch(tasks, bounds[index]!, texts, view, each);
    },
  );
  return { pool, parts };
}

/**
 * readBatchesAsync over the processes of a procfs root, each batch queued
 * to the thread pool as soon as the listing has found its pids (the root is
 * listed a getdents piece at a time, with a turn of the event loop between
 * pieces, in which the batches back are parsed and more are queued): how
 * many were listed and each one's result, or undefined when the root cannot
 * be listed this way (not opened, out of order as no procfs lists, a name
 * too long for a pid, or no pid at all), after every batch queued is back;
 * the caller then lists it as usual, and `each` has been given nothing
 * that counts (its results are dropped).
 */
async function readWhileListingAsync(
  reader: NativeReader,
  root: string,
  files: string[],
  concurrency: number,
  each: (t: Task, read: TaskRead) => TaskResult,
): Promise<{ listed: number; results: TaskResult[] } | undefined> {
  let fd: number;
  try {
    fd = fs.openSync(root, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY);
  } catch {
    return undefined;
  }
  const size = batchSizeWhileListing(root);
  const tasks: Task[] = [];
  const bounds = [0];
  const { pool, parts } = taskPool(reader, tasks, files, bounds, size, concurrency, each);
  // Handled here as well, so that a batch failing while the listing goes on is not an unhandled rejection; awaited below.
  pool.done.catch(() => undefined);
  const pids = new Int32Array(512);
  let usable = true;
  let pieces = 0;
  try {
    for (;;) {
      const n = reader.listPidsAt(fd, pids);
      if (n <= 0) {
        usable = n === 0;
        break;
      }
      for (let i = 0; i < n && usable; i++) {
        const pid = pids[i]!;
        if (tasks.length > 0 && pid <= tasks[tasks.length - 1]!.pid) usable = false;
        else tasks.push({ dir: `${root}/${pid}`, pid, tgid: pid });
      }
      if (!usable) break;
      // Batches of `size` go to the pool as the listing finds their tasks, but for the last `size` or more found: those
      // wait for the listing's end, and go with the rest in one batch (or two), so that no batch of a few tasks costs a
      // trip through the pool of its own (66 processes: two batches of 32 and 34, not three of 32, 32 and 2).
      let queued = 0;
      while (tasks.length - bounds[bounds.length - 1]! >= 2 * size) {
        bounds.push(bounds[bounds.length - 1]! + size);
        queued++;
      }
      if (queued > 0) pool.add(queued);
      // A turn of the event loop between pieces, for the batches back to be parsed while a long listing goes on; not
      // after the first, so that a root listed in one getdents (a few hundred processes) has its end found and its
      // last batch queued at once, not a turn later.
      if (++pieces > 1) await new Promise<void>((r) => setImmediate(r));
    }
  } catch (err) {
    pool.cancel(err);
    await pool.done.catch(() => undefined);
    throw err;
  } finally {
    fs.closeSync(fd);
  }
  if (!usable || tasks.length === 0) {
    pool.cancel(new Error('listed another way'));
    await pool.done.catch(() => undefined);
    return undefined;
  }
  const added = bounds.length - 1;
  const last = bounds[added]!;
  const left = tasks.length - last;
  // The rest: one batch of up to 1.5 times the size, else two halves (each under `size`, as the rest is under 2 * size).
  if (left > size + (size >> 1)) bounds.push(last + Math.ceil(left / 2));
  if (left > 0) bounds.push(tasks.length);
  pool.add(bounds.length - 1 - added);
  pool.close();
  await pool.done;
  noteListed(root, tasks.length);
  return { listed: tasks.length, results: parts.flat() };
}
