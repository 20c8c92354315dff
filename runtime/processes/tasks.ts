/**
 * The task folders a selection names: the pid folders of a /proc root, the
 * threads of a process, or the children of one, listed (with getdents alone
 * by the native reader, or through node:fs) before any of them is read.
 */
import * as fs from 'node:fs';
import { parseProcPidStat } from '../../generated/parsers/proc/pid/stat.js';
import { ProcfsError } from '../core/errors.js';
import { native } from '../reading/native.js';
import { readFileSync } from '../reading/read.js';

/** Which processes or threads to list (the selection modes of the kernel's task_diag proposal). */
export type Selection = { all: 'processes' } | { all: 'threads' } | { childrenOf: number } | { threadsOf: number } | { pid: number };

/** A task folder to read: /proc/<pid> or /proc/<tgid>/task/<tid>. */
export interface Task {
  /** The folder's path. */
  dir: string;
  /** The task's id: a pid, or a tid for a thread. */
  pid: number;
  /** The id of its process (its thread group). */
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
