/**
 * The cgroup v2 tree as the cgroup collectors see it: where cgroup2 is
 * mounted for a ProcFs (or why it is not), and its groups down to a depth,
 * each with the names of the files it holds. A file a group does not hold
 * (the root has no memory.current; memory.stat needs the memory controller
 * enabled above the group) is then simply not read.
 */
import type { Dirent } from 'node:fs';
import type { ProcFs } from '../runtime/index.js';
import { listFolder } from './kernel-folders.js';

/** Levels below the root group listed by default: 2 reaches /system.slice/ssh.service and /user.slice/user-1000.slice. */
export const DEFAULT_CGROUP_DEPTH = 2;

/** The cgroup2 mount the collectors read (the ProcFs's own, so that reads and listing agree), or why there is none. */
export type CgroupTree = { readonly root: string } | { readonly why: string };

/** Where cgroup2 is mounted for a ProcFs: looked up once (its mount table), never throws. */
export function cgroupTreeOf(fs: Pick<ProcFs<boolean>, 'cgroupRoot'>): CgroupTree {
  try {
    return { root: fs.cgroupRoot };
  } catch (err) {
    return { why: err instanceof Error ? err.message : String(err) };
  }
}

/** One group: its path below the cgroup2 mount (`''` for the root group, `system.slice/ssh.service`) and the files it holds. */
export interface Group {
  readonly path: string;
  readonly files: ReadonlySet<string>;
}

/**
 * The groups from the root down to `depth` levels below it, in path order
 * (each group before its children, names sorted), each folder listed once.
 * A group removed while it is listed is left out; only a root that cannot
 * be listed is an error. `listed` counts the folders listed. A mounted
 * cgroup2's folders are listed in one call each (kernel-folders.ts).
 */
export async function listGroups(root: string, depth: number, listed: { folders: number } = { folders: 0 }): Promise<Group[]> {
  // Children are listed at once; the arrays they return are joined in name order, so the order does not depend on which read ends first.
  const visit = async (path: string, level: number): Promise<Group[]> => {
    let entries: Dirent[];
    try {
      listed.folders++;
      entries = await listFolder(path === '' ? root : `${root}/${path}`, root);
    } catch (err) {
      if (path === '') throw err;
      return [];
    }
    const files = new Set<string>();
    const children: string[] = [];
    for (const e of entries) {
      if (e.isDirectory()) children.push(e.name);
      else files.add(e.name);
    }
    const self: Group = { path, files };
    if (level >= depth || children.length === 0) return [self];
    children.sort();
    const below = await Promise.all(children.map((name) => visit(path === '' ? name : `${path}/${name}`, level + 1)));
    return [self, ...below.flat()];
  };
  return visit('', 0);
}
