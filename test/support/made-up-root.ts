/**
 * A made-up /proc root for listing tests (values cannot move between reads):
 * a folder per task whose stat is the 52-field line of the project's own
 * fixture (test/fixtures/proc/pid/stat/written-3.10-x86_64-52-fields.txt,
 * written from fs/proc/array.c's do_task_stat) with its pid, name and user
 * time changed, and a cmdline. No file outside the project is needed.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const TEMPLATE = readFileSync(join(import.meta.dirname, '..', 'fixtures', 'proc', 'pid', 'stat', 'written-3.10-x86_64-52-fields.txt'), 'latin1').split(' ');

/** Writes the stat of task `pid` of `root`: named t<pid>, with `utime` clock ticks of user time (the template's when not given). */
export function writeStat(root: string, pid: number, utime?: number): void {
  const f = [...TEMPLATE];
  f[0] = String(pid);
  f[1] = `(t${pid})`;
  if (utime !== undefined) f[13] = String(utime);
  writeFileSync(join(root, String(pid), 'stat'), f.join(' '));
}

/** A new root (under the temporary folder, named after `prefix`) with a folder for every pid of `pids`; `fill` writes each one's files. */
export function madeUpRoot(prefix: string, pids: readonly number[], fill: (root: string, pid: number) => void): string {
  const root = mkdtempSync(join(tmpdir(), prefix));
  for (const pid of pids) {
    mkdirSync(join(root, String(pid)));
    fill(root, pid);
  }
  return root;
}

/**
 * madeUpRoot on a file system that lists a folder's entries in the order
 * they were made or its reverse (tmpfs, /dev/shm), with the folders made in
 * the order that getdents gives in ascending order of pid, as procfs does:
 * the native reader reads such a root while listing it. Throws when neither
 * order lists ascending.
 */
export function ascendingRoot(
  prefix: string,
  pids: readonly number[],
  fill: (root: string, pid: number) => void,
  listed: (root: string) => ArrayLike<number>,
): string {
  const up = [...pids].sort((a, b) => a - b);
  for (const order of [up, [...up].reverse()]) {
    const root = mkdtempSync(join('/dev/shm', prefix));
    for (const pid of order) mkdirSync(join(root, String(pid)));
    const got = Array.from(listed(root));
    if (got.every((p, i) => p === up[i]) && got.length === up.length) {
      for (const pid of up) fill(root, pid);
      return root;
    }
    rmSync(root, { recursive: true, force: true });
  }
  throw new Error('/dev/shm lists its folders in neither the order they were made nor its reverse');
}
