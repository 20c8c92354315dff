/**
 * The process table: enumerate processes or threads the ways the kernel's
 * task_diag proposal selects them, and read only the files the requested
 * attribute groups need (base, cpu and memory all come from one read of
 * stat). Each row is one process incarnation, identified by its pid and its
 * start time in clock ticks since boot; a process that ends while it is read
 * is counted as gone and never half-filled; a group the reader may not see
 * is left out of that row with the reason.
 */
import * as fs from 'node:fs';
import { parseProcPidCgroup } from '../../generated/parsers/proc/pid/cgroup.js';
import { parseProcPidCmdline } from '../../generated/parsers/proc/pid/cmdline.js';
import { parseProcPidEnviron } from '../../generated/parsers/proc/pid/environ.js';
import { parseProcPidIo } from '../../generated/parsers/proc/pid/io.js';
import { parseProcPidMaps } from '../../generated/parsers/proc/pid/maps.js';
import { parseProcPidMountinfo } from '../../generated/parsers/proc/pid/mountinfo.js';
import { parseProcPidSchedstat } from '../../generated/parsers/proc/pid/schedstat.js';
import { parseProcPidSmaps } from '../../generated/parsers/proc/pid/smaps.js';
import { parseProcPidSmapsRollup } from '../../generated/parsers/proc/pid/smaps_rollup.js';
import { parseProcPidStat, pickProcPidStat } from '../../generated/parsers/proc/pid/stat.js';
import { parseProcPidStatm } from '../../generated/parsers/proc/pid/statm.js';
import { parseProcPidStatus } from '../../generated/parsers/proc/pid/status.js';
import { registry } from '../../generated/index.js';
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
import { contextOf, type ParseContext, type ParseOptions, type ReadContext } from '../core/context.js';
import { ioError, ProcfsError } from '../core/errors.js';
import { DEFAULT_THREADS, errnoError, native, openPool, textsOf, type NativeReader, type OpenPool } from '../reading/native.js';
import { readFileSync, readFileAsync, readViewSync, mapLimit } from '../reading/read.js';
import type { FileText } from '../core/bytes.js';

/** Attribute groups a listing may ask for; each names the file it needs. */
export type Group =
  | 'base'
  | 'cpu'
  | 'memory'
  | 'credentials'
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

/** Which processes or threads to list (the selection modes of the kernel's task_diag proposal). */
export type Selection = { all: 'processes' } | { all: 'threads' } | { childrenOf: number } | { threadsOf: number } | { pid: number };

/** What identifies one process incarnation: a pid is reused, (pid, startTicks) is not. */
export interface Identity {
  /** Process id (for a thread row: the thread's id). */
  pid: number;
  /** Thread group (process) id: equal to pid for a process row. */
  tgid: number;
  /** Start time in clock ticks since boot (stat field 22), which tells incarnations of a pid apart. */
  startTicks: number;
}

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

