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
 * that file is not kept again. An async read holds its descriptor
 * (holdKept/releaseKept) while it runs in the thread pool: a descriptor
 * given up under it is closed once the last such read has ended, so that no
 * read goes to a number the system has given to another file.
 */
import { closeSync, statfsSync } from 'node:fs';
import { openFdSync, readViewSync, rereadFdSync } from './read.js';

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

/** Kept descriptor by path; Map order is the order of last use. */
const kept = new Map<string, number>();
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
  if (refused.has(path)) return undefined;
  let fd = kept.get(path);
  if (fd === undefined) {
    fd = openFdSync(path);
    if (kept.size >= MAX_KEPT) closeKept(kept.keys().next().value as string);
  } else {
    // Moved to the end: the order of the map is the order of last use.
    kept.delete(path);
  }
  kept.set(path, fd);
  return fd;
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
  const fd = kept.get(path);
  if (fd === undefined) return;
  kept.delete(path);
  if (inFlight.has(fd)) closeWhenIdle.add(fd);
  else closeQuietly(fd);
}

/** Marks an async read through `fd` as running: the descriptor stays open until releaseKept. */
export function holdKept(fd: number): void {
  inFlight.set(fd, (inFlight.get(fd) ?? 0) + 1);
}

/** Ends what holdKept began; closes the descriptor if it was given up meanwhile and no other read runs through it. */
export function releaseKept(fd: number): void {
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
