/**
 * The listing's plumbing for the native reader's batches: a reader over a
 * batch's texts, pointed at one task after another (one per listing, not
 * one per task), and the size of the batches read while a root is listed.
 */
import { batchText, NATIVE_BATCH, tasksPerBatch } from '../batches.js';
import type { TaskRead } from '../task-read.js';
import type { Task } from '../tasks.js';

/** A reader over the texts of a batch (each task's files in the order of `files`), pointed at one task after another. */
export class BatchTexts {
  private texts: readonly (Uint8Array | number)[] = [];
  private at = 0;
  constructor(readonly files: readonly string[]) {}

  /** Makes `read` give the texts of the task whose first file is texts[first]. */
  point(texts: readonly (Uint8Array | number)[], first: number): void {
    this.texts = texts;
    this.at = first;
  }

  readonly read: TaskRead = (dir, file) => batchText(this.texts, this.at, this.files, dir, file);
}

/** Hands each task of a batch (tasks[at] first) with a reader of its texts to `each`; their results, in order. */
export function eachOfBatch<R>(
  tasks: readonly Task[],
  at: number,
  texts: readonly (Uint8Array | number)[],
  view: BatchTexts,
  each: (t: Task, read: TaskRead) => R,
): R[] {
  const k = view.files.length;
  const out: R[] = new Array(texts.length / k);
  for (let i = 0; i < out.length; i++) {
    view.point(texts, i * k);
    out[i] = each(tasks[at + i]!, view.read);
  }
  return out;
}

/** How many processes the last listing of each root found. */
const lastListed = new Map<string, number>();

/** Tasks per batch when reading a root while it is listed: what tasksPerBatch chose for as many processes as its last listing found. */
export const batchSizeWhileListing = (root: string): number => tasksPerBatch(lastListed.get(root) ?? NATIVE_BATCH * 16);

/** Notes how many processes a listing of `root` found (for batchSizeWhileListing). */
export function noteListed(root: string, n: number): void {
  lastListed.set(root, n);
}
