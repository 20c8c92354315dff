/**
 * The attribute groups a listing may ask for: the fields each adds to a row,
 * the file each reads (base, cpu and memory all come from one read of stat),
 * and the plan of one listing: its groups in the order rows are filled, the
 * files and the stat fields they need.
 */
import type { ProcPidCgroup } from '../../generated/types/proc/pid/cgroup.js';
import type { ProcPidEnviron } from '../../generated/types/proc/pid/environ.js';
import type { ProcPidIo } from '../../generated/types/proc/pid/io.js';
import type { ProcPidMaps } from '../../generated/types/proc/pid/maps.js';
import type { ProcPidSchedstat } from '../../generated/types/proc/pid/schedstat.js';
import type { ProcPidSmaps } from '../../generated/types/proc/pid/smaps.js';
import type { ProcPidSmapsRollup } from '../../generated/types/proc/pid/smaps_rollup.js';
import type { ProcPidStat } from '../../generated/types/proc/pid/stat.js';
import type { ProcPidStatm } from '../../generated/types/proc/pid/statm.js';
import type { ProcPidStatus } from '../../generated/types/proc/pid/status.js';
import { ProcfsError } from '../core/errors.js';
import type { Identity } from './identity.js';
import type { StatusCounters } from './internal/status-pick.js';

/** Attribute groups a listing may ask for; each names the file it needs. */
export type Group =
  | 'base'
  | 'cpu'
  | 'memory'
  | 'credentials'
  | 'status'
  | 'statusCounters'
  | 'statm'
  | 'io'
  | 'cmdline'
  | 'environ'
  | 'cgroup'
  | 'schedstat'
  | 'maps'
  | 'smapsRollup'
  | 'smaps';

/** Every group, in the order rows are filled. */
export const GROUPS: readonly Group[] = [
  'base',
  'cpu',
  'memory',
  'credentials',
  'status',
  'statusCounters',
  'statm',
  'io',
  'cmdline',
  'environ',
  'cgroup',
  'schedstat',
  'maps',
  'smapsRollup',
  'smaps',
];

/** base: from stat. */
export interface BaseFields {
  ppid: number;
  /** Process group id (`none` for a task caught while it is reaped). */
  pgid: ProcPidStat['pgrp'];
  /** Session id (`none` for a task caught while it is reaped). */
  sid: ProcPidStat['session'];
  comm: string;
  state: ProcPidStat['state'];
}

/** cpu: from stat (times in seconds). */
export interface CpuFields {
  utime: number;
  stime: number;
  /** User time of waited-for children, in seconds. */
  cutime: number;
  /** System time of waited-for children, in seconds. */
  cstime: number;
  /** Start time in seconds since boot. */
  startTime: number;
  /** CPU the task last ran on. */
  processor: number;
  threads: number;
  priority: number;
  nice: number;
}

/** memory: from stat (sizes in bytes); N is bigint for a ProcFs in exact mode (`bigint: true`). */
export interface MemoryFields<N extends number | bigint = number> {
  /** Virtual memory size in bytes. */
  vsize: N;
  /** Resident set size in bytes. */
  rss: N;
  minorFaults: N;
  majorFaults: N;
}

/** credentials: from status. */
export interface Credentials {
  uid: ProcPidStatus['uid'];
  gid: ProcPidStatus['gid'];
  groups: number[];
  capabilities: { inheritable: bigint; permitted: bigint; effective: bigint; bounding: bigint; ambient?: bigint };
}

/** The fields each group adds to a row (N: how wide integers are read, see docs/numbers.md). */
export interface GroupFields<N extends number | bigint = number> {
  base: BaseFields;
  cpu: CpuFields;
  memory: MemoryFields<N>;
  credentials: { credentials: Credentials };
  /** The whole of status (memory, context switches, ids): for callers that need more than the credentials. */
  status: { status: ProcPidStatus<N> };
  /** The effective uid, swap and context switches of status, its other lines stepped over unread: far cheaper than status for a table of every process. */
  statusCounters: { statusCounters: StatusCounters<N> };
  statm: { statm: ProcPidStatm<N> };
  io: { io: ProcPidIo<N> };
  cmdline: { cmdline: string[] };
  environ: { environ: ProcPidEnviron };
  cgroup: { cgroup: ProcPidCgroup };
  schedstat: { schedstat: ProcPidSchedstat<N> };
  maps: { maps: ProcPidMaps };
  smapsRollup: { smapsRollup: ProcPidSmapsRollup<N> };
  smaps: { smaps: ProcPidSmaps<N> };
}

