/**
 * Helpers of the cgroup collectors' tests: a made-up host (a procfs root
 * beside a cgroup v2 tree of fixture files, under a temporary folder) and a
 * real cgroup v2 group made for a test, with busy processes moved into it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, mkdirSync, mkdtempSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { cgroup2Root } from '../../runtime/index.js';
import { repo } from '../support/cli.js';

/** A fixture of a cgroup v2 file (test/fixtures/sys/fs/cgroup/...). */
export const cgroupFixture = (path: string): string => readFileSync(join(repo, 'test', 'fixtures', 'sys', 'fs', 'cgroup', path), 'utf8');
/** A fixture of /proc (test/fixtures/proc/...). */
export const procFixture = (path: string): string => readFileSync(join(repo, 'test', 'fixtures', 'proc', path), 'utf8');

/** Mount tables (the format of proc/<pid>/mountinfo) of the three kinds of host. */
export const MOUNTINFO = {
  /** cgroup2 alone at /sys/fs/cgroup. */
  pure: `22 1 259:2 / / rw,relatime shared:1 - ext4 /dev/nvme0n1p2 rw
25 24 0:23 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot
`,
  /** systemd's hybrid layout, as on the machine these tests were written on: cgroup2 at /sys/fs/cgroup/unified. */
  hybrid: `22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw
30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
31 30 0:28 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
`,
  /** No cgroup2 at all. */
  v1: `22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw
30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
31 30 0:28 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct
34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
`,
};

export interface MadeUpHost {
  /** The procfs root (`<top>/proc`). */
  readonly proc: string;
  /** The folder of the cgroup2 mount (`<top>/sys/fs/cgroup` or `.../unified`). */
  readonly cgroup: string;
  readonly top: string;
}

/**
 * A host under a temporary folder: `proc/` holding self/mountinfo and
 * `procFiles`, and beside it the cgroup2 mount the mount table names,
 * holding `groups` (group path, '' for the root, -> file name -> text).
 */
export function madeUpHost(mountinfo: string, procFiles: Record<string, string>, groups: Record<string, Record<string, string>>): MadeUpHost {
  const top = mkdtempSync(join(tmpdir(), 'procspec-cgroups-'));
  const files: Record<string, string> = { 'proc/self/mountinfo': mountinfo };
  for (const [p, text] of Object.entries(procFiles)) files[`proc/${p}`] = text;
  const mount = /\S+ \S+ \S+ \S+ (\S+) .* - cgroup2 /m.exec(mountinfo)?.[1];
  const cgroup = join(top, mount ?? '/sys/fs/cgroup');
  for (const [g, entries] of Object.entries(groups)) {
    mkdirSync(join(cgroup, g), { recursive: true });
    for (const [name, text] of Object.entries(entries)) files[join(cgroup.slice(top.length + 1), g, name)] = text;
  }
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(dirname(join(top, p)), { recursive: true });
    writeFileSync(join(top, p), text);
  }
  return { proc: join(top, 'proc'), cgroup, top };
}

/** A cgroup v2 group made for a test, below the cgroup2 mount, with busy processes in it. */
export interface LiveGroup {
  /** Its path below the mount, without a leading slash. */
  readonly path: string;
  readonly dir: string;
  readonly children: readonly ChildProcess[];
  /** Ends its processes and removes it (again: nothing). */
  remove(): Promise<void>;
}

/** Makes group `name` below the mount `mount` and moves `busy` shell loops (niced, so the machine's other work goes first) into it. */
export async function liveGroup(mount: string, name: string, busy: number): Promise<LiveGroup> {
  const dir = join(mount, name);
  mkdirSync(dir);
  const children: ChildProcess[] = [];
  let removed = false;
  const remove = async (): Promise<void> => {
    if (removed) return;
    removed = true;
    await Promise.all(
      children.map(async (c) => {
        if (c.exitCode !== null || c.signalCode !== null) return;
        const exited = new Promise((r) => c.once('exit', r));
        c.kill('SIGKILL');
        await exited;
      }),
    );
    // The group can be removed once its last task is gone, which the kernel notes a moment after the exit.
    for (let i = 0; ; i++) {
      try {
        rmdirSync(dir);
        return;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
        if (i >= 50) throw err;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  };
  try {
    for (let i = 0; i < busy; i++) {
      const c = spawn('nice', ['-n', '19', 'sh', '-c', 'while :; do :; done'], { stdio: 'ignore' });
      children.push(c);
      await new Promise<void>((resolve, reject) => {
        c.once('spawn', resolve);
        c.once('error', reject);
      });
      writeFileSync(join(dir, 'cgroup.procs'), `${c.pid}\n`);
    }
  } catch (err) {
    await remove();
    throw err;
  }
  return { path: name, dir, children, remove };
}

/** The cgroup2 mount, when this process (root) may make a group there. */
export function writableMount(): string | undefined {
  try {
    const m = cgroup2Root('/proc');
    accessSync(m, constants.W_OK);
    return process.getuid?.() === 0 ? m : undefined;
  } catch {
    return undefined;
  }
}
