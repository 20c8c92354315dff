/**
 * Refresh mode of the process table, for tools that sample (top-like): the
 * files of the processes watched stay open between samples (up to a budget
 * of file descriptors, the least recently used closed first) and are re-read
 * from offset 0, which costs one read instead of open, read and close. Each
 * sample picks up new processes, closes the files of those that ended, and
 * gives per-process rates from the change since the previous sample.
 */
import { closeSync } from 'node:fs';
import { isLiveProcfs, readKeptSync } from '../reading/kept-files.js';
import { parseProcStat } from '../../generated/parsers/proc/stat.js';
import type { ReadContext } from '../core/context.js';
import { difference } from '../model/measures.js';
import { batchText, DEFAULT_CONCURRENCY, helpersOf, singleFlags, tasksPerBatch } from './batches.js';
import { filesOf, type Group, type Parsed, type Plan, plan, type ProcessRow, type Stat } from './groups.js';
import { hidepidOf } from './hidepid.js';
import type { ListOptions } from './listing.js';
import { listingContext, readTaskFile, readTaskOrFail, SINGLE_RECORD, type TaskRead } from './task-read.js';
import { type Selection, type Task, tasksOf } from './tasks.js';
import { parseProcPidLimits } from '../../generated/parsers/proc/pid/limits.js';
import { ProcfsError } from '../core/errors.js';
import { native, poolBatches, textsOf, type NativeReader } from '../reading/native.js';
import { openFdSync, readFileSync, rereadFdSync } from '../reading/read.js';
import type { FileText } from '../core/bytes.js';

function outOfDescriptors(err: unknown): boolean {
  return err instanceof ProcfsError && (err.errno === 'EMFILE' || err.errno === 'ENFILE');
}

/** The soft limit on open files of this process (from its limits file), or 1024 when it cannot be read. */
function softFileLimit(): number {
  try {
    const soft = parseProcPidLimits(readFileSync('/proc/self/limits')).find((l) => l.limit === 'Max open files')?.soft;
    if (soft === undefined) return 1024;
    return soft === 'unlimited' || soft > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(soft);
  } catch {
    return 1024;
  }
}

/** Rates of one process since the previous sample (absent on its first sample). */
export interface Rates {
  /** CPU time used per wall-clock time, in percent of one CPU (200 is two CPUs busy). */
  cpuPercent: number;
  minorFaultsPerSecond: number;
  majorFaultsPerSecond: number;
  /** Bytes per second fetched from storage (with the io group). */
  readBytesPerSecond?: number;
  /** Bytes per second sent to storage (with the io group). */
  writeBytesPerSecond?: number;
}

export type MonitorRow<G extends Group, N extends number | bigint = number> = ProcessRow<G, N> & { rates?: Rates };

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
  hidden?: string;
}

/** Descriptors a budget the caller sets leaves free: reads by path, and the system files kept open (at most 64). */
const OWN_DESCRIPTORS = 128;

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

interface Watched {
  startTicks: number;
  /** Descriptor of each file of the plan (by position in `files`), -1 when not open. */
  fds: number[];
  /** How many of `fds` are open. */
  open: number;
  /** Number of the last sample that read this process (for "least recently used" and "ended"). */
  seen: number;
  /** Reader through this process's kept descriptors (made once). */
  read?: TaskRead;
  /** Texts (or errno numbers) read ahead by the native batch: this process's files start at `preAt`; valid in sample `preSample` only. */
  pre: (Uint8Array | number)[] | undefined;
  preAt: number;
  preSample: number;
  /** True while a batch of sampleAsync reads this process's descriptors: they must stay open. */
  inFlight: boolean;
  /** Counters of the previous sample (at < 0: none yet), for rates; bigints in exact mode, subtracted exactly. */
  at: number;
  cpu: number;
  minflt: number | bigint;
  majflt: number | bigint;
  readBytes: number | bigint | undefined;
  writeBytes: number | bigint | undefined;
}

export class ProcessMonitor<G extends Group, N extends number | bigint = number> {
  /** Watched tasks by task id (a pid, or a tid for thread rows: unique within one selection). */
  private readonly watched = new Map<number, Watched>();
  private openFiles = 0;
  private last = 0;
  private readonly plan: Plan;
  /** hidepid option of the procfs at the root, if any. */
  private readonly hidden: string | undefined;
  private maxOpenFiles: number;

