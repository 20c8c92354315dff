/**
 * The `process_groups` collector: at each scrape, one sample of the process
 * table's refresh mode (every process's stat, status and io kept open and
 * re-read, off the event loop with the native reader), the open
 * descriptors of each member, and the tracker's groups as metrics labelled
 * `groupname`, as process-exporter names its groups.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { compareKernel, kernelRelease, type ProcessMonitor, ProcFs } from '../../runtime/index.js';
import { type FamilyDef, ownFamily } from '../names.js';
import { joinLabels, labelPair, type Sink } from '../walks.js';
import type { GroupsConfig } from './config.js';
import { factsOf, groupOf, Usernames } from './match.js';
import { type Counters, GroupTracker, type Observation } from './tracker.js';

/** The metrics beyond stat's, each with the file it reads at every scrape: io (/proc/PID/io), swap and context_switches (/proc/PID/status), fds (/proc/PID/fd). */
export const GROUP_METRICS = ['io', 'swap', 'context_switches', 'fds'] as const;
export type GroupMetric = (typeof GROUP_METRICS)[number];

export interface ProcessGroupsOptions {
  readonly config: GroupsConfig;
  /** The metrics beyond stat's to export (default all of GROUP_METRICS); only their files are read. */
  readonly metrics?: readonly GroupMetric[];
  /** Milliseconds a group may stay empty before its series are dropped (default 10 minutes). */
  readonly removeEmptyAfterMs?: number;
  /** The clock in milliseconds (tests drive it). */
  readonly now?: () => number;
  /** Where usernames are looked up (default /etc/passwd). */
  readonly passwd?: string;
}

export const DEFAULT_REMOVE_EMPTY_AFTER_MS = 10 * 60 * 1000;

const P = 'procspec_process_groups_';
const fam = (name: string, type: FamilyDef['type'], unit: FamilyDef['unit'], help: string): FamilyDef => ownFamily(`${P}${name}`, type, unit, help);

/** The families, named as process-exporter's `namedprocess_namegroup_*` with procspec's prefix. */
export const GROUP_FAMILIES = {
  procs: fam('num_procs', 'gauge', '', 'Processes in the group.'),
  threads: fam('num_threads', 'gauge', '', 'Threads of the processes in the group. /proc/PID/stat num_threads.'),
  cpu: fam(
    'cpu_seconds',
    'counter',
    'seconds',
    'CPU time of the group by mode, what its members used while watched. /proc/PID/stat utime, stime, in clock ticks.',
  ),
  read: fam('read_bytes', 'counter', 'bytes', 'Bytes the group read from storage while watched. /proc/PID/io read_bytes.'),
  write: fam('write_bytes', 'counter', 'bytes', 'Bytes the group caused to be written to storage while watched. /proc/PID/io write_bytes.'),
  major: fam('major_page_faults', 'counter', '', 'Page faults of the group that needed a read from storage, while watched. /proc/PID/stat majflt.'),
  minor: fam('minor_page_faults', 'counter', '', 'Page faults of the group served without storage, while watched. /proc/PID/stat minflt.'),
  ctx: fam(
    'context_switches',
    'counter',
    '',
    'Context switches of the main threads of the group, by type, while watched. /proc/PID/status voluntary_ctxt_switches, nonvoluntary_ctxt_switches.',
  ),
  memory: fam('memory_bytes', 'gauge', 'bytes', 'Memory of the group by type: resident, virtual, swap. /proc/PID/stat rss, vsize; /proc/PID/status VmSwap.'),
  fds: fam('open_filedesc', 'gauge', '', 'Open file descriptors of the group. /proc/PID/fd.'),
  oldest: fam(
    'oldest_start_time_seconds',
    'gauge',
    'seconds',
    'Start time of the oldest process of the group, in seconds since the epoch. /proc/PID/stat starttime.',
  ),
  denied: fam(
    'unreadable_procs',
    'gauge',
    '',
    "Processes of the group some of whose files could not be read (io, fd of another user's process without privilege), by file.",
  ),
} as const;

