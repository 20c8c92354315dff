/**
 * Refresh mode of the process table, for tools that sample (top-like): the
 * files of the processes watched stay open between samples (monitor-kept.ts)
 * and are re-read, in batches with the native reader (monitor-reads.ts).
 * Each sample picks up new processes, closes the files of those that ended,
 * and gives per-process rates from the change since the previous sample
 * (monitor-rates.ts). Built on the listing's modules as any caller could be:
 * the task folders of a selection (tasks.ts), rows read by readTask
 * (task-read.ts), the plan of the groups (groups.ts).
 */
import { parseProcStat } from '../../generated/parsers/proc/stat.js';
import type { ReadContext } from '../core/context.js';
import { ProcfsError } from '../core/errors.js';
import { isLiveProcfs, readKeptSync } from '../reading/kept-files.js';
import { native } from '../reading/native.js';
import { DEFAULT_CONCURRENCY, helpersOf } from './batches.js';
import { filesOf, type Group, type Plan, plan, type ProcessRow, type Stat } from './groups.js';
import { hidepidOf } from './hidepid.js';
import type { ListOptions } from './listing.js';
import { KeptFiles } from './monitor-kept.js';
import { rereadKept, rereadKeptAsync, type Step } from './monitor-reads.js';
import { type IoCounters, type Rates, stepRates } from './monitor-rates.js';
import { listingContext, readTaskOrFail, type TaskResult } from './task-read.js';
import { type Selection, type Task, tasksOf } from './tasks.js';

/** A row of a sample: a listing's row, with its rates from the second sample of its process on. */
export type MonitorRow<G extends Group, N extends number | bigint = number> = ProcessRow<G, N> & { rates?: Rates };

/** One sample: its rows and what changed since the previous one. */
export interface MonitorSample<G extends Group, N extends number | bigint = number> {
  rows: MonitorRow<G, N>[];
  /** Seconds since the previous sample (0 for the first). */
  interval: number;
  /** Processes seen for the first time. */
  started: number;
  /** Processes watched before that have ended. */
  ended: number;
  /** Processes that ended while being read. */
  gone: number;
  /** Processes left out because a file of theirs did not parse (a damaged copy): the pid and the error. */
  failed?: { pid: number; error: ProcfsError }[];
  /** Rows with a group left out for lack of permission or support. */
  denied: number;
  /** Files held open for the next sample. */
  openFiles: number;
  /** Whether the root was listed for this sample; false when no task had been created since the last listing, so the tasks it had were re-read. */
  listed: boolean;
  /** hidepid option of the procfs at the root, when it hides processes (see Listing). */
  hidden?: string;
}

/** What to watch and how (a listing's options, and the refresh mode's). */
export interface MonitorOptions<G extends Group> extends ListOptions<G> {
  /**
   * Most files kept open between samples. Default 4096, at most the soft
   * descriptor limit less an eighth of it (at least 1024 left for the rest of
   * the program); a number given here may go up to the soft limit less 128
   * (room for the reads by path and the kept system files). Beyond it, files
   * of processes that stopped being read are closed, least recently read
   * first, and the others are read by path.
   */
  maxOpenFiles?: number;
  /**
   * sampleAsync: files read at once, as for processesAsync (default 64). With
   * the native reader, batches of 256 processes are read `concurrency / 16`
   * at a time (1 to 4: the size of libuv's thread pool; the default takes
   * all four of its threads while a sample reads, 32 leaves two).
   */
  concurrency?: number;
}

/** Samples the processes of a selection again and again, their files kept open (see MonitorOptions). */
export class ProcessMonitor<G extends Group, N extends number | bigint = number> {
  private readonly kept: KeptFiles;
  private last = 0;
  private readonly plan: Plan;
  /** hidepid option of the procfs at the root, if any. */
  private readonly hidden: string | undefined;
  /** Whether rows have the io group (for its rates). */
  private readonly ioWanted: boolean;

  constructor(
    private readonly root: string,
    private readonly ctx: (file: string) => ReadContext,
    private readonly opts: MonitorOptions<G>,
  ) {
    this.plan = plan(opts.groups);
    this.ioWanted = this.plan.others.includes('io');
    // Mount options do not change between samples: read them once.
    this.hidden = hidepidOf(root);
    this.kept = new KeptFiles(filesOf(this.plan), opts.maxOpenFiles);
  }