  constructor(
    private readonly root: string,
    private readonly ctx: (file: string) => ReadContext,
    private readonly opts: MonitorOptions<G>,
  ) {
    this.plan = plan(opts.groups);
    // Mount options do not change between samples: read them once.
    this.hidden = hidepidOf(root);
    // Never more than the process may open, with room left for everything else it does:
    // by default a generous share, when the caller names a number only what procspec's own reads need.
    const soft = softFileLimit();
    this.maxOpenFiles =
      opts.maxOpenFiles === undefined
        ? Math.min(4096, Math.max(0, soft - Math.max(1024, Math.floor(soft / 8))))
        : Math.min(opts.maxOpenFiles, Math.max(0, soft - OWN_DESCRIPTORS));
  }

  /** Files kept open at most (the option, bounded by the soft RLIMIT_NOFILE, lowered when the system runs out). */
  get budget(): number {
    return this.maxOpenFiles;
  }

  /** Closes every file held open. The monitor may sample again afterwards (it reopens them). */
  close(): void {
    if (this.busy) {
      // A sampleAsync is reading some of them: closed when it settles.
      this.closing = true;
      return;
    }
    for (const w of this.watched.values()) this.closeFiles(w);
    this.watched.clear();
  }

  private closeFiles(w: Watched): void {
    for (let j = 0; j < w.fds.length; j++) {
      const fd = w.fds[j]!;
      if (fd < 0) continue;
      try {
        closeSync(fd);
      } catch {
        // Already gone: nothing held.
      }
      w.fds[j] = -1;
    }
    this.openFiles -= w.open;
    w.open = 0;
  }

  private samples = 0;

  /** Processes whose files are next to close, least recently read first (refilled in batches). */
  private victims: Watched[] = [];

  /**
   * Frees budget by closing the files of the least recently read process
   * among those not read in this sample nor the one before (a process that
   * has ended or left the selection). Processes read every sample are never
   * evicted for one another: that is the cyclic scan on which least-recently-
   * used thrashes; beyond the budget their files are read by path instead.
   * Candidates are chosen in batches, so evicting stays linear.
   */
  private evict(keep: Watched): boolean {
    const stale = this.samples - 1;
    for (;;) {
      const w = this.victims.pop();
      if (w === undefined) break;
      if (w === keep || w.open === 0 || w.seen >= stale || w.inFlight) continue;
      this.closeFiles(w);
      return true;
    }
    if (this.refilled === this.samples) return false;
    this.refilled = this.samples;
    const holders = [...this.watched.values()].filter((w) => w !== keep && w.open > 0 && w.seen < stale && !w.inFlight);
    if (holders.length === 0) return false;
    holders.sort((a, b) => b.seen - a.seen);
    this.victims = holders;
    return this.evict(keep);
  }

  /** Sample in which the eviction candidates were last gathered (once per sample is enough). */
  private refilled = 0;

  /** A reader for one task's files through its kept descriptors, opening (within the budget) what is not open. */
  private reader(w: Watched): TaskRead {
    if (w.read !== undefined) return w.read;
    const files = this.files;
    return (w.read = (dir: string, name: string): FileText => {
      // Texts read ahead for this sample; never those of an earlier one (a sample that threw before reading this task).
      if (w.pre !== undefined && w.preSample === this.samples) return batchText(w.pre, w.preAt, files, dir, name);
      const j = files.indexOf(name);
      let fd = w.fds[j]!;
      const path = `${dir}/${name}`;
      if (fd < 0) {
        if (this.openFiles >= this.maxOpenFiles && !this.evict(w)) return this.byPath(w, dir, name);
        try {
          fd = openFdSync(path);
        } catch (err) {
          if (!outOfDescriptors(err)) throw err;
          this.shed(w);
          return this.byPath(w, dir, name);
        }
        w.fds[j] = fd;
        w.open++;
        this.openFiles++;
      }
      return rereadFdSync(fd, path, SINGLE_RECORD.has(name));
    });
  }

