/**
 * Refresh mode of the process table, for tools that sample (top-like): the
 * files of the processes watched stay open between samples (up to a budget
 * of file descriptors, the least recently used closed first) and are re-read
 * from offset 0, which costs one read instead of open, read and close. Each
 * sample picks up new processes, closes the files of those that ended, and
 * gives per-process rates from the change since the previous sample.
 */
import { closeSync } from 'node:fs';
import type { ProcPidStat } from '../generated/types/proc/pid/stat.js';
import type { ParseContext } from './context.js';
import { filesOf, hidepidOf, listingContext, plan, readTaskFile, readTaskOrFail, SINGLE_RECORD, tasksOf, type Group, type ListOptions, type Parsed, type Plan, type ProcessRow, type TaskRead } from './processes.js';
import { parseProcPidLimits } from '../generated/parsers/proc/pid/limits.js';
import { ioError, ProcfsError } from './errors.js';
import { errnoError, native, readBatch, type NativeReader } from './native.js';
import { openFdSync, readFileSync, rereadFdSync } from './read.js';

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

export type MonitorRow<G extends Group> = ProcessRow<G> & { rates?: Rates };

export interface MonitorSample<G extends Group> {
  rows: MonitorRow<G>[];
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
  hidden?: string;
}

/** Processes re-read per call of the native reader. */
const BATCH = 256;

export interface MonitorOptions<G extends Group> extends ListOptions<G> {
  /** Use the native batch reader when it is built (default true). */
  native?: boolean;
  /** Most files kept open between samples; default 4096, and never more than the soft descriptor limit allows. Beyond it, files of processes that stopped being read are closed, least recently read first, and the others are read by path. */
  maxOpenFiles?: number;
}

interface Watched {
  startTicks: number;
  fds: Map<string, number>;
  /** Number of the last sample that read this process (for "least recently used" and "ended"). */
  seen: number;
  /** Reader through this process's kept descriptors (made once). */
  read?: TaskRead;
  /** Texts (or errno numbers) read ahead by the native batch for this sample, by file of `files`. */
  pre?: (string | number)[];
  prev?: { at: number; cpu: number; minflt: number; majflt: number; read?: number; write?: number };
}

export class ProcessMonitor<G extends Group> {
  private readonly watched = new Map<string, Watched>();
  private openFiles = 0;
  private last = 0;
  private readonly plan: Plan;
  /** hidepid option of the procfs at the root, if any. */
  private readonly hidden: string | undefined;
  private maxOpenFiles: number;

  constructor(
    private readonly root: string,
    private readonly ctx: (file: string) => ParseContext,
    private readonly opts: MonitorOptions<G>,
  ) {
    this.plan = plan(opts.groups);
    // Mount options do not change between samples: read them once.
    this.hidden = hidepidOf(root);
    // Never more than the process may open, with room left for everything else it does.
    const soft = softFileLimit();
    this.maxOpenFiles = Math.min(opts.maxOpenFiles ?? 4096, Math.max(0, soft - Math.max(1024, Math.floor(soft / 8))));
  }

  /** Files kept open at most (the option, bounded by the soft RLIMIT_NOFILE, lowered when the system runs out). */
  get budget(): number {
    return this.maxOpenFiles;
  }

  /** Closes every file held open. The monitor may sample again afterwards (it reopens them). */
  close(): void {
    for (const w of this.watched.values()) this.closeFiles(w);
    this.watched.clear();
  }

