/**
 * The refresh mode's kept files: each watched process's files stay open
 * between samples, within a budget of file descriptors (the least recently
 * read closed first, the rest read by path), and are re-read from offset 0,
 * which costs one read instead of open, read and close. Also what the
 * monitor keeps per process from one sample to the next.
 */
import { closeSync } from 'node:fs';
import { parseProcPidLimits } from '../../generated/parsers/proc/pid/limits.js';
import type { FileText } from '../core/bytes.js';
import { ProcfsError } from '../core/errors.js';
import { openFdSync, readFileSync, rereadFdSync } from '../reading/read.js';
import { batchText } from './batches.js';
import type { Counters } from './monitor-rates.js';
import { readTaskFile, SINGLE_RECORD, type TaskRead } from './task-read.js';

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

/** Descriptors a budget the caller sets leaves free: reads by path, and the system files kept open (at most 64). */
const OWN_DESCRIPTORS = 128;

/** A watched process: its kept descriptors, texts read ahead for it, and its counters of the previous sample (for rates). */
export interface Watched extends Counters {
  /** Start time in clock ticks since boot of the incarnation watched (-1 until its first row). */
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
}

/** The watched processes of one monitor and the files they keep open. */
export class KeptFiles {
  /** Watched tasks by task id (a pid, or a tid for thread rows: unique within one selection). */
  private readonly watched = new Map<number, Watched>();
  private openNow = 0;
  private maxOpenFiles: number;
  /** Number of the sample being taken (0 before the first). */
  private samples = 0;
  /** Processes whose files are next to close, least recently read first (refilled in batches). */
  private victims: Watched[] = [];
  /** Sample in which the eviction candidates were last gathered (once per sample is enough). */
  private refilled = 0;

  /**
   * `files`: those each process has, in the order the plan reads them;
   * `maxOpenFiles`: the monitor's option (see MonitorOptions).
   */
  constructor(
    readonly files: readonly string[],
    maxOpenFiles: number | undefined,
  ) {
    // Never more than the process may open, with room left for everything else it does:
    // by default a generous share, when the caller names a number only what procspec's own reads need.
    const soft = softFileLimit();
    this.maxOpenFiles =
      maxOpenFiles === undefined
        ? Math.min(4096, Math.max(0, soft - Math.max(1024, Math.floor(soft / 8))))
        : Math.min(maxOpenFiles, Math.max(0, soft - OWN_DESCRIPTORS));
  }

  /** Files kept open at most (the option, bounded by the soft RLIMIT_NOFILE, lowered when the system runs out). */
  get budget(): number {
    return this.maxOpenFiles;
  }

  /** Files held open now. */
  get openFiles(): number {
    return this.openNow;
  }

  /** Number of the sample being taken. */
  get sample(): number {
    return this.samples;
  }

  /** Starts the next sample: its number. */
  nextSample(): number {
    return ++this.samples;
  }

  /** The watched process with task id `id`, if any. */
  get(id: number): Watched | undefined {
    return this.watched.get(id);
  }

  /** Watches task `id` from sample `stamp` on: no file open and no previous counters. */
  watch(id: number, stamp: number): Watched {
    const w: Watched = {
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
    this.watched.set(id, w);
    return w;
  }

  /** Stops watching task `id` (watched as `w`) and closes its files. */
  forget(id: number, w: Watched): void {
    this.closeFiles(w);
    this.watched.delete(id);
  }

  /** Stops watching every process and closes every file held open. */
  closeAll(): void {
    for (const w of this.watched.values()) this.closeFiles(w);
    this.watched.clear();
  }

  /** Stops watching the processes sample `stamp` did not read (they ended or left the selection), closing their files: how many. */
  endUnread(stamp: number): number {
    let ended = 0;
    for (const [id, w] of this.watched) {
      if (w.seen === stamp) continue;
      this.forget(id, w);
      ended++;
    }
    return ended;
  }

  /** A reader for one task's files through its kept descriptors, opening (within the budget) what is not open. */
  reader(w: Watched): TaskRead {
    if (w.read !== undefined) return w.read;
    const files = this.files;
    return (w.read = (dir: string, name: string): FileText => {
      // Texts read ahead for this sample; never those of an earlier one (a sample that threw before reading this task).
      if (w.pre !== undefined && w.preSample === this.samples) return batchText(w.pre, w.preAt, files, dir, name);
      const j = files.indexOf(name);
      let fd = w.fds[j]!;
      const path = `${dir}/${name}`;
      if (fd < 0) {
        if (this.openNow >= this.maxOpenFiles && !this.evict(w)) return this.byPath(w, dir, name);
        try {
          fd = openFdSync(path);
        } catch (err) {
          if (!outOfDescriptors(err)) throw err;
          this.shed(w);
          return this.byPath(w, dir, name);
        }
        w.fds[j] = fd;
        w.open++;
        this.openNow++;
      }
      return rereadFdSync(fd, path, SINGLE_RECORD.has(name));
    });
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
    this.openNow -= w.open;
    w.open = 0;
  }

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
    this.maxOpenFiles = Math.max(0, this.openNow - 256);
    for (const w of this.watched.values()) {
      if (this.openNow <= this.maxOpenFiles) break;
      if (w !== keep && !w.inFlight) this.closeFiles(w);
    }
  }
}
