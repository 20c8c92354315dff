/**
 * The sync listing: the task folders a selection names, each read into a
 * row, through the native reader in batches (on this thread and helper
 * threads; every process of a root read while the root is still listed)
 * or through node:fs one file at a time.
 */
import type { ReadContext } from '../core/context.js';
import type { ProcfsError } from '../core/errors.js';
import { native, type NativeReader, textsOf } from '../reading/native.js';
import { helpersOf, singleFlags, tasksPerBatch } from './batches.js';
import { filesOf, type Group, plan } from './groups.js';
import { listingOf } from './internal/listing-of.js';
import { BatchTexts, batchSizeWhileListing, eachOfBatch, noteListed } from './internal/native-batches.js';
import type { Listing, ListOptions } from './listing.js';
import { listingContext, readTaskFile, readTaskOrFail, type TaskRead, type TaskResult } from './task-read.js';
import { type Task, tasksOf } from './tasks.js';

/** Lists processes or threads of a /proc root with the requested groups, synchronously. */
export function listProcesses<G extends Group, N extends number | bigint = number>(
  root: string,
  ctx: (file: string) => ReadContext,
  opts: ListOptions<G>,
): Listing<G, N> {
  const p = plan(opts.groups);
  const select = opts.select ?? { all: 'processes' };
  const c = listingContext(root, ctx);
  const failed: { pid: number; error: ProcfsError }[] = [];
  const results: TaskResult[] = [];
  if (native !== undefined && opts.native !== false && 'all' in select && select.all === 'processes') {
    const listed = readWhileListing(native, root, filesOf(p), helpersOf(opts), (t, read) => results.push(readTaskOrFail(failed, t, p, c, read)));
    if (listed >= 0) return listingOf<G, N>(root, listed, results, failed);
  }
  const tasks = tasksOf(root, select, opts.native !== false);
  if (native !== undefined && opts.native !== false) {
    readBatches(native, tasks, filesOf(p), helpersOf(opts), (t, read) => results.push(readTaskOrFail(failed, t, p, c, read)));
  } else {
    for (const t of tasks) results.push(readTaskOrFail(failed, t, p, c, readTaskFile));
  }
  return listingOf<G, N>(root, tasks.length, results, failed);
}

/**
 * Reads the files of `tasks` with the native reader, on this thread and
 * `threads` more (readTaskFilesEach), and hands each task with a reader of
 * its texts to `each`, in order, batch by batch as they are read.
 */
function readBatches(reader: NativeReader, tasks: Task[], files: string[], threads: number, each: (t: Task, read: TaskRead) => void): void {
  const k = files.length;
  const size = tasksPerBatch(tasks.length);
  const view = new BatchTexts(files);
  reader.readTaskFilesEach(
    tasks.map((t) => t.dir),
    files,
    size * k,
    singleFlags(files, size),
    threads,
    (first, buf, ends, errs) => eachOfBatch(tasks, first / k, textsOf(buf, ends, errs), view, each),
  );
}

/**
 * The processes of a procfs root read as readBatches does, the reading
 * started while the root is still being listed (readProcessesEach): how
 * many were listed, or -1 when the native reader cannot list this root
 * that way or found no pid in it (nothing was handed to `each`; the caller
 * lists it as usual).
 */
function readWhileListing(reader: NativeReader, root: string, files: string[], threads: number, each: (t: Task, read: TaskRead) => void): number {
  const k = files.length;
  const size = batchSizeWhileListing(root);
  const view = new BatchTexts(files);
  let tasks: Task[] = [];
  const done = reader.readProcessesEach(
    root,
    files,
    size * k,
    singleFlags(files, size),
    threads,
    (pids) => {
      tasks = new Array<Task>(pids.length);
      for (let i = 0; i < pids.length; i++) tasks[i] = { dir: `${root}/${pids[i]}`, pid: pids[i]!, tgid: pids[i]! };
    },
    (first, buf, ends, errs) => eachOfBatch(tasks, first / k, textsOf(buf, ends, errs), view, each),
  );
  // No pid at all: the usual listing tells an empty root from one that is not a procfs.
  if (done !== 1 || tasks.length === 0) return -1;
  noteListed(root, tasks.length);
  return tasks.length;
}
