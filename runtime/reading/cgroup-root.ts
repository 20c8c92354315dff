/**
 * Where the cgroup hierarchies are mounted, from a mount table
 * (`<root>/self/mountinfo`). Specs write cgroup v2 files under
 * /sys/fs/cgroup, but that is where cgroup2 is mounted only on a pure v2
 * host: a hybrid host (systemd's default for years) mounts the v1
 * controllers at /sys/fs/cgroup/<controller> and cgroup2 at
 * /sys/fs/cgroup/unified, and a v1-only host has no cgroup2 at all.
 */
import * as fs from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseProcPidMountinfo } from '../../generated/parsers/proc/pid/mountinfo.js';
import { contextOf } from '../core/context.js';
import { ioError, ProcfsError } from '../core/errors.js';

/** The cgroup mounts of one mount table. */
export interface CgroupMounts {
  /** Where cgroup2 is mounted, or null when it is not (a cgroup v1-only host). */
  v2: string | null;
  /** The cgroup v1 hierarchies: mount point and super options (their controllers, `name=systemd`, ...). */
  v1: { mountPoint: string; options: string[] }[];
}

/**
 * The cgroup mounts listed in a mountinfo text. When cgroup2 is mounted more
 * than once (a container runtime's bind mounts), the first mount of the
 * whole hierarchy (root `/`) is taken, else the first.
 */
export function cgroupMountsOf(mountinfo: string | Uint8Array, file = '<mountinfo>'): CgroupMounts {
  const rows = parseProcPidMountinfo(mountinfo, contextOf({ file }));
  const v2 = rows.filter((r) => r.fsType === 'cgroup2');
  return {
    v2: (v2.find((r) => r.root === '/') ?? v2[0])?.mountPoint ?? null,
    v1: rows.filter((r) => r.fsType === 'cgroup').map((r) => ({ mountPoint: r.mountPoint, options: r.superOptions })),
  };
}

/** The mount table of the reading process under a procfs root. */
const mountinfoOf = (procRoot: string): string => `${procRoot.replace(/\/+$/, '')}/self/mountinfo`;

/** The cgroup mounts of the reading process, from `<procRoot>/self/mountinfo`. Throws ProcfsError. */
export function cgroupMounts(procRoot = '/proc'): CgroupMounts {
  const file = mountinfoOf(procRoot);
  let text: Buffer;
  try {
    text = fs.readFileSync(file);
  } catch (err) {
    throw ioError(file, err);
  }
  return cgroupMountsOf(text, file);
}

/**
 * Where cgroup2 is mounted, from `<procRoot>/self/mountinfo`, under the
 * folder that holds the procfs root: the mount table names paths of the
 * host's root, and a procfs root elsewhere stands for that root's /proc (a
 * host's /proc seen from a container at /host/proc, beside /host/sys; a
 * saved tree's proc/ beside its sys/), so /sys/fs/cgroup/unified is read at
 * /host/sys/fs/cgroup/unified, never at this machine's own. A host without
 * it (cgroup v1 only) gives ProcfsError 'unsupported' naming the v1 mounts
 * it has: /sys/fs/cgroup there holds v1 controllers, and reading v2 files
 * under it would read other files or none.
 */
export function cgroup2Root(procRoot = '/proc'): string {
  const m = cgroupMounts(procRoot);
  if (m.v2 !== null) return join(dirname(resolve(procRoot)), m.v2);
  const file = mountinfoOf(procRoot);
  const v1 = m.v1.length === 0 ? 'no cgroup file system at all' : `cgroup v1 only: ${m.v1.map((x) => x.mountPoint).join(', ')}`;
  throw new ProcfsError('unsupported', `${file}: no cgroup2 file system is mounted (${v1}), so cgroup v2 files cannot be read`, { file });
}