  /** Files kept open at most (the option, bounded by the soft RLIMIT_NOFILE, lowered when the system runs out). */
  get budget(): number {
    return this.kept.budget;
  }

  /** Closes every file held open. The monitor may sample again afterwards (it reopens them). */
  close(): void {
    if (this.busy) {
      // A sampleAsync is reading some of them: closed when it settles.
      this.closing = true;
      return;
    }
    this.kept.closeAll();
  }

  /** The stat of the task read last (set by readTask through `seen`). */
  private stat: Stat | undefined;
  private readonly seen = (s: Stat): void => {
    this.stat = s;
  };

  /** The selection, and whether a task can join it only by being created (see forks). */
  private get select(): Selection {
    return this.opts.select ?? { all: 'processes' };
  }

  /** The tasks of the last sample that gave rows, for a sample that need not list the root again. */
  private tasks: Task[] | undefined;
  /** Tasks created since boot when the root was last listed. */
  private listedAtForks: number | undefined;
  /** Whether this root is a live procfs (its task counter moves with the folders), checked once. */
  private live: boolean | undefined;

  /**
   * The number of tasks (processes and threads) the kernel has created since
   * boot, from the root's stat: while it stays the same, no task folder can
   * have appeared, so a sample re-reads the tasks it has instead of listing
   * the root (the costliest part of a sample after the reads). Undefined,
   * and the root is listed every time, when that does not hold: a root that
   * is not a live procfs (a captured copy), or a selection that a task can
   * join without being created (the children of a subreaper gain orphans).
   */
  private forks(): number | undefined {
    if ('childrenOf' in this.select) return undefined;
    this.live ??= isLiveProcfs(this.root);
    if (!this.live) return undefined;
    try {
      return parseProcStat(readKeptSync(`${this.root}/stat`, true)).processes;
    } catch {
      return undefined;
    }
  }

  /** State of the sample being taken: what sample() and sampleAsync() share. */
  private begin(): Round<G, N> {
    if (this.busy) throw new ProcfsError('unsupported', 'monitor: a sample is already being taken (wait for sampleAsync to settle)');
    const now = performance.now() / 1000;
    const interval = this.last === 0 ? 0 : now - this.last;
    this.last = now;
    const forks = this.forks();
    // No task was created since the last listing: its tasks are still all there are (some may have ended).
    const relist = forks === undefined || forks !== this.listedAtForks || this.tasks === undefined;
    const tasks = relist ? tasksOf(this.root, this.select, this.opts.native !== false) : this.tasks!;
    return {
      now,
      interval,
      forks,
      relist,
      tasks,
      stamp: this.kept.nextSample(),
      c: listingContext(this.root, this.ctx),
      rows: new Array(tasks.length),
      keep: new Uint8Array(tasks.length),
      stepped: new Uint8Array(tasks.length),
      started: 0,
      gone: 0,
      denied: 0,
      failed: [],
    };
  }

  /** Reads every watched process once more, and the new ones. */
  sample(): MonitorSample<G, N> {
    const r = this.begin();
    if (native !== undefined && this.opts.native !== false) rereadKept(native, this.kept, r.tasks, helpersOf(this.opts), this.stepOf(r));
    for (let i = 0; i < r.tasks.length; i++) if (r.stepped[i] === 0) this.step(r, i);
    return this.finish(r);
  }

  /**
   * sample() without blocking the event loop on the kept files: with the
   * native reader, they are re-read in libuv's thread pool, a batch at a
   * time, and each batch is parsed on this thread while the pool reads the
   * next. Files not yet open (a process seen for the first time, and every
   * process on the first sample) are opened and read here, as sample() does.
   * Without the native reader it is sample(). One sample at a time: another
   * sample() or sampleAsync() before this one settles throws, and close()
   * waits for it.
   */
  async sampleAsync(): Promise<MonitorSample<G, N>> {
    if (native === undefined || this.opts.native === false) return this.sample();
    const r = this.begin();
    this.busy = true;
    try {
      await rereadKeptAsync(native, this.kept, r.tasks, this.opts.concurrency ?? DEFAULT_CONCURRENCY, this.stepOf(r));
      for (let i = 0; i < r.tasks.length; i++) if (r.stepped[i] === 0) this.step(r, i);
    } finally {
      this.busy = false;
      if (this.closing) {
        this.closing = false;
        this.close();
      }
    }
    return this.finish(r);
  }

