/**
 * Helpers of the cgroup collectors' tests: a made-up host (a procfs root
 * beside a cgroup v2 tree of fixture files, under a temporary folder) and a
 * real cgroup v2 group made for a test, with busy processes moved into it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { repo } from '../support/cli.js';
import { get } from './support.js';

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

/** A port of 127.0.0.1 free a moment ago. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** A Prometheus that scrapes `target` (host:port) every second, with its data in `dir`, once it is ready; `dead` says why it ended, if it did. */
export async function startPrometheus(target: string, dir: string): Promise<{ api: string; dead: () => string | undefined; stop: () => Promise<void> }> {
  writeFileSync(
    join(dir, 'prometheus.yml'),
    `global:\n  scrape_interval: 3s\n  scrape_timeout: 3s\nscrape_configs:\n  - job_name: procspec\n    static_configs:\n      - targets: ['${target}']\n`,
  );
  const port = await freePort();
  const prom = spawn(
    'prometheus',
    [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  prom.stderr!.on('data', (d: Buffer) => {
    log += d.toString();
  });
  const stop = async (): Promise<void> => {
    if (prom.exitCode !== null || prom.signalCode !== null) return;
    const exited = new Promise((r) => prom.once('exit', r));
    prom.kill('SIGTERM');
    await exited;
  };
  const dead = () => (prom.exitCode !== null ? `prometheus exited (${prom.exitCode}): ${log}` : undefined);
  const api = `http://127.0.0.1:${port}`;
  try {
    await until(async () => ((await get(`${api}/-/ready`)).status === 200 ? true : undefined), dead);
  } catch (err) {
    await stop();
    throw err;
  }
  return { api, dead, stop };
}

/**
 * Polls `check` after each short pause until it gives a value (the test's
 * own time limit ends a hung run); throws what `dead` says when a process
 * it waits on has ended.
 */
export async function until<T>(check: () => Promise<T | undefined>, dead: () => string | undefined, pauseMs = 100): Promise<T> {
  for (;;) {
    const why = dead();
    if (why !== undefined) throw new Error(why);
    const v = await check().catch(() => undefined);
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, pauseMs));
  }
}

/** One instant query of Prometheus's HTTP API: its vector. */
export async function instant(api: string, query: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const r = await get(`${api}/api/v1/query?query=${encodeURIComponent(query)}`);
  if (r.status !== 200) throw new Error(`${query}: ${r.status} ${r.body.toString()}`);
  return (JSON.parse(r.body.toString()) as { data: { result: { metric: Record<string, string>; value: [number, string] }[] } }).data.result;
}