  private closeFiles(w: Watched): void {
    for (const fd of w.fds.values()) {
      try {
        closeSync(fd);
      } catch {
        // Already gone: nothing held.
      }
    }
    this.openFiles -= w.fds.size;
    w.fds.clear();
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
      if (w === keep || w.fds.size === 0 || w.seen >= stale) continue;
      this.closeFiles(w);
      return true;
    }
    if (this.refilled === this.samples) return false;
    this.refilled = this.samples;
    const holders = [...this.watched.values()].filter((w) => w !== keep && w.fds.size > 0 && w.seen < stale);
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
    return (w.read = (dir: string, name: string): string => {
      if (w.pre !== undefined) {
        const v = w.pre[this.files.indexOf(name)];
        if (typeof v === 'string') return v;
        if (typeof v === 'number') {
          const path = `${dir}/${name}`;
          throw ioError(path, errnoError(v, path));
        }
      }
      let fd = w.fds.get(name);
      const path = `${dir}/${name}`;
      if (fd === undefined) {
        if (this.openFiles >= this.maxOpenFiles && !this.evict(w)) return this.byPath(w, dir, name);
        try {
          fd = openFdSync(path);
        } catch (err) {
          if (!outOfDescriptors(err)) throw err;
          this.shed(w);
          return this.byPath(w, dir, name);
        }
        w.fds.set(name, fd);
        this.openFiles++;
      }
      return rereadFdSync(fd, path, SINGLE_RECORD.has(name));
    });
  }

  /** Reads a file by path; when the process is out of descriptors (others hold them), keeps fewer and tries again. */
  private byPath(w: Watched, dir: string, name: string): string {
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
      if (w !== keep) this.closeFiles(w);
    }
  }

  /** Files each watched process has, in the order the plan reads them. */
  private get files(): string[] {
    return (this.filesCache ??= filesOf(this.plan));
  }
  private filesCache: string[] | undefined;

  /**
   * With the native reader: re-reads the kept files of every process whose
   * files are all open in batches (one call per batch, each file one pread),
   * leaving the texts for the sample's parse.
   */
  private readAhead(reader: NativeReader, tasks: readonly { dir: string }[]): void {
    const files = this.files;
    const k = files.length;
    const ready: Watched[] = [];
    for (const t of tasks) {
      const w = this.watched.get(t.dir);
      if (w !== undefined && w.fds.size === k) ready.push(w);
    }
    const single = new Uint8Array(BATCH * k);
    for (let i = 0; i < single.length; i++) single[i] = SINGLE_RECORD.has(files[i % k]!) ? 1 : 0;
    for (let b = 0; b < ready.length; b += BATCH) {
      const batch = ready.slice(b, b + BATCH);
      const fds = new Int32Array(batch.length * k);
      batch.forEach((w, i) => files.forEach((f, j) => (fds[i * k + j] = w.fds.get(f)!)));
      const texts = readBatch(fds.length, (from, arena, ends, errs) => reader.preadFds(fds, from, single, arena, ends, errs));
      batch.forEach((w, i) => (w.pre = texts.slice(i * k, i * k + k)));
    }
  }


  /** Reads every watched process once more, and the new ones. */
  sample(): MonitorSample<G> {
    const now = performance.now() / 1000;
    const interval = this.last === 0 ? 0 : now - this.last;
    this.last = now;
    const tasks = tasksOf(this.root, this.opts.select ?? { all: 'processes' });
    const stamp = ++this.samples;
    const c = listingContext(this.root, this.ctx);
    if (native !== undefined && this.opts.native !== false) this.readAhead(native, tasks);
    const rows: MonitorRow<G>[] = [];
    let started = 0;
    let gone = 0;
    let denied = 0;
    const failed: { pid: number; error: ProcfsError }[] = [];
    const ioWanted = this.plan.others.includes('io');
    for (const t of tasks) {
      let w = this.watched.get(t.dir);
      let row: Parsed | undefined | null;
      let stat: ProcPidStat | undefined;
      // null: a file of the task did not parse (it is in `failed`); undefined: the task ended.
      const attempt = (x: Watched): Parsed | undefined | null => readTaskOrFail(failed, t, this.plan, c, this.reader(x), (s) => (stat = s));
      if (w !== undefined) {
        w.seen = stamp;
        row = attempt(w);
        w.pre = undefined;
        if (row == null || row.startTicks !== w.startTicks) {
          // The watched process ended (its files say so); the pid may now be another process: start afresh.
          this.closeFiles(w);
          this.watched.delete(t.dir);
          w = undefined;
          row = undefined;
        }
      }
      if (w === undefined) {
        w = { startTicks: -1, fds: new Map(), seen: stamp };
        this.watched.set(t.dir, w);
        row = attempt(w);
        if (row == null) {
          this.closeFiles(w);
          this.watched.delete(t.dir);
          if (row === undefined) gone++;
          continue;
        }
        w.startTicks = row.startTicks as number;
        started++;
      }
      const s = stat!;
      const cur = {
        at: now,
        cpu: s.utime + s.stime,
        minflt: s.minflt,
        majflt: s.majflt,
        ...(ioWanted && row!.io !== undefined ? { read: (row!.io as { readBytes: number }).readBytes, write: (row!.io as { writeBytes: number }).writeBytes } : {}),
      };
      const p = w.prev;
      if (p !== undefined && cur.at > p.at) {
        const dt = cur.at - p.at;
        const rates: Rates = {
          cpuPercent: ((cur.cpu - p.cpu) / dt) * 100,
          minorFaultsPerSecond: (cur.minflt - p.minflt) / dt,
          majorFaultsPerSecond: (cur.majflt - p.majflt) / dt,
        };
        if (cur.read !== undefined && p.read !== undefined) rates.readBytesPerSecond = (cur.read - p.read) / dt;
        if (cur.write !== undefined && p.write !== undefined) rates.writeBytesPerSecond = (cur.write - p.write) / dt;
        row!.rates = rates;
      }
      w.prev = cur;
      if (row!.denied) denied++;
      rows.push(row as MonitorRow<G>);
    }
    let ended = 0;
    for (const [dir, w] of this.watched) {
      if (w.seen === stamp) continue;
      this.closeFiles(w);
      this.watched.delete(dir);
      ended++;
    }
    const out: MonitorSample<G> = { rows, interval, started, ended, gone, denied, openFiles: this.openFiles };
    if (failed.length > 0) out.failed = failed;
    if (this.hidden !== undefined) out.hidden = this.hidden;
    return out;
  }
}