type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;

/**
 * A row of a listing: identity, then the fields of the groups asked for. A
 * group whose file the reader may not read is absent, with the reason in
 * `denied` (a row has cmdline only if cmdline was asked for and readable).
 */
export type ProcessRow<G extends Group, N extends number | bigint = number> = Identity &
  Partial<UnionToIntersection<GroupFields<N>[G]>> &
  ([G] extends [never] ? unknown : UnionToIntersection<GroupFields<N>[Exclude<G, DeniableGroup>]>) & {
    /** Groups left out of this row, by reason (`permission`, `unsupported`). */
    denied?: Partial<Record<G, string>>;
  };

/** Groups from stat are never denied (the row exists only when stat was read); the others may be. */
type DeniableGroup = Exclude<Group, 'base' | 'cpu' | 'memory'>;

/** Files (relative to a task folder) per group; groups that share a file read it once. */
export const FILE_OF: Record<Group, string> = {
  base: 'stat',
  cpu: 'stat',
  memory: 'stat',
  credentials: 'status',
  status: 'status',
  statusCounters: 'status',
  statm: 'statm',
  io: 'io',
  cmdline: 'cmdline',
  environ: 'environ',
  cgroup: 'cgroup',
  schedstat: 'schedstat',
  maps: 'maps',
  smapsRollup: 'smaps_rollup',
  smaps: 'smaps',
};

/** A row being filled: identity and the fields of its groups by name (a ProcessRow once filled). */
export type Parsed = Record<string, unknown>;

/** A task's stat as the process table reads it: wide fields are bigints when the listing's context asks for exact mode. */
export type Stat = ProcPidStat<number | bigint>;

/** The stat fields each stat group takes; starttime (identity) and the counters rates need are always read. */
const STAT_FIELDS: Partial<Record<Group, (keyof ProcPidStat)[]>> = {
  base: ['ppid', 'pgrp', 'session', 'comm', 'state'],
  cpu: ['cutime', 'cstime', 'processor', 'numThreads', 'priority', 'nice'],
  memory: ['vsize', 'rss'],
};
const ALWAYS: (keyof ProcPidStat)[] = ['starttime', 'utime', 'stime', 'minflt', 'majflt'];

/** What one listing reads, made by plan() (one per set of groups, shared). */
export interface Plan {
  /** The groups filled from stat, in the order of GROUPS. */
  statGroups: Group[];
  /** The groups with a file of their own, in the order of GROUPS. */
  others: Group[];
  /** The stat fields to read (one array per plan, so the pick caches its field numbers). */
  statFields: readonly (keyof ProcPidStat)[];
}

const plans = new Map<string, Plan>();

/** Groups asked for, in a fixed order, with the files they need (stat first, always: it gives the identity). */
export function plan(groups: readonly Group[]): Plan {
  const key = [...groups].sort().join(',');
  let p = plans.get(key);
  if (p === undefined) {
    const wanted = new Set(groups);
    for (const g of wanted) if (!GROUPS.includes(g)) throw new ProcfsError('not_found', `no attribute group named ${String(g)}`);
    const statGroups = GROUPS.filter((g) => wanted.has(g) && FILE_OF[g] === 'stat');
    p = {
      statGroups,
      others: GROUPS.filter((g) => wanted.has(g) && FILE_OF[g] !== 'stat'),
      statFields: [...new Set([...ALWAYS, ...statGroups.flatMap((g) => STAT_FIELDS[g] ?? [])])],
    };
    plans.set(key, p);
  }
  return p;
}

/** The files a plan reads in each task folder, stat first. */
export const filesOf = (p: Plan): string[] => [...new Set(['stat', ...p.others.map((g) => FILE_OF[g])])];
