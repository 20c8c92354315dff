/**
 * Listing a folder of a file system the kernel keeps in memory (procfs,
 * sysfs, cgroup2): it answers at once, so it is listed in one call rather
 * than through a request to libuv's thread pool and back, which cost more
 * CPU than the listing. A folder of anything else (a saved copy of /proc, a
 * cgroup tree copied for a test, a network file system) is listed async.
 */
import { type Dirent, readdirSync, statfsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';

/** statfs f_type of procfs, sysfs and cgroup2. */
const KERNEL_FILE_SYSTEMS = new Set([0x9fa0, 0x62656572, 0x63677270]);

/** Whether a mount point (or a folder standing for one) is a kernel file system, asked once per path for the life of the process. */
const known = new Map<string, boolean>();

function kernelKept(path: string): boolean {
  let yes = known.get(path);
  if (yes === undefined) {
    try {
      yes = KERNEL_FILE_SYSTEMS.has(statfsSync(path).type);
    } catch {
      yes = false;
    }
    known.set(path, yes);
  }
  return yes;
}

/**
 * The entries of `dir`, with their types: in one call when `under` (a
 * folder `dir` is in or is, such as the cgroup2 root of a cgroup's folder:
 * one check for all of them) is on a kernel file system, else async.
 */
export function listFolder(dir: string, under: string = dir): Promise<Dirent[]> {
  if (!kernelKept(under)) return readdir(dir, { withFileTypes: true });
  try {
    return Promise.resolve(readdirSync(dir, { withFileTypes: true }));
  } catch (err) {
    return Promise.reject(err);
  }
}