export interface ListOptions<G extends Group> {
  groups: readonly G[];
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

/** Files (relative to a task folder) per group; groups that share a file read it once. */
export const FILE_OF: Record<Group, string> = {
  base: 'stat',
  cpu: 'stat',
  memory: 'stat',
  credentials: 'status',
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

export type Parsed = Record<string, unknown>;

/** A task's stat as the process table reads it: wide fields are bigints when the listing's context asks for exact mode. */
export type Stat = ProcPidStat<number | bigint>;

/** Task files the kernel prints in one piece (their specs say singleRecord): read without the final empty read. */
export const SINGLE_RECORD: ReadonlySet<string> = new Set(
  registry.filter((e) => e.id.startsWith('proc/pid/') && e.model.singleRecord === true).map((e) => e.id.slice('proc/pid/'.length)),
);

/**
 * Reads one file of a task folder (`file` is a name of FILE_OF): its bytes
 * (valid until the next read: readTask parses each file before reading the
 * next) or text, or a ProcfsError naming the path. The listing, the native
 * batch and the refresh mode each give readTask their own.
 */
export type TaskRead = (dir: string, file: string) => FileText;

/** The reader of task files by path: one read for files printed in one piece. */
export const readTaskFile: TaskRead = (dir, file) => readViewSync(`${dir}/${file}`, SINGLE_RECORD.has(file));

/** Fills `row` with the fields of `group` from the parsed text of its file. */
function fill(row: Parsed, group: Group, text: FileText, ctx: ParseContext, stat: Stat): void {
  switch (group) {
    case 'base':
      row.ppid = stat.ppid;
      row.pgid = stat.pgrp;
      row.sid = stat.session;
      row.comm = stat.comm;
      row.state = stat.state;
      return;
    case 'cpu':
      row.utime = stat.utime;
      row.stime = stat.stime;
      row.cutime = stat.cutime;
      row.cstime = stat.cstime;
      row.startTime = stat.starttime;
      row.processor = stat.processor;
      row.threads = stat.numThreads;
      row.priority = stat.priority;
      row.nice = stat.nice;
      return;
    case 'memory':
      row.vsize = stat.vsize;
      row.rss = stat.rss;
      row.minorFaults = stat.minflt;
      row.majorFaults = stat.majflt;
      return;
    case 'credentials': {
      const s = parseProcPidStatus(text, ctx);
      const capabilities: Credentials['capabilities'] = { inheritable: s.capInh!, permitted: s.capPrm!, effective: s.capEff!, bounding: s.capBnd! };
      if (s.capAmb !== undefined) capabilities.ambient = s.capAmb;
      row.credentials = { uid: s.uid, gid: s.gid, groups: s.groups, capabilities } satisfies Credentials;
      return;
    }
    case 'statm':
      row.statm = parseProcPidStatm(text, ctx);
      return;
    case 'io':
      row.io = parseProcPidIo(text, ctx);
      return;
    case 'cmdline':
      row.cmdline = parseProcPidCmdline(text, ctx);
      return;
    case 'environ':
      row.environ = parseProcPidEnviron(text, ctx);
      return;
    case 'cgroup':
      row.cgroup = parseProcPidCgroup(text, ctx);
      return;
    case 'schedstat':
      row.schedstat = parseProcPidSchedstat(text, ctx);
      return;
    case 'maps':
      row.maps = parseProcPidMaps(text, ctx);
      return;
    case 'smapsRollup':
      row.smapsRollup = parseProcPidSmapsRollup(text, ctx);
      return;
    case 'smaps':
      row.smaps = parseProcPidSmaps(text, ctx);
      return;
  }
}

/**
 * A row with the identity and the stat groups of a plan. The plans of ps and
 * top (base, cpu and memory) and base alone are built as one object literal,
 * the fields in the order fill() adds them: one allocation of the final
 * size instead of a property store, and a grown property array, per field.
 */
function statRow(t: Task, s: Stat, startTicks: number, statGroups: readonly Group[], c: ParseContext): Parsed {
  if (statGroups.length === 3) {
    return {
      pid: t.pid,
      tgid: t.tgid,
      startTicks,
      ppid: s.ppid,
      pgid: s.pgrp,
      sid: s.session,
      comm: s.comm,
      state: s.state,
      utime: s.utime,
      stime: s.stime,
      cutime: s.cutime,
      cstime: s.cstime,
      startTime: s.starttime,
      processor: s.processor,
      threads: s.numThreads,
      priority: s.priority,
      nice: s.nice,
      vsize: s.vsize,
      rss: s.rss,
      minorFaults: s.minflt,
      majorFaults: s.majflt,
    };
  }
  if (statGroups.length === 1 && statGroups[0] === 'base') {
    return { pid: t.pid, tgid: t.tgid, startTicks, ppid: s.ppid, pgid: s.pgrp, sid: s.session, comm: s.comm, state: s.state };
  }
  const row: Parsed = { pid: t.pid, tgid: t.tgid, startTicks };
  for (const g of statGroups) fill(row, g, '', c, s);
  return row;
}

/** A task folder to read: /proc/<pid> or /proc/<tgid>/task/<tid>. */
export interface Task {
  dir: string;
  pid: number;
  tgid: number;
}

const isPid = (name: string): boolean => {
  const c = name.charCodeAt(0);
  if (c < 49 || c > 57) return false;
  for (let i = 1; i < name.length; i++) {
    const d = name.charCodeAt(i);
    if (d < 48 || d > 57) return false;
  }
  return true;
};

/**
 * The pid folders of a /proc root, in ascending order. An unreadable root
 * is an error, never an empty listing. The native reader lists them with
 * getdents alone (10.1 ms for 10,068 pids here, where readdirSync and the
 * checks of the names took 13.6 ms: libuv sorts the names and Node makes a
 * string of each); without it (or with `viaNative` false), or when it
 * cannot, node:fs does.
 */
export function listPids(root: string, viaNative = true): number[] {
  const got = nativeIds(root, viaNative);
  if (typeof got === 'object' && got.length > 0) return Array.from(got);
  let names: string[];
  try {
    names = fs.readdirSync(root);
  } catch (err) {
    throw new ProcfsError('io', `${root}: cannot list processes (${(err as { code?: string }).code ?? String(err)})`, { file: root, cause: err });
  }
  const out = idsAmong(names);
  if (out.length === 0 && !names.includes('self')) {
    throw new ProcfsError('unsupported', `${root}: no process folders and no self link: not a procfs root`, { file: root });
  }
  return out;
}

/** The threads of process `tgid` (none when it has ended), in ascending order of their ids. */
function threadsOf(root: string, tgid: number, viaNative: boolean): Task[] {
  const dir = `${root}/${tgid}/task`;
  // A task folder lists its threads as the root lists processes.
  const got = nativeIds(dir, viaNative);
  if (typeof got === 'number') return [];
  let tids: ArrayLike<number>;
  try {
    tids = got ?? idsAmong(fs.readdirSync(dir));
  } catch {
    return [];
  }
  // A task folder that lists no thread (FreeBSD's linprocfs holds only a .dummy file there): the process is its one task.
  if (tids.length === 0) return [{ dir: `${root}/${tgid}`, pid: tgid, tgid }];
  const out: Task[] = new Array(tids.length);
  for (let i = 0; i < tids.length; i++) out[i] = { dir: `${dir}/${tids[i]}`, pid: tids[i]!, tgid };
  return out;
}

/**
 * The ids (names of digits) of the folders in `dir`, listed with getdents
 * alone by the native reader, in ascending order; -errno when `dir` cannot
 * be listed; undefined without the native reader (or with `viaNative`
 * false) and when a name of digits is too long for an id (node:fs lists it).
 */
function nativeIds(dir: string, viaNative: boolean): Int32Array | number | undefined {
  if (!viaNative || native === undefined) return undefined;
  const got = native.listPids(dir);
  if (typeof got === 'number') return got < 0 ? got : undefined;
  // procfs gives them in ascending order; a copy on another file system may not.
  for (let i = 1; i < got.length; i++) if (got[i]! < got[i - 1]!) return got.sort();
  return got;
}

/** The names of digits among `names` (not starting with 0), as numbers in ascending order. */
const idsAmong = (names: readonly string[]): number[] =>
  names
    .filter(isPid)
    .map(Number)
    .sort((a, b) => a - b);

/** The task folders a selection names (before reading them), listed by the native reader or, with `viaNative` false, node:fs. */
export function tasksOf(root: string, select: Selection, viaNative = true): Task[] {
  if ('pid' in select) return [{ dir: `${root}/${select.pid}`, pid: select.pid, tgid: select.pid }];
  if ('threadsOf' in select) return threadsOf(root, select.threadsOf, viaNative);
  const pids = listPids(root, viaNative);
  if ('all' in select && select.all === 'processes') return pids.map((pid) => ({ dir: `${root}/${pid}`, pid, tgid: pid }));
  if ('all' in select) return pids.flatMap((pid) => threadsOf(root, pid, viaNative));
  // children: the kernel lists them per thread in task/<tid>/children; fall back to ppid when it does not.
  const parent = select.childrenOf;
  const kids = new Set<number>();
  let hasChildrenFile = false;
  for (const t of threadsOf(root, parent, viaNative)) {
    try {
      const text = readFileSync(`${t.dir}/children`);
      hasChildrenFile = true;
      for (const w of text.split(' ')) if (w.trim() !== '') kids.add(Number(w));
    } catch {
      // A thread that ended, or a kernel without CONFIG_PROC_CHILDREN.
    }
  }
  if (!hasChildrenFile) {
    for (const pid of pids) {
      try {
        if (parseProcPidStat(readFileSync(`${root}/${pid}/stat`)).ppid === parent) kids.add(pid);
      } catch {
        // gone
      }
    }
  }
  return [...kids].sort((a, b) => a - b).map((pid) => ({ dir: `${root}/${pid}`, pid, tgid: pid }));
}

const GONE = new Set(['not_found']);

/** The stat fields each stat group takes; starttime (identity) and the counters rates need are always read. */
const STAT_FIELDS: Partial<Record<Group, (keyof ProcPidStat)[]>> = {
  base: ['ppid', 'pgrp', 'session', 'comm', 'state'],
  cpu: ['cutime', 'cstime', 'processor', 'numThreads', 'priority', 'nice'],
  memory: ['vsize', 'rss'],
};
const ALWAYS: (keyof ProcPidStat)[] = ['starttime', 'utime', 'stime', 'minflt', 'majflt'];

export interface Plan {
  statGroups: Group[];
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

/**
 * Reads one task: the row (and the stat it came from), or undefined when it
 * ended. Rethrows what is neither "gone" nor a denied group. `c` is the
 * listing's parse context, whose `file` is set to each file before it is
 * parsed (one context per listing, not one per file).
 */
export function readTask(t: Task, { statGroups, others, statFields }: Plan, c: ParseContext, read: TaskRead, seen?: (stat: Stat) => void): Parsed | undefined {
  let stat: Stat;
  try {
    const text = read(t.dir, 'stat');
    c.file = `${t.dir}/stat`;
    // Only the fields the groups need: the fields of a pick are those of the full stat type, the others absent.
    stat = pickProcPidStat(text, statFields, c as ParseOptions) as Stat;
  } catch (err) {
    if (err instanceof ProcfsError && (GONE.has(err.code) || err.errno === 'ESRCH')) return undefined;
    throw err;
  }
  seen?.(stat);
  const row = statRow(t, stat, Math.round(stat.starttime * c.clockTick), statGroups, c);
  for (const g of others) {
    const name = FILE_OF[g];
    let text: FileText;
    try {
      text = read(t.dir, name);
    } catch (err) {
      if (!(err instanceof ProcfsError)) throw err;
      if (GONE.has(err.code) || err.errno === 'ESRCH') return undefined;
      if (err.code === 'permission' || err.code === 'unsupported') {
        ((row.denied ??= {}) as Record<string, string>)[g] = err.code;
        continue;
      }
      throw err;
    }
    c.file = `${t.dir}/${name}`;
    fill(row, g, text, c, stat);
  }
  return row;
}

/**
 * readTask for a listing: a task one of whose files does not parse (never
 * seen from a kernel; a damaged copy) goes into `failed` with its error,
 * returned as null, so that one damaged file does not end the listing.
 */
export function readTaskOrFail(
  failed: { pid: number; error: ProcfsError }[],
  t: Task,
  p: Plan,
  c: ParseContext,
  read: TaskRead,
  seen?: (stat: Stat) => void,
): Parsed | undefined | null {
  try {
    return readTask(t, p, c, read, seen);
  } catch (err) {
    if (!(err instanceof ProcfsError) || err.code !== 'parse') throw err;
    failed.push({ pid: t.pid, error: err });
    return null;
  }
}

/** A parse context of its own for one listing (readTask sets its `file`), in the mode of `ctx` (exact with `bigint: true`). */
export const listingContext = (root: string, ctx: (file: string) => ReadContext): ReadContext => ({ ...ctx(root) });

/** The files a plan reads in each task folder, stat first. */
export const filesOf = (p: Plan): string[] => [...new Set(['stat', ...p.others.map((g) => FILE_OF[g])])];

/** hidepid option of the procfs mounted at `root`, from this process's mountinfo, if any (read again after HIDEPID_FOR_MS). */
export function hidepidOf(root: string): string | undefined {
  const now = performance.now();
  const known = HIDEPID.get(root);
  if (known !== undefined && now - known.at < HIDEPID_FOR_MS) return known.option;
  const option = hidepidNow(root);
  if (HIDEPID.size >= 64) HIDEPID.clear();
  HIDEPID.set(root, { at: now, option });
  return option;
}

/**
 * How long hidepidOf's answer for a root is reused: reading and parsing
 * /proc/self/mountinfo took 54 µs of a 600 µs listing of 67 processes here,
 * and it grows with the mounts (hundreds on a container host); a remount
 * is seen within this time.
 */
const HIDEPID_FOR_MS = 1000;
const HIDEPID = new Map<string, { at: number; option: string | undefined }>();

function hidepidNow(root: string): string | undefined {
  let mounts: ReturnType<typeof parseProcPidMountinfo>;
  try {
    mounts = parseProcPidMountinfo(readFileSync('/proc/self/mountinfo'));
  } catch {
    return undefined; // Not a live system: nothing to say.
  }
  for (const m of mounts) {
    if (m.mountPoint !== root || m.fsType !== 'proc') continue;
    const opt = m.superOptions.find((o) => o.startsWith('hidepid='));
    if (opt && opt !== 'hidepid=0' && opt !== 'hidepid=off') return opt;
  }
  return undefined;
}

/** Helper threads for a sync read with these options: `threads` as a whole number from 0 to 8, or DEFAULT_THREADS. */
export function helpersOf(opts: { threads?: number }): number {
  const t = opts.threads;
  if (t === undefined) return DEFAULT_THREADS;
  return Number.isFinite(t) ? Math.max(0, Math.min(8, Math.floor(t))) : 0;
}

/** Most tasks in a batch of the native reader (the listing's and the refresh's). */
export const NATIVE_BATCH = 256;

/**
 * Tasks per batch when reading `n` tasks with the native reader: NATIVE_BATCH,
 * or fewer for a small set, so that it still makes 16 batches and every
 * thread stays busy to its end (9 batches of 256 at 2,000 processes left
 * one thread of the pool reading the last; the async listing took 0.64x of
 * C's time instead of 0.66x, in alternating runs).
 */
export const tasksPerBatch = (n: number): number => Math.max(32, Math.min(NATIVE_BATCH, Math.ceil(n / 16)));

/**
 * Reads the files of `tasks` with the native reader, on this thread and
 * `threads` more (readTaskFilesEach), and hands each task with a reader of
 * its texts to `each`, in order, batch by batch as they are read.
 */
function readBatches(reader: NativeReader, tasks: Task[], files: string[], threads: number, each: (t: Task, read: TaskRead) => void): void {
  const k = files.length;
  const size = tasksPerBatch(tasks.length);
  const view = new BatchTexts(files);
  reader.readTaskFilesEach(
    tasks.map((t) => t.dir),
    files,
    size * k,
    singleFlags(files, size),
    threads,
    (first, buf, ends, errs) => eachOfBatch(tasks, first / k, textsOf(buf, ends, errs), view, each),
  );
}

/**
 * The processes of a procfs root read as readBatches does, the reading
 * started while the root is still being listed (readProcessesEach): how
 * many were listed, or -1 when the native reader cannot list this root
 * that way or found no pid in it (nothing was handed to `each`; the caller
 * lists it as usual).
 */
function readWhileListing(reader: NativeReader, root: string, files: string[], threads: number, each: (t: Task, read: TaskRead) => void): number {
  const k = files.length;
  // The batch size tasksPerBatch would choose for as many processes as the last listing of this root found.
  const size = tasksPerBatch(lastListed.get(root) ?? NATIVE_BATCH * 16);
  const view = new BatchTexts(files);
  let tasks: Task[] = [];
  const done = reader.readProcessesEach(
    root,
    files,
    size * k,
    singleFlags(files, size),
    threads,
    (pids) => {
      tasks = new Array<Task>(pids.length);
      for (let i = 0; i < pids.length; i++) tasks[i] = { dir: `${root}/${pids[i]}`, pid: pids[i]!, tgid: pids[i]! };
    },
    (first, buf, ends, errs) => eachOfBatch(tasks, first / k, textsOf(buf, ends, errs), view, each),
  );
  // No pid at all: the usual listing tells an empty root from one that is not a procfs.
  if (done !== 1 || tasks.length === 0) return -1;
  lastListed.set(root, tasks.length);
  return tasks.length;
}

/** How many processes the last listing of each root found (readWhileListing sizes its batches by it). */
const lastListed = new Map<string, number>();

/** Hands each task of a batch (tasks[at] first) with a reader of its texts to `each`; their results, in order. */
function eachOfBatch<R>(
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

/** Flags for the native reader, `files` repeated for `tasks` tasks: 1 for a file the kernel prints in one piece. */
export function singleFlags(files: readonly string[], tasks: number): Uint8Array {
  const k = files.length;
  const single = new Uint8Array(tasks * k);
  for (let i = 0; i < single.length; i++) single[i] = SINGLE_RECORD.has(files[i % k]!) ? 1 : 0;
  return single;
}

/** A reader over the texts of a batch (each task's files in the order of `files`), pointed at one task after another. */
class BatchTexts {
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

/**
 * The text of `file` of the task whose files start at texts[at] (in the
 * order of `files`), or the ProcfsError of the errno read in its place.
 */
export function batchText(texts: readonly (Uint8Array | number)[], at: number, files: readonly string[], dir: string, file: string): Uint8Array {
  const j = files.indexOf(file);
  if (j < 0) throw new Error(`${file} is not one of the files read for ${dir}`);
  const v = texts[at + j]!;
  if (typeof v !== 'number') return v;
  const path = `${dir}/${file}`;
  throw ioError(path, errnoError(v, path));
}

/** What reading one task gives: its row, undefined when it ended, null when a file of it did not parse. */
type TaskResult = Parsed | undefined | null;

/** Lists processes or threads of a /proc root with the requested groups, synchronously. */
export function listProcesses<G extends Group, N extends number | bigint = number>(
  root: string,
  ctx: (file: string) => ReadContext,
  opts: ListOptions<G>,
): Listing<G, N> {
  const p = plan(opts.groups);
  const select = opts.select ?? { all: 'processes' };
  const c = listingContext(root, ctx);
  const failed: { pid: number; error: ProcfsError }[] = [];
  const results: TaskResult[] = [];
  if (native !== undefined && opts.native !== false && 'all' in select && select.all === 'processes') {
    const listed = readWhileListing(native, root, filesOf(p), helpersOf(opts), (t, read) => results.push(readTaskOrFail(failed, t, p, c, read)));
    if (listed >= 0) return listingOf<G, N>(root, listed, results, failed);
  }
  const tasks = tasksOf(root, select, opts.native !== false);
  if (native !== undefined && opts.native !== false) {
    readBatches(native, tasks, filesOf(p), helpersOf(opts), (t, read) => results.push(readTaskOrFail(failed, t, p, c, read)));
  } else {
    for (const t of tasks) results.push(readTaskOrFail(failed, t, p, c, readTaskFile));
  }
  return listingOf<G, N>(root, tasks.length, results, failed);
}

/** A listing from the result of each listed task (a row, undefined: gone, null: failed to parse). */
function listingOf<G extends Group, N extends number | bigint>(
  root: string,
  listed: number,
  results: readonly TaskResult[],
  failed: { pid: number; error: ProcfsError }[],
): Listing<G, N> {
  const rows: Parsed[] = [];
  let gone = 0;
  let denied = 0;
  for (const row of results) {
    if (row === null) continue;
    if (row === undefined) gone++;
    else {
      if (row.denied) denied++;
      rows.push(row);
    }
  }
  const out: Listing<G, N> = { rows: rows as ProcessRow<G, N>[], listed, gone, denied };
  if (failed.length > 0) out.failed = failed;
  const hidden = hidepidOf(root);
  if (hidden !== undefined) out.hidden = hidden;
  return out;
}

/**
 * The async listing through node:fs: each task's files read with at most
 * `concurrency` reads at once, then parsed with the sync path over the texts.
 */
async function readEachAsync(tasks: Task[], files: string[], concurrency: number, each: (t: Task, read: TaskRead) => TaskResult): Promise<TaskResult[]> {
  return mapLimit(tasks, concurrency, async (t) => {
    const texts = new Map<string, string | ProcfsError>();
    for (const f of files) {
      try {
        texts.set(f, await readFileAsync(`${t.dir}/${f}`, SINGLE_RECORD.has(f)));
      } catch (err) {
        if (!(err instanceof ProcfsError)) throw err;
        texts.set(f, err);
        if (f === 'stat') break;
      }
    }
    return each(t, (dir, file) => {
      const v = texts.get(file);
      if (v === undefined || v instanceof ProcfsError) throw v ?? new ProcfsError('not_found', `${dir}/${file}: not read`, { file: `${dir}/${file}` });
      return v;
    });
  });
}

/**
 * The async listing through the native reader: batches of tasks read in
 * libuv's thread pool (taskPool), each parsed on the main thread as it
 * arrives while the pool reads the next. Rows keep the order of the tasks.
 */
async function readBatchesAsync(
  reader: NativeReader,
  tasks: Task[],
  files: string[],
  concurrency: number,
  each: (t: Task, read: TaskRead) => TaskResult,
): Promise<TaskResult[]> {
  const size = tasksPerBatch(tasks.length);
  const { pool, parts } = taskPool(reader, tasks, files, size, concurrency, each);
  pool.add(Math.ceil(tasks.length / size));
  pool.close();
  await pool.done;
  return parts.flat();
}

/**
 * An open pool (see openPool) reading batch i of `tasks` (tasks[i * size]
 * to the next `size`, as far as `tasks` has them when it is queued) with the
 * native reader in libuv's thread pool, and its results by batch: each
 * batch back is handed task by task to `each` into parts[i].
 */
function taskPool(
  reader: NativeReader,
  tasks: readonly Task[],
  files: string[],
  size: number,
  concurrency: number,
  each: (t: Task, read: TaskRead) => TaskResult,
): { pool: OpenPool; parts: TaskResult[][] } {
  const k = files.length;
  const single = singleFlags(files, size);
  const parts: TaskResult[][] = [];
  const view = new BatchTexts(files);
  const pool = openPool(
    concurrency,
    (index, done) => {
      const batch = tasks.slice(index * size, (index + 1) * size);
      reader.readTaskFilesAsync(
        batch.map((t) => t.dir),
        files,
        batch.length === size ? single : single.subarray(0, batch.length * k),
        done,
      );
    },
    (index, texts) => {
      parts[index] = eachOfBatch(tasks, index * size, texts, view, each);
    },
  );
  return { pool, parts };
}

/**
 * readBatchesAsync over the processes of a procfs root, each batch queued
 * to the thread pool as soon as the listing has found its pids (the root is
 * listed a getdents piece at a time, with a turn of the event loop between
 * pieces, in which the batches back are parsed and more are queued): how
 * many were listed and each one's result, or undefined when the root cannot
 * be listed this way (not opened, out of order as no procfs lists, a name
 * too long for a pid, or no pid at all), after every batch queued is back;
 * the caller then lists it as usual, and `each` has been given nothing
 * that counts (its results are dropped).
 */
async function readWhileListingAsync(
  reader: NativeReader,
  root: string,
  files: string[],
  concurrency: number,
  each: (t: Task, read: TaskRead) => TaskResult,
): Promise<{ listed: number; results: TaskResult[] } | undefined> {
  let fd: number;
  try {
    fd = fs.openSync(root, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY);
  } catch {
    return undefined;
  }
  const size = tasksPerBatch(lastListed.get(root) ?? NATIVE_BATCH * 16);
  const tasks: Task[] = [];
  const { pool, parts } = taskPool(reader, tasks, files, size, concurrency, each);
  // Handled here as well, so that a batch failing while the listing goes on is not an unhandled rejection; awaited below.
  pool.done.catch(() => undefined);
  const pids = new Int32Array(512);
  let batches = 0;
  let usable = true;
  try {
    for (;;) {
      const n = reader.listPidsAt(fd, pids);
      if (n <= 0) {
        usable = n === 0;
        break;
      }
      for (let i = 0; i < n && usable; i++) {
        const pid = pids[i]!;
        if (tasks.length > 0 && pid <= tasks[tasks.length - 1]!.pid) usable = false;
        else tasks.push({ dir: `${root}/${pid}`, pid, tgid: pid });
      }
      if (!usable) break;
      const full = Math.floor(tasks.length / size);
      if (full > batches) {
        pool.add(full - batches);
        batches = full;
      }
      await new Promise<void>((r) => setImmediate(r));
    }
  } catch (err) {
    pool.cancel(err);
    await pool.done.catch(() => undefined);
    throw err;
  } finally {
    fs.closeSync(fd);
  }
  if (!usable || tasks.length === 0) {
    pool.cancel(new Error('listed another way'));
    await pool.done.catch(() => undefined);
    return undefined;
  }
  pool.add(Math.ceil(tasks.length / size) - batches);
  pool.close();
  await pool.done;
  lastListed.set(root, tasks.length);
  return { listed: tasks.length, results: parts.flat() };
}

/**
 * Default `concurrency` of the async listing and of sampleAsync: with the
 * native reader, four batches at once, the whole of libuv's default thread
 * pool while a listing reads (on two cores four batches took 0.56-0.64 of
 * the sync listing's time, two 0.69-0.72, at 2,000 and 10,000 processes).
 */
export const DEFAULT_CONCURRENCY = 64;

/**
 * listProcesses without blocking the event loop: with the native reader,
 * batches of tasks are read in libuv's thread pool (concurrency / 16
 * batches at once, 1 to 4); through node:fs, at most `concurrency` files
 * are read at once.
 */
export async function listProcessesAsync<G extends Group, N extends number | bigint = number>(
  root: string,
  ctx: (file: string) => ReadContext,
  opts: ListOptions<G> & { concurrency?: number },
): Promise<Listing<G, N>> {
  const p = plan(opts.groups);
  const files = filesOf(p);
  const select = opts.select ?? { all: 'processes' };
  const c = listingContext(root, ctx);
  if (native !== undefined && opts.native !== false && 'all' in select && select.all === 'processes') {
    const failedWhile: { pid: number; error: ProcfsError }[] = [];
    const got = await readWhileListingAsync(native, root, files, opts.concurrency ?? DEFAULT_CONCURRENCY, (t, read) =>
      readTaskOrFail(failedWhile, t, p, c, read),
    );
    if (got !== undefined) return listingOf<G, N>(root, got.listed, got.results, failedWhile);
  }
  const tasks = tasksOf(root, select, opts.native !== false);
  const failed: { pid: number; error: ProcfsError }[] = [];
  const results =
    native !== undefined && opts.native !== false
      ? await readBatchesAsync(native, tasks, files, opts.concurrency ?? DEFAULT_CONCURRENCY, (t, read) => readTaskOrFail(failed, t, p, c, read))
      : await readEachAsync(tasks, files, opts.concurrency ?? DEFAULT_CONCURRENCY, (t, read) => readTaskOrFail(failed, t, p, c, read));
  return listingOf<G, N>(root, tasks.length, results, failed);
}

/**
 * Whether `pid` still names the incarnation that started at `startTicks`
 * (a pid is reused once its process has been reaped).
 */
export function isSameProcess(root: string, pid: number, startTicks: number, clockTick: number): boolean {
  try {
    const stat = parseProcPidStat(readFileSync(`${root}/${pid}/stat`), contextOf({ clockTick }));
    return Math.round(stat.starttime * clockTick) === startTicks;
  } catch (err) {
    if (err instanceof ProcfsError && err.code === 'not_found') return false;
    throw err;
  }
}