  /** Whether a sampleAsync is reading, and whether close() was called meanwhile. */
  private busy = false;
  private closing = false;

  /** The step of round `r` that the batch reads call for each task they read ahead (one per sample). */
  private stepOf(r: Round<G, N>): Step {
    return (i) => this.step(r, i);
  }

  /** Reads task `i` of the round: its row (with rates) at rows[i], keep[i] set when it stays listed. */
  private step(r: Round<G, N>, i: number): void {
    r.stepped[i] = 1;
    const t = r.tasks[i]!;
    const { stamp, c, failed } = r;
    const kept = this.kept;
    let w = kept.get(t.pid);
    // null: a file of the task did not parse (it is in `failed`); undefined: the task ended.
    let row: TaskResult;
    if (w !== undefined) {
      w.seen = stamp;
      row = readTaskOrFail(failed, t, this.plan, c, kept.reader(w), this.seen);
      w.pre = undefined;
      if (row === undefined && !r.relist) {
        // Gone from the listing of an earlier sample: it ended (counted below, as a process a new listing lacks).
        w.seen = 0;
        return;
      }
      if (row === null) {
        // A file of it stopped parsing (a damaged copy): reported once in `failed`, not watched, tried again next sample.
        kept.forget(t.pid, w);
        r.keep[i] = 1;
        return;
      }
      if (row === undefined || row.startTicks !== w.startTicks) {
        // The watched process ended (its files say so); the pid may now be another process: start afresh.
        kept.forget(t.pid, w);
        w = undefined;
        row = undefined;
      }
    }
    if (w === undefined) {
      w = kept.watch(t.pid, stamp);
      row = readTaskOrFail(failed, t, this.plan, c, kept.reader(w), this.seen);
      if (row == null) {
        kept.forget(t.pid, w);
        if (row === undefined) r.gone++;
        // A task whose file did not parse is tried again (and reported again) next time, as a new listing would.
        else r.keep[i] = 1;
        return;
      }
      w.startTicks = row.startTicks as number;
      r.started++;
    }
    const io = this.ioWanted ? (row!.io as IoCounters | undefined) : undefined;
    const rates = stepRates(w, this.stat!, io, r.now);
    if (rates !== undefined) row!.rates = rates;
    if (row!.denied) r.denied++;
    r.rows[i] = row as MonitorRow<G, N>;
    r.keep[i] = 1;
  }

  /** The sample from a round whose tasks have all been stepped: rows in the order of the tasks; closes the files of processes that ended. */
  private finish(r: Round<G, N>): MonitorSample<G, N> {
    const rows: MonitorRow<G, N>[] = [];
    const kept: Task[] = [];
    for (let i = 0; i < r.tasks.length; i++) {
      const row = r.rows[i];
      if (row !== undefined) rows.push(row);
      if (r.keep[i] === 1) kept.push(r.tasks[i]!);
    }
    this.tasks = kept;
    if (r.relist) this.listedAtForks = r.forks;
    const ended = this.kept.endUnread(r.stamp);
    const out: MonitorSample<G, N> = {
      rows,
      interval: r.interval,
      started: r.started,
      ended,
      gone: r.gone,
      denied: r.denied,
      openFiles: this.kept.openFiles,
      listed: r.relist,
    };
    if (r.failed.length > 0) out.failed = r.failed;
    if (this.hidden !== undefined) out.hidden = this.hidden;
    return out;
  }
}

/** One sample being taken. */
interface Round<G extends Group, N extends number | bigint> {
  now: number;
  interval: number;
  forks: number | undefined;
  relist: boolean;
  tasks: Task[];
  stamp: number;
  c: ReadContext;
  /** Each task's row, by its index in `tasks` (none: gone, failed or ended). */
  rows: (MonitorRow<G, N> | undefined)[];
  /** 1 for a task the next sample may re-read without listing the root. */
  keep: Uint8Array;
  /** 1 for a task read in this round (its step taken). */
  stepped: Uint8Array;
  started: number;
  gone: number;
  denied: number;
  failed: { pid: number; error: ProcfsError }[];
}
