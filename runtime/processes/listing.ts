/**
 * The process table: enumerate processes or threads the ways the kernel's
 * task_diag proposal selects them, and read only the files the requested
 * attribute groups need (base, cpu and memory all come from one read of
 * stat). Each row is one process incarnation, identified by its pid and its
 * start time in clock ticks since boot; a process that ends while it is read
 * is counted as gone and never half-filled; a group the reader may not see
 * is left out of that row with the reason. This module: what a listing is
 * asked for (ListOptions) and what it gives (Listing); list-processes.ts
 * and list-processes-async.ts make one.
 */
import type { ProcfsError } from '../core/errors.js';
import type { Group, ProcessRow } from './groups.js';
import type { Selection } from './tasks.js';

/** A listing: its rows, and what became of the tasks that gave none. */
export interface Listing<G extends Group, N extends number | bigint = number> {
  rows: ProcessRow<G, N>[];
  /** Task folders the root listed: each became a row, was gone by the time it was read, or failed (listed = rows + gone + failed). */
  listed: number;
  /** Processes that ended between being listed and being read (or while being read). */
  gone: number;
  /** Rows with a group left out for lack of permission or support. */
  denied: number;
  /** When the folder holds fewer processes than exist because /proc is mounted with hidepid: the option (from the mount table as it was at most a second before). */
  hidden?: string;
  /** Tasks left out because a file of theirs did not parse (never seen from a kernel; a damaged copy): the pid and the parse error. */
  failed?: { pid: number; error: ProcfsError }[];
}

/** What to list and how to read it. */
export interface ListOptions<G extends Group> {
  /** The attribute groups each row gets. */
  groups: readonly G[];
  /** Which tasks to list (default: every process). */
  select?: Selection;
  /** Use the native reader when it is built (default true); false reads through node:fs. */
  native?: boolean;
  /**
   * Sync reads with the native reader: threads that read files beside the
   * calling one, 0 to 8 (default DEFAULT_THREADS: one fewer than the cores,
   * at most 3; 0 reads on the calling thread alone). The calling thread
   * still parses every file, in order, while they read.
   */
  threads?: number;
}
