/** ProcFs reads: kept descriptors for sampled system-wide files, and what is cached for files read once. */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ProcFs } from '../../runtime/index.js';
import { ProcfsError } from '../../runtime/core/errors.js';
import { closeKeptFiles, isLiveProcfs, keptCount, MAX_KEPT, readKeptSync } from '../../runtime/reading/kept-files.js';
import { native } from '../../runtime/reading/native.js';

const live = isLiveProcfs('/proc');

/** Paths the descriptors of this process point at. */
function openPaths(): string[] {
  const out: string[] = [];
  for (const fd of fs.readdirSync('/proc/self/fd')) {
    try {
      out.push(fs.readlinkSync(`/proc/self/fd/${fd}`));
    } catch {
      // The descriptor of the readdir itself is gone by now.
    }
  }
  return out;
}

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'procspec-kept-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
// The files of a worker share the module graph, so an earlier file's reads may still hold descriptors.
beforeEach(() => closeKeptFiles());
afterEach(() => closeKeptFiles());

describe.skipIf(!live)('kept descriptors on the live /proc', () => {
  it('re-reads /proc/stat through one kept descriptor and sees what changed since', () => {
    const p = new ProcFs();
    const before = p.read('proc/stat').processes!;
    expect(before).toBeGreaterThan(0);
    expect(openPaths().filter((f) => f === '/proc/stat')).toHaveLength(1);
    // Two forks: the kernel's count of created tasks must move, and a stale text would not show it.
    spawnSync('true');
    spawnSync('true');
    const after = p.read('proc/stat').processes;
    expect(after).toBeGreaterThanOrEqual(before + 2);
    expect(openPaths().filter((f) => f === '/proc/stat')).toHaveLength(1);
    expect(keptCount()).toBe(1);
  });

  const rootCpuStat = `${new ProcFs().cgroupRoot}/cpu.stat`;
  it.skipIf(!fs.existsSync(rootCpuStat))('keeps a sampled /sys file open too, and sees what changed since (the cgroup2 root cpu.stat)', () => {
    const p = new ProcFs();
    const before = p.read('sys/fs/cgroup/cpu.stat', { cgroup: '' }).usage;
    expect(openPaths().filter((f) => f === rootCpuStat)).toHaveLength(1);
    // Some CPU time of this process: the root cgroup's usage must move, and a stale text would not show it.
    for (const t0 = process.cpuUsage().user; process.cpuUsage().user - t0 < 30_000; );
    const after = p.read('sys/fs/cgroup/cpu.stat', { cgroup: '' }).usage;
    expect(after).toBeGreaterThan(before);
    expect(openPaths().filter((f) => f === rootCpuStat)).toHaveLength(1);
  });

  it.skipIf(native === undefined)(
    "reads a system-wide procfs file of an async read on this thread, and its own process's file in the thread pool",
    async () => {
      const pool = vi.spyOn(native!, 'preadFdsAsync');
      try {
        const p = new ProcFs();
        const reads = [p.readAsync('proc/meminfo'), p.readAsync('proc/net/dev'), p.readAsync('proc/sys/fs/file-nr')] as const;
        // Read before the promises are made: no turn of the event loop is needed.
        expect(keptCount()).toBe(3);
        const [meminfo, dev, fileNr] = await Promise.all(reads);
        expect(meminfo.memTotal).toBeGreaterThan(0);
        expect(dev.length).toBeGreaterThan(0);
        expect(fileNr.allocated).toBeGreaterThan(0);
        expect(pool).not.toHaveBeenCalled();
        // /proc/self/stat: a file in a process's folder, which may wait on that process's memory lock.
        const self = await p.readAsync('proc/pid/stat');
        expect(self.pid).toBe(process.pid);
        expect(pool).toHaveBeenCalledTimes(1);
      } finally {
        pool.mockRestore();
      }
    },
  );

  it('does not hand its kept descriptors to the processes it starts', () => {
    new ProcFs().read('proc/meminfo');
    expect(openPaths()).toContain('/proc/meminfo');
    const child = spawnSync('ls', ['-l', '/proc/self/fd/'], { encoding: 'utf8' });
    expect(child.status).toBe(0);
    expect(child.stdout).toMatch(/-> \/proc\/\d+\/fd$/m);
    expect(child.stdout).not.toContain('/proc/meminfo');
  });

  it('gives the same values as a read by path', () => {
    const kept = new ProcFs();
    const byPath = new ProcFs({ keepOpen: false });
    for (const id of ['proc/version', 'proc/filesystems', 'proc/swaps', 'proc/cmdline'] as const) {
      expect(kept.read(id)).toEqual(byPath.read(id));
    }
    expect(keptCount()).toBeGreaterThan(0);
  });

  it('keeps nothing with keepOpen: false, and dropCache closes the descriptors of its root', () => {
    new ProcFs({ keepOpen: false }).read('proc/meminfo');
    expect(keptCount()).toBe(0);
    const p = new ProcFs();
    p.read('proc/meminfo');
    p.read('proc/loadavg');
    expect(keptCount()).toBe(2);
    p.dropCache();
    expect(keptCount()).toBe(0);
    expect(openPaths()).not.toContain('/proc/meminfo');
  });

  it('keeps at most MAX_KEPT descriptors, closing the one read longest ago', () => {
    const files = fs
      .readdirSync('/proc/sys/kernel')
      .map((f) => `/proc/sys/kernel/${f}`)
      .filter((f) => {
        try {
          fs.accessSync(f, fs.constants.R_OK);
          return fs.statSync(f).isFile() && fs.readFileSync(f).length > 0;
        } catch {
          return false;
        }
      })
      .slice(0, MAX_KEPT + 10);
    expect(files.length).toBe(MAX_KEPT + 10);
    const fds = openPaths().length;
    const read = (f: string) => expect(readKeptSync(f, false).toString()).toBe(fs.readFileSync(f, 'utf8'));
    for (const f of files.slice(0, MAX_KEPT)) read(f);
    // Read again, the first file is the one read last: the 10 after it are closed to make room, not it.
    read(files[0]!);
    for (const f of files.slice(MAX_KEPT)) read(f);
    expect(keptCount()).toBe(MAX_KEPT);
    expect(openPaths().length - fds).toBe(MAX_KEPT);
    const open = new Set(openPaths());
    expect(open.has(files[0]!)).toBe(true);
    for (const f of files.slice(1, 11)) expect(open.has(f)).toBe(false);
    for (const f of files.slice(11)) expect(open.has(f)).toBe(true);
  });

  it('reports a process that ended as gone, not the text its kept descriptor read before', async () => {
    const child = spawn('sleep', ['30']);
    const file = `/proc/${child.pid}/stat`;
    expect(readKeptSync(file, true).toString()).toMatch(new RegExp(`^${child.pid} \\(sleep\\)`));
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    let err: unknown;
    try {
      readKeptSync(file, true);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ProcfsError);
    expect((err as ProcfsError).code).toBe('not_found');
    expect(openPaths()).not.toContain(file);
  });
});

