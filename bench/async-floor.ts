/**
 * What an async listing cannot avoid on this machine (issue #26, target 4):
 * each batch goes to libuv's thread pool and comes back through the event
 * loop, waking a pool thread and then the main thread. An empty batch
 * (preadFdsAsync of no descriptor) does only that; its round trip, beside
 * the number of batches an async listing sends, says how much of the
 * async listing's time over the sync one is that handoff.
 */
import type { ProcFs } from '../dist/runtime/index.js';
import { native } from '../dist/runtime/reading/native.js';
import { median } from './measure.js';

/** Median microseconds of an empty batch's round trip through the pool, over `n` trips one after another. */
async function emptyTrip(n: number): Promise<number> {
  const trips: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    await new Promise<void>((resolve) => native!.preadFdsAsync(new Int32Array(0), new Uint8Array(0), () => resolve()));
    trips.push(Number(process.hrtime.bigint() - t0) / 1000);
  }
  return median(trips);
}

/** The batches one async listing of `groups` sends to the pool (counted by wrapping the native call). */
async function batchesOf(fs: ProcFs, groups: readonly string[]): Promise<number> {
  const reader = native!;
  const real = reader.readTaskFilesAsync;
  let batches = 0;
  reader.readTaskFilesAsync = (...args) => {
    batches++;
    return real.apply(reader, args);
  };
  try {
    await fs.processesAsync({ groups: [...groups] as never });
  } finally {
    reader.readTaskFilesAsync = real;
  }
  return batches;
}

/** A line for the bench's notes, or undefined without the native reader. */
export async function asyncFloor(fs: ProcFs, groups: readonly string[], count: number): Promise<string | undefined> {
  if (native === undefined) return undefined;
  const trip = await emptyTrip(200);
  const batches = await batchesOf(fs, groups);
  return `async listing at ${count} processes: ${batches} batches to libuv's thread pool; an empty batch's round trip (a pool thread woken, then the main thread) takes ${trip.toFixed(1)} µs (median of 200)`;
}