  /** Reads a file by path; when the process is out of descriptors (others hold them), keeps fewer and tries again. */
  private byPath(w: Watched, dir: string, name: string): FileText {
    try {
      return readTaskFile(dir, name);
    } catch (err) {
      if (!outOfDescriptors(err)) throw err;
      this.shed(w);
      return readTaskFile(dir, name);
    }
  }

  /** Out of descriptors after all (other code holds some): lowers the budget and closes kept files down to it. */
  private shed(keep: Watched): void {
    this.maxOpenFiles = Math.max(0, this.openFiles - 256);
    for (const w of this.watched.values()) {
      if (this.openFiles <= this.maxOpenFiles) break;
      if (w !== keep && !w.inFlight) this.closeFiles(w);
    }
  }

  /** Files each watched process has, in the order the plan reads them. */
  private get files(): string[] {
    return (this.filesCache ??= filesOf(this.plan));
  }
  private filesCache: string[] | undefined;

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

  /** A new watched task, with no file open and no previous counters. */
  private watch(stamp: number): Watched {
    return {
      startTicks: -1,
      fds: this.files.map(() => -1),
      open: 0,
      seen: stamp,
      pre: undefined,
      preAt: 0,
      preSample: 0,
      inFlight: false,
      at: -1,
      cpu: 0,
      minflt: 0,
      majflt: 0,
      readBytes: undefined,
      writeBytes: undefined,
    };
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
      stamp: ++this.samples,
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
    if (native !== undefined && this.opts.native !== false) this.readKept(native, r);
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
      await this.readAsync(native, r);
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

  /**
   * The processes of the round whose files are all open (their kept files
   * are re-read in batches) and the index of each in the round's tasks.
   * Their descriptors are marked in flight: nothing closes them until their
   * batch has been read and stepped.
   */
  private kept(r: Round<G, N>): { ready: Watched[]; at: number[] } {
    const k = this.files.length;
    const at: number[] = [];
    const ready: Watched[] = [];
    for (let i = 0; i < r.tasks.length; i++) {
      const w = this.watched.get(r.tasks[i]!.pid);
      if (w === undefined || w.open !== k) continue;
      w.inFlight = true;
      at.push(i);
      ready.push(w);
    }
    return { ready, at };
  }

  /** The descriptors of ready[from..to), each process's files in the order of the plan. */
  private fdsOf(ready: readonly Watched[], from: number, to: number): Int32Array {
    const k = this.files.length;
    const fds = new Int32Array((to - from) * k);
    for (let i = from; i < to; i++) for (let j = 0; j < k; j++) fds[(i - from) * k + j] = ready[i]!.fds[j]!;
    return fds;
  }

  /** Steps the processes of a batch read from their kept files, ready[from] first, with the batch's texts. */
  private stepBatch(r: Round<G, N>, ready: readonly Watched[], at: readonly number[], from: number, texts: (Uint8Array | number)[]): void {
    const k = this.files.length;
    for (let i = 0; i * k < texts.length; i++) {
      const w = ready[from + i]!;
      w.inFlight = false;
      w.pre = texts;
      w.preAt = i * k;
      w.preSample = r.stamp;
      this.step(r, at[from + i]!);
    }
  }

  /**
   * sample()'s reads: the kept files re-read on this thread and `threads`
   * more (preadFdsEach), each batch stepped here as soon as it is read.
   */
  private readKept(reader: NativeReader, r: Round<G, N>): void {
    const { ready, at } = this.kept(r);
    const k = this.files.length;
    const size = tasksPerBatch(ready.length);
    try {
      reader.preadFdsEach(this.fdsOf(ready, 0, ready.length), size * k, singleFlags(this.files, size), helpersOf(this.opts), (first, texts, ends, errs) =>
        this.stepBatch(r, ready, at, first / k, textsOf(texts, ends, errs)),
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
  private async readAsync(reader: NativeReader, r: Round<G, N>): Promise<void> {
    const { ready, at } = this.kept(r);
    const k = this.files.length;
    const size = tasksPerBatch(ready.length);
    const single = singleFlags(this.files, size);
    try {
      await poolBatches(
        Math.ceil(ready.length / size),
        this.opts.concurrency ?? DEFAULT_CONCURRENCY,
        (index, read) => {
          const from = index * size;
          const n = Math.min(size, ready.length - from);
          reader.preadFdsAsync(this.fdsOf(ready, from, from + n), n === size ? single : single.subarray(0, n * k), read);
        },
        (index, texts) => this.stepBatch(r, ready, at, index * size, texts),
      );
    } finally {
      // Every batch is back (poolBatches settles only then): none of these descriptors is being read.
      for (const w of ready) w.inFlight = false;
    }
  }

  /** Reads task `i` of the round: its row (with rates) at rows[i], keep[i] set when it stays listed. */
  private step(r: Round<G, N>, i: number): void {
    r.stepped[i] = 1;
    const t = r.tasks[i]!;
    const { stamp, c, failed } = r;
    let w = this.watched.get(t.pid);
    let row: Parsed | undefined | null;
    // null: a file of the task did not parse (it is in `failed`); undefined: the task ended.
    if (w !== undefined) {
      w.seen = stamp;
      row = readTaskOrFail(failed, t, this.plan, c, this.reader(w), this.seen);
      w.pre = undefined;
      if (row === undefined && !r.relist) {
        // Gone from the listing of an earlier sample: it ended (counted below, as a process a new listing lacks).
        w.seen = 0;
        return;
      }
      if (row === null) {
        // A file of it stopped parsing (a damaged copy): reported once in `failed`, not watched, tried again next sample.
        this.closeFiles(w);
        this.watched.delete(t.pid);
        r.keep[i] = 1;
        return;
      }
      if (row === undefined || row.startTicks !== w.startTicks) {
        // The watched process ended (its files say so); the pid may now be another process: start afresh.
        this.closeFiles(w);
        this.watched.delete(t.pid);
        w = undefined;
        row = undefined;
      }
    }
    if (w === undefined) {
      w = this.watch(stamp);
      this.watched.set(t.pid, w);
      row = readTaskOrFail(failed, t, this.plan, c, this.reader(w), this.seen);
      if (row == null) {
        this.closeFiles(w);
        this.watched.delete(t.pid);
        if (row === undefined) r.gone++;
        // A task whose file did not parse is tried again (and reported again) next time, as a new listing would.
        else r.keep[i] = 1;
        return;
      }
      w.startTicks = row.startTicks as number;
      r.started++;
    }
    const s = this.stat!;
    const now = r.now;
    const cpu = s.utime + s.stime;
    const io = this.ioWanted ? (row!.io as { readBytes: number | bigint; writeBytes: number | bigint } | undefined) : undefined;
    if (w.at >= 0 && now > w.at) {
      const dt = now - w.at;
      // Counters read as bigints are subtracted as bigints; only the difference becomes a number.
      const rates: Rates = {
        cpuPercent: ((cpu - w.cpu) / dt) * 100,
        minorFaultsPerSecond: difference(s.minflt, w.minflt) / dt,
        majorFaultsPerSecond: difference(s.majflt, w.majflt) / dt,
      };
      if (io !== undefined && w.readBytes !== undefined) rates.readBytesPerSecond = difference(io.readBytes, w.readBytes) / dt;
      if (io !== undefined && w.writeBytes !== undefined) rates.writeBytesPerSecond = difference(io.writeBytes, w.writeBytes) / dt;
      row!.rates = rates;
    }
    w.at = now;
    w.cpu = cpu;
    w.minflt = s.minflt;
    w.majflt = s.majflt;
    w.readBytes = io?.readBytes;
    w.writeBytes = io?.writeBytes;
    if (row!.denied) r.denied++;
    r.rows[i] = row as MonitorRow<G, N>;
    r.keep[i] = 1;
  }

  /** Whether rows have the io group (for its rates). */
  private get ioWanted(): boolean {
    return (this.ioWantedCache ??= this.plan.others.includes('io'));
  }
  private ioWantedCache: boolean | undefined;

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
    let ended = 0;
    for (const [id, w] of this.watched) {
      if (w.seen === r.stamp) continue;
      this.closeFiles(w);
      this.watched.delete(id);
      ended++;
    }
    const out: MonitorSample<G, N> = {
      rows,
      interval: r.interval,
      started: r.started,
      ended,
      gone: r.gone,
      denied: r.denied,
      openFiles: this.openFiles,
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