describe('saved copies', () => {
  it('reads a file of a copy anew after it is replaced (nothing kept)', () => {
    fs.mkdirSync(path.join(dir, 'proc'), { recursive: true });
    const file = path.join(dir, 'proc', 'loadavg');
    fs.writeFileSync(file, '0.10 0.20 0.30 1/100 42\n');
    const p = new ProcFs({ root: path.join(dir, 'proc') });
    expect(p.read('proc/loadavg').lastPid).toBe(42);
    fs.writeFileSync(`${file}.new`, '0.10 0.20 0.30 1/100 43\n');
    fs.renameSync(`${file}.new`, file);
    expect(p.read('proc/loadavg').lastPid).toBe(43);
    expect(keptCount()).toBe(0);
  });

  it('parses the bytes it read as the decoded text, and a value outlives the read buffer it came from', () => {
    const root = path.join(dir, 'utf8', 'proc');
    fs.mkdirSync(path.join(root, '7'), { recursive: true });
    const line = (name: string) =>
      `7 (${name}) S 1 7 7 0 -1 4194560 1 0 0 0 2 3 0 0 20 0 1 0 100 1000 50 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n`;
    fs.writeFileSync(path.join(root, '7', 'stat'), line('tâche-进程'));
    fs.writeFileSync(path.join(root, '7', 'comm'), 'other name\n');
    const p = new ProcFs({ root });
    const stat = p.read('proc/pid/stat', { pid: 7 });
    expect(stat.comm).toBe('tâche-进程');
    // The next read fills the same buffer: the first value must not change.
    expect(p.read('proc/pid/comm', { pid: 7 }).name).toBe('other name');
    expect(stat.comm).toBe('tâche-进程');
    const text = fs.readFileSync(path.join(root, '7', 'stat'), 'utf8');
    expect(p.parse('proc/pid/stat', text)).toEqual(stat);
    expect(p.parse('proc/pid/stat', Buffer.from(text))).toEqual(stat);
    expect(p.parse('proc/pid/stat', new TextEncoder().encode(text))).toEqual(stat);
  });
});

describe.skipIf(!live)('files read once', () => {
  it('reads the cmdline of a process anew each time: a process that ended is gone, not served from a cache', async () => {
    const p = new ProcFs();
    const child = spawn('sleep', ['30']);
    expect(p.read('proc/pid/cmdline', { pid: child.pid! })).toEqual(['sleep', '30']);
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    let err: unknown;
    try {
      p.read('proc/pid/cmdline', { pid: child.pid! });
    } catch (e) {
      err = e;
    }
    expect((err as ProcfsError).code).toBe('not_found');
    await expect(p.readAsync('proc/pid/cmdline', { pid: child.pid! })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('caches a file of the system read once until dropCache', () => {
    const p = new ProcFs();
    expect(p.read('proc/version')).toBe(p.read('proc/version'));
    const first = p.read('proc/version');
    p.dropCache();
    expect(p.read('proc/version')).not.toBe(first);
    expect(p.read('proc/version')).toEqual(first);
  });
});