type Groups = 'base' | 'cpu' | 'memory' | 'statusCounters' | 'io';

const TIMEOUT = Symbol('timeout');

/**
 * Files the process table may keep open: up to three per process here, so
 * more than its default 4096 when the soft descriptor limit allows, less
 * 1024 left to the server and the other collectors. Undefined: its default.
 */
function keptBudget(): number | undefined {
  try {
    const m = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    const soft = m === null ? 0 : m[1] === 'unlimited' ? 1 << 20 : Number(m[1]);
    return soft - 1024 > 4096 ? soft - 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** One collector of process groups over a ProcFs; see the module's comment. */
export class ProcessGroupsCollector {
  readonly name = 'process_groups';
  readonly id = 'process groups (--collector.process_groups.config)';
  readonly tracker: GroupTracker;
  private readonly monitor: ProcessMonitor<Groups, number>;
  private readonly root: string;
  private readonly hz: number;
  private bootMs: number | undefined;
  private readonly fdsBySize: boolean;
  private pending: Promise<void> | undefined;
  private readonly on: ReadonlySet<GroupMetric>;

  constructor(
    private readonly fs: ProcFs<boolean>,
    opts: ProcessGroupsOptions,
  ) {
    this.root = fs.root;
    this.hz = fs.facts().clockTick;
    const users = new Usernames(opts.passwd);
    const rules = opts.config.rules;
    this.on = new Set(opts.metrics ?? GROUP_METRICS);
    const status = this.on.has('swap') || this.on.has('context_switches');
    const facts = fs.facts();
    // Numbers, not the exporter's exact mode: a process's own counters are far below 2^53, and status parses twice as fast without bigints.
    const numbers = new ProcFs({ root: fs.root, clockTick: facts.clockTick, pageSize: facts.pageSize });
    const groups: Groups[] = ['base', 'cpu', 'memory'];
    // Of status only the uid, swap and context switches: its other lines are stepped over, not parsed.
    if (status) groups.push('statusCounters');
    if (this.on.has('io')) groups.push('io');
    const budget = keptBudget();
    this.monitor = numbers.monitor({ groups, select: { all: 'processes' }, ...(budget !== undefined ? { maxOpenFiles: budget } : {}) });
    // The effective uid of a new process: from the sample's status, else read once for the rules that ask.
    const uidOf = (o: Observation) => (): number | undefined => {
      if (o.uid !== undefined || status) return o.uid;
      try {
        return numbers.read('proc/pid/status', { pid: o.pid }).uid.effective;
      } catch {
        return undefined;
      }
    };
    this.tracker = new GroupTracker((o) => groupOf(rules, factsOf(this.root, o.pid, o.comm, uidOf(o), this.boot() + (o.startTicks * 1000) / this.hz, users)), {
      removeEmptyAfterMs: opts.removeEmptyAfterMs ?? DEFAULT_REMOVE_EMPTY_AFTER_MS,
      ...(opts.now ? { now: opts.now } : {}),
    });
    let k: ReturnType<typeof kernelRelease> | undefined;
    try {
      k = kernelRelease(this.root);
    } catch {
      k = undefined;
    }
    // Since Linux 6.2 the size of /proc/PID/fd is its number of open descriptors: one stat instead of a listing.
    this.fdsBySize = k !== undefined && compareKernel(k, '6.2.0') >= 0;
  }

  /** Closes the files the process table keeps open. */
  close(): void {
    this.monitor.close();
  }

  /** Boot time in milliseconds since the epoch (/proc/stat btime), read once. */
  private boot(): number {
    this.bootMs ??= Number(this.fs.read('proc/stat').btime) * 1000;
    return this.bootMs;
  }

  private fds(pid: number): number | undefined {
    const dir = `${this.root}/${pid}/fd`;
    try {
      return this.fdsBySize ? statSync(dir).size : readdirSync(dir).length;
    } catch {
      return undefined;
    }
  }

  /** One sample of the process table taken into the tracker. */
  private async update(): Promise<void> {
    const s = await this.monitor.sampleAsync();
    const hz = this.hz;
    const fds = (pid: number) => this.fds(pid);
    const rows = s.rows;
    const seen: Observation[] = new Array(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i]!;
      const st = r.statusCounters;
      const io = r.io;
      // Times come in seconds (ticks / hz): back to whole ticks, so that sums are exact.
      const counters: Counters = [
        Math.round(r.utime * hz),
        Math.round(r.stime * hz),
        r.minorFaults,
        r.majorFaults,
        io?.readBytes,
        io?.writeBytes,
        st?.voluntaryCtxtSwitches,
        st?.nonvoluntaryCtxtSwitches,
      ];
      seen[i] = {
        pid: r.pid,
        startTicks: r.startTicks,
        comm: r.comm,
        uid: st?.uid.effective,
        counters,
        threads: r.threads,
        rss: r.rss,
        vsize: r.vsize,
        swap: st === undefined ? undefined : (st.vmSwap ?? 0),
      };
    }
    this.tracker.update(seen);
    // Descriptors: members only, counted after matching so that processes of no group cost nothing more.
    if (this.on.has('fds')) this.countFds(seen, fds);
  }

  /** Adds the open descriptors of the members seen in this sample to their groups. */
  private countFds(seen: readonly Observation[], fds: (pid: number) => number | undefined): void {
    for (const o of seen) {
      const g = this.tracker.groupOfPid(o.pid);
      if (g === undefined) continue;
      const n = fds(o.pid);
      if (n === undefined) g.fdsMissing++;
      else g.fds += n;
    }
  }

  /**
   * Collects into `sink`: the reason it failed, if it did (the deadline
   * passed: the sample goes on and the next scrape waits for it).
   */
  async collect(sink: Sink, expired: Promise<unknown>): Promise<{ error?: string; timedOut?: boolean }> {
    this.pending ??= this.update().finally(() => {
      this.pending = undefined;
    });
    const done = await Promise.race([this.pending.then(() => true), expired.then(() => TIMEOUT)]);
    if (done === TIMEOUT) return { error: 'the deadline passed while reading the process table', timedOut: true };
    this.write(sink);
    return {};
  }

  /** The tracker's groups as samples. */
  write(sink: Sink): void {
    const F = GROUP_FAMILIES;
    const hz = this.hz;
    const boot = this.boot();
    const on = this.on;
    for (const g of this.tracker.groups.values()) {
      const l = labelPair('groupname', g.name);
      const t = g.totals;
      sink.add(F.procs, l, g.procs, 1);
      sink.add(F.threads, l, g.threads, 1);
      sink.add(F.cpu, joinLabels(l, 'mode="user"'), t[0]!, hz);
      sink.add(F.cpu, joinLabels(l, 'mode="system"'), t[1]!, hz);
      if (on.has('io')) {
        sink.add(F.read, l, t[4]!, 1);
        sink.add(F.write, l, t[5]!, 1);
      }
      sink.add(F.major, l, t[3]!, 1);
      sink.add(F.minor, l, t[2]!, 1);
      if (on.has('context_switches')) {
        sink.add(F.ctx, joinLabels(l, 'ctxswitchtype="voluntary"'), t[6]!, 1);
        sink.add(F.ctx, joinLabels(l, 'ctxswitchtype="nonvoluntary"'), t[7]!, 1);
      }
      sink.add(F.memory, joinLabels(l, 'memtype="resident"'), g.rss, 1);
      sink.add(F.memory, joinLabels(l, 'memtype="virtual"'), g.vsize, 1);
      if (on.has('swap')) sink.add(F.memory, joinLabels(l, 'memtype="swap"'), g.swap, 1);
      if (on.has('fds')) sink.add(F.fds, l, g.fds, 1);
      if (g.oldestTicks !== undefined) sink.add(F.oldest, l, boot * hz + g.oldestTicks * 1000, hz * 1000);
      if (on.has('io')) sink.add(F.denied, joinLabels(l, 'file="io"'), g.ioMissing, 1);
      if (on.has('fds')) sink.add(F.denied, joinLabels(l, 'file="fd"'), g.fdsMissing, 1);
    }
  }
}
