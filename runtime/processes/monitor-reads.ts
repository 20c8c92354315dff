/**
 * The refresh mode's batch reads: with the native reader, the kept files of
 * every process whose files are all open are re-read in batches (on this
 * thread and helper threads for sample(), in libuv's thread pool for
 * sampleAsync()), and each process is stepped as soon as its batch is back,
 * with the texts read ahead for it (Watched.pre).
 */
import { type NativeReader, poolBatches, textsOf } from '../reading/native.js';
import { singleFlags, tasksPerBatch } from './batches.js';
import type { KeptFiles, Watched } from './monitor-kept.js';
import type { Task } from './tasks.js';

/** Reads task `i` of the sample (by its index in the sample's tasks). */
export type Step = (i: number) => void;

/**
 * sample()'s reads: the kept files re-read on this thread and `threads`
 * more (preadFdsEach), each batch stepped here as soon as it is read.
 */
export function rereadKept(reader: NativeReader, kept: KeptFiles, tasks: readonly Task[], threads: number, step: Step): void {
  const { ready, at } = readyOf(kept, tasks);
  const k = kept.files.length;
  const size = tasksPerBatch(ready.length);
  try {
    reader.preadFdsEach(fdsOf(k, ready, 0, ready.length), size * k, singleFlags(kept.files, size), threads, (first, texts, ends, errs) =>
      stepBatch(kept, ready, at, first / k, textsOf(texts, ends, errs), step),
    );
  } finally {
    // The call has returned: none of these descriptors is being read.
    for (const w of ready) w.inFlight = false;
  }
}

/**
 * sampleAsync's reads: the kept files re-read in the thread pool
 * (tasksPerBatch processes per batch, `concurrency` / 16 batches at once),
 * each batch stepped as it arrives. Settles once no batch is out, with
 * the tasks stepped, or the first error.
 */
export async function rereadKeptAsync(reader: NativeReader, kept: KeptFiles, tasks: readonly Task[], concurrency: number, step: Step): Promise<void> {
  const { ready, at } = readyOf(kept, tasks);
  const k = kept.files.length;
  const size = tasksPerBatch(ready.length);
  const single = singleFlags(kept.files, size);
  try {
    await poolBatches(
      Math.ceil(ready.length / size),
      concurrency,
      (index, read) => {
        const from = index * size;
        const n = Math.min(size, ready.length - from);
        reader.preadFdsAsync(fdsOf(k, ready, from, from + n), n === size ? single : single.subarray(0, n * k), read);
      },
      (index, texts) => stepBatch(kept, ready, at, index * size, texts, step),
    );
  } finally {
    // Every batch is back (poolBatches settles only then): none of these descriptors is being read.
    for (const w of ready) w.inFlight = false;
  }
}

/**
 * The processes among `tasks` whose files are all open (their kept files
 * are re-read in batches) and the index of each in `tasks`. Their
 * descriptors are marked in flight: nothing closes them until their batch
 * has been read and stepped.
 */
function readyOf(kept: KeptFiles, tasks: readonly Task[]): { ready: Watched[]; at: number[] } {
  const k = kept.files.length;
  const at: number[] = [];
  const ready: Watched[] = [];
  for (let i = 0; i < tasks.length; i++) {
    const w = kept.get(tasks[i]!.pid);
    if (w === undefined || w.open !== k) continue;
    w.inFlight = true;
    at.push(i);
    ready.push(w);
  }
  return { ready, at };
}

/** The descriptors of ready[from..to), each process's `k` files in the order of the plan. */
function fdsOf(k: number, ready: readonly Watched[], from: number, to: number): Int32Array {
  const fds = new Int32Array((to - from) * k);
  for (let i = from; i < to; i++) for (let j = 0; j < k; j++) fds[(i - from) * k + j] = ready[i]!.fds[j]!;
  return fds;
}

/** Steps the processes of a batch read from their kept files, ready[from] first, with the batch's texts. */
function stepBatch(kept: KeptFiles, ready: readonly Watched[], at: readonly number[], from: number, texts: (Uint8Array | number)[], step: Step): void {
  const k = kept.files.length;
  const stamp = kept.sample;
  for (let i = 0; i * k < texts.length; i++) {
    const w = ready[from + i]!;
    w.inFlight = false;
    w.pre = texts;
    w.preAt = i * k;
    w.preSample = stamp;
    step(at[from + i]!);
  }
}
