/**
 * The groups' numbers across scrapes. Every process incarnation (pid and
 * start time) is matched once, when first seen; a member's counters (CPU
 * ticks, bytes, faults, context switches) add to its group only what they
 * grew by between two scrapes that both saw it, as integers, so a group's
 * counters never go down when members exit, and a new member contributes
 * only what it does after it is first seen. A pid seen with another start
 * time is a new process. A group that has stayed empty for
 * `removeEmptyAfterMs` is dropped (its counters start again from 0 if it
 * comes back, which Prometheus reads as a counter reset).
 */
/** The counters of a member, in this order (undefined: not readable for this process, such as io of another user's process unprivileged). */
export const COUNTERS = ['userTicks', 'systemTicks', 'minorFaults', 'majorFaults', 'readBytes', 'writeBytes', 'voluntary', 'nonvoluntary'] as const;
export type Counters = (number | undefined)[];

/**
 * What one scrape saw of one process. Numbers are a process's own, exact
 * integers (far below 2^53); a group's sums are bigints.
 */
export interface Observation {
  readonly pid: number;
  readonly startTicks: number;
  readonly comm: string;
  /** Effective uid, undefined when status was not read. */
  readonly uid: number | undefined;
  /** Its counters, indexed as COUNTERS. */
  readonly counters: Counters;
  readonly threads: number;
  readonly rss: number;
  readonly vsize: number;
  readonly swap: number | undefined;
}

/** One group: its counters since it was made, and what its members hold now. */
export interface GroupState {
  readonly name: string;
  /** Sums of the members' growth, indexed as COUNTERS. */
  readonly totals: bigint[];
  procs: number;
  threads: number;
  rss: bigint;
  vsize: bigint;
  swap: bigint;
  /** Open descriptors of the members, counted by the caller after update(). */
  fds: number;
  /** Members whose io, status or fd were not readable in the last scrape. */
  ioMissing: number;
  swapMissing: number;
  fdsMissing: number;
  /** Start ticks of the oldest member (none when empty). */
  oldestTicks: number | undefined;
  /** Clock time the group was last seen empty after having members; undefined while it has some. */
  emptySince: number | undefined;
}

interface Member {
  startTicks: number;
  /** Its group; null for a process no rule matched (remembered so that it is not matched again). */
  group: GroupState | null;
  last: Counters;
  stamp: number;
}

export interface TrackerOptions {
  /** Milliseconds a group may stay empty before it is dropped. */
  removeEmptyAfterMs: number;
  /** The clock, in milliseconds (tests drive it). */
  now?: () => number;
}

export class GroupTracker {
  /** Groups by name, in the order they were made. */
  readonly groups = new Map<string, GroupState>();
  private readonly members = new Map<number, Member>();
  private stamp = 0;
  private readonly now: () => number;

  constructor(
    /** The group of a process not seen before (undefined: none). */
    private readonly name: (o: Observation) => string | undefined,
    private readonly opts: TrackerOptions,
  ) {
    this.now = opts.now ?? Date.now;
  }

  /** Processes known (members and those no rule matched). */
  get known(): number {
    return this.members.size;
  }

  private group(name: string): GroupState {
    let g = this.groups.get(name);
    if (g === undefined) {
      g = {
        name,
        totals: COUNTERS.map(() => 0n),
        procs: 0,
        threads: 0,
        rss: 0n,
        vsize: 0n,
        swap: 0n,
        fds: 0,
        ioMissing: 0,
        swapMissing: 0,
        fdsMissing: 0,
        oldestTicks: undefined,
        emptySince: undefined,
      };
      this.groups.set(name, g);
    }
    return g;
  }

  /** The group of a process seen in the last update, undefined when it is in none. */
  groupOfPid(pid: number): GroupState | undefined {
    return this.members.get(pid)?.group ?? undefined;
  }

  /** Takes in one scrape's observations of every process. */
  update(seen: Iterable<Observation>): void {
    const stamp = ++this.stamp;
    for (const g of this.groups.values()) {
      g.procs = g.threads = g.fds = g.ioMissing = g.swapMissing = g.fdsMissing = 0;
      g.rss = g.vsize = g.swap = 0n;
      g.oldestTicks = undefined;
    }
    for (const o of seen) {
      let m = this.members.get(o.pid);
      if (m !== undefined && m.startTicks === o.startTicks) {
        const g = m.group;
        if (g !== null) {
          for (let i = 0; i < o.counters.length; i++) {
            const now = o.counters[i];
            const before = m.last[i];
            // Counters of one process do not go back; a value newly readable (or unreadable) adds nothing.
            if (now !== undefined && before !== undefined && now > before) g.totals[i]! += BigInt(now - before);
          }
          m.last = o.counters;
        }
      } else {
        const name = this.name(o);
        m = { startTicks: o.startTicks, group: name === undefined ? null : this.group(name), last: o.counters, stamp };
        this.members.set(o.pid, m);
      }
      m.stamp = stamp;
      const g = m.group;
      if (g === null) continue;
      g.procs++;
      g.threads += o.threads;
      g.rss += BigInt(o.rss);
      g.vsize += BigInt(o.vsize);
      if (o.swap !== undefined) g.swap += BigInt(o.swap);
      else g.swapMissing++;
      if (o.counters[4] === undefined) g.ioMissing++;
      if (g.oldestTicks === undefined || o.startTicks < g.oldestTicks) g.oldestTicks = o.startTicks;
    }
    for (const [pid, m] of this.members) if (m.stamp !== stamp) this.members.delete(pid);
    const now = this.now();
    for (const [name, g] of this.groups) {
      if (g.procs > 0) g.emptySince = undefined;
      else if (g.emptySince === undefined) g.emptySince = now;
      else if (now - g.emptySince >= this.opts.removeEmptyAfterMs) this.groups.delete(name);
    }
  }
}
