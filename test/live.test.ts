/**
 * Every spec against this machine's live /proc: the file parses, leaves no
 * key or token the spec does not name, and agrees with another source.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { ProcFs, registry } from '../runtime/index.js';
import { resolvePath } from '../runtime/model/paths.js';

// cgroup v2 files are read under the cgroup2 mount (found with procspec's own mountinfo), for this process's cgroup.
const cgroup2 = new ProcFs().read('proc/pid/mountinfo', { pid: process.pid }).find((m) => m.fsType === 'cgroup2')?.mountPoint;
const fs = new ProcFs(cgroup2 !== undefined ? { cgroupRoot: cgroup2 } : {});
const ownCgroup = /^0::\/(.*)$/m.exec(readFileSync('/proc/self/cgroup', 'utf8'))?.[1] ?? '';

/** Paths of `extra` / `extraTokens` left in a parsed value (others-records are expected content). */
function leftovers(v: unknown, path = '$'): string[] {
  if (Array.isArray(v)) return v.flatMap((x, i) => leftovers(x, `${path}[${i}]`));
  if (v === null || typeof v !== 'object') return [];
  const out: string[] = [];
  for (const [k, x] of Object.entries(v)) {
    if (k === 'extra' || k === 'extraTokens') out.push(`${path}.${k} = ${JSON.stringify(x, (_k, y: unknown) => (typeof y === 'bigint' ? String(y) : y))}`);
    else out.push(...leftovers(x, `${path}.${k}`));
  }
  return out;
}

/** The first name in a /sys folder that `pick` accepts, else the first name in it, else a name that is not there. */
const firstIn = (dir: string, pick: (name: string) => boolean = () => true): string => {
  const names = existsSync(dir) ? readdirSync(dir).sort() : [];
  return names.find(pick) ?? names[0] ?? 'none';
};
// An interrupt line with an affinity of its own (the timer's, 0, has none on x86).
const irq = (existsSync('/proc/irq') ? readdirSync('/proc/irq') : []).find((n) => existsSync(`/proc/irq/${n}/smp_affinity`)) ?? '0';
/** Parameters for every pattern: this process, its main thread, its stdin, its net namespace, the loopback interface, a sysctl every kernel has, that interrupt; in /sys a disk (not a loop or RAM disk), CPU 0, node 0. */
const params = {
  pid: process.pid,
  tid: process.pid,
  fd: 0,
  ns: 'net',
  iface: 'lo',
  sysctl: 'kernel/ostype',
  cgroup: ownCgroup,
  resource: 'cpu',
  irq,
  dev: firstIn('/sys/block', (n) => !/^(loop|ram|zram)/.test(n)),
  cpu: 0,
  node: 0,
  vulnerability: 'meltdown',
  size: firstIn('/sys/kernel/mm/hugepages').replace(/^hugepages-(\d+)kB$/, '$1'),
  zone: firstIn('/sys/class/thermal', (n) => n.startsWith('thermal_zone')).replace(/^thermal_zone/, ''),
};
/** An interface with a link, whose speed and duplex can be read (they fail while an interface is down, and on loopback). */
const linked = {
  iface: firstIn(
    '/sys/class/net',
    (n) => n !== 'lo' && existsSync(`/sys/class/net/${n}/operstate`) && readFileSync(`/sys/class/net/${n}/operstate`, 'utf8').trim() === 'up',
  ),
};
/** A size of multi-size transparent huge pages this kernel offers (hugepages-2048kB). */
const thpSize = firstIn('/sys/kernel/mm/transparent_hugepage', (n) => n.startsWith('hugepages-')).replace(/^hugepages-(\d+)kB$/, '$1');
const liveParams: Record<string, Record<string, string | number>> = {
  'proc/pressure': { resource: 'cpu' },
  'sys/kernel/mm/transparent_hugepage/hugepages/enabled': { size: thpSize },
  'sys/kernel/mm/transparent_hugepage/hugepages/shmem_enabled': { size: thpSize },
  // An event counter every kernel with multi-size THP statistics has.
  'sys/kernel/mm/transparent_hugepage/hugepages/stats/stat': { size: thpSize, stat: 'anon_fault_alloc' },
  'sys/kernel/mm/transparent_hugepage/hugepages/stats/nr_anon': { size: thpSize },
  'sys/kernel/mm/transparent_hugepage/hugepages/stats/nr_anon_partially_mapped': { size: thpSize },
  'sys/class/net/iface/speed': linked,
  'sys/class/net/iface/duplex': linked,
  'sys/class/powercap/zone/energy_uj': { zone: firstIn('/sys/class/powercap', (n) => n.includes(':')) },
  'sys/class/powercap/zone/max_energy_range_uj': { zone: firstIn('/sys/class/powercap', (n) => n.includes(':')) },
};
const paramsOf = (id: string, paths: string[]): Record<string, string | number> => {
  if (liveParams[id]) return liveParams[id]!;
  const used = new Set(paths.flatMap((p) => [...p.matchAll(/\[([a-z]+)\]/g)].map((m) => m[1]!)));
  // The first pattern whose parameters are all given is used: give those of the simplest one.
  const first = paths.find((p) => p.startsWith('/proc/') || p.startsWith('/sys/'))!;
  const need = [...first.matchAll(/\[([a-z]+)\]/g)].map((m) => m[1]!);
  return Object.fromEntries(need.filter((k) => used.has(k)).map((k) => [k, params[k as keyof typeof params]]));
};

describe('live /proc of this machine', () => {
  for (const e of registry) {
    const p = paramsOf(e.id, e.model.paths);
    const file = resolvePath(e.model, { proc: '/proc', cgroup: fs.cgroupRoot }, p);
    it.skipIf(!existsSync(file))(`${e.id} parses ${file} with nothing left over`, () => {
      const v = fs.read(e.id as never, p);
      expect(leftovers(v)).toEqual([]);
    });
  }

  it('meminfo total equals os.totalmem()', () => {
    expect(fs.read('proc/meminfo').memTotal).toBe(os.totalmem());
  });

  it('pid/stat of this process names this pid and its parent', () => {
    const s = fs.read('proc/pid/stat', { pid: process.pid });
    expect(s.pid).toBe(process.pid);
    expect(s.ppid).toBe(process.ppid);
    expect(s.comm.length).toBeGreaterThan(0);
    expect(s.numThreads).toBeGreaterThanOrEqual(1);
    expect(s.exitCode).toBe(0);
  });

  it('stat has one cpu line per CPU, and CPU time adds up', () => {
    const s = fs.read('proc/stat');
    expect(s.cpus.length).toBe(os.cpus().length);
    expect(s.cpus.map((c) => c.cpu)).toEqual(os.cpus().map((_c, i) => i));
    const sumUser = s.cpus.reduce((a, c) => a + c.user, 0);
    expect(Math.abs(sumUser - s.cpu.user)).toBeLessThan(0.05 * s.cpus.length + 1);
    expect(Math.abs(s.btime - (Date.now() / 1000 - os.uptime()))).toBeLessThan(5);
  });

  it('interrupts has a count column per online CPU, and softirqs one per possible CPU', () => {
    const irq = fs.read('proc/interrupts');
    expect(irq.cpus).toEqual(os.cpus().map((_c, i) => i));
    const timer = irq.rows.find((r) => r.irq === 'LOC' || r.irq === '0');
    expect(timer?.counts.length).toBe(os.cpus().length);
    const soft = fs.read('proc/softirqs');
    expect(soft.rows.map((r) => r.type)).toContain('TIMER');
    expect(soft.rows.every((r) => r.counts.length === soft.cpus.length)).toBe(true);
  });

  it('cmdline and environ of this process match what Node was given', () => {
    const args = fs.read('proc/pid/cmdline', { pid: process.pid });
    expect(args[0]).toBe(process.argv0);
    expect(args.length).toBeGreaterThan(1);
    const env = fs.read('proc/pid/environ', { pid: process.pid });
    const home = env.find((v) => v.name === 'HOME');
    if (process.env.HOME !== undefined && home) expect(home.value).toBe(process.env.HOME);
    expect(env.length).toBeGreaterThan(0);
  });

  it('mountinfo has the root mount, and limits agree with the open-files limit the shell reports', () => {
    const mounts = fs.read('proc/pid/mountinfo', { pid: process.pid });
    expect(mounts.some((m) => m.mountPoint === '/')).toBe(true);
    expect(mounts.every((m) => m.mountOptions[0] === 'rw' || m.mountOptions[0] === 'ro')).toBe(true);
    const limits = fs.read('proc/pid/limits', { pid: process.pid });
    expect(limits.map((l) => l.limit)).toContain('Max open files');
    const files = limits.find((l) => l.limit === 'Max open files')!;
    const shell = execFileSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim();
    expect(String(files.soft)).toBe(shell === 'unlimited' ? 'unlimited' : shell);
  });

  it('smaps of this process adds up to smaps_rollup', () => {
    const maps = fs.read('proc/pid/smaps', { pid: process.pid });
    const [rollup] = fs.read('proc/pid/smaps_rollup', { pid: process.pid });
    const rss = maps.reduce((a, m) => a + m.rss, 0);
    // The process keeps running between the two reads: allow a little drift.
    expect(Math.abs(rss - rollup!.rss) / rollup!.rss).toBeLessThan(0.05);
    expect(maps.every((m) => m.start < m.end)).toBe(true);
  });

  it("writing reset_peak_rss to clear_refs brings a process's peak resident size down to its current one", async () => {
    // A child that touches 192 MiB, frees it (returned to the kernel: large allocations are mmap'd) and waits.
    const child = spawn('python3', ['-c', 'import sys\nx = bytearray(192 << 20)\ndel x\nprint("ready", flush=True)\nsys.stdin.read()'], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.once('data', () => resolve());
        child.once('error', reject);
      });
      const pid = child.pid!;
      const before = fs.read('proc/pid/status', { pid });
      expect(before.vmHwm! - before.vmRss!).toBeGreaterThan(100 << 20);
      fs.write('proc/pid/clear_refs', 'reset_peak_rss', { pid });
      const after = fs.read('proc/pid/status', { pid });
      expect(after.vmHwm!).toBeLessThan(before.vmHwm! - (100 << 20));
      expect(after.vmHwm!).toBeGreaterThanOrEqual(after.vmRss!);
    } finally {
      child.stdin.end();
      child.kill();
    }
  });

  it("a disk's /sys stat agrees with its line of /proc/diskstats, and the CPUs online are os.cpus()", () => {
    const dev = params.dev;
    const line = fs.read('proc/diskstats').find((r) => r.device === dev);
    if (line !== undefined && line.kind === 'full') {
      const stat = fs.read('sys/block/dev/stat', { dev });
      expect(stat.readsCompleted).toBeGreaterThanOrEqual(line.readsCompleted);
      expect(stat.readsCompleted - line.readsCompleted).toBeLessThan(1000);
      expect(stat.readBytes).toBeGreaterThanOrEqual(line.readBytes);
    }
    expect(fs.read('sys/devices/system/cpu/online').cpus).toEqual(os.cpus().map((_c, i) => i));
  });

  it("the huge page pool in /sys agrees with meminfo's HugePages_Total", () => {
    const size = fs.read('proc/meminfo').hugepagesize;
    if (size === undefined || !existsSync(`/sys/kernel/mm/hugepages/hugepages-${size / 1024}kB`)) return;
    expect(fs.read('sys/kernel/mm/hugepages/size/nr_hugepages', { size: size / 1024 }).pages).toBe(fs.read('proc/meminfo').hugePagesTotal);
  });

  it('loadavg agrees with os.loadavg()', () => {
    const l = fs.read('proc/loadavg');
    const [a] = os.loadavg();
    expect(Math.abs(l.load1 - a!)).toBeLessThan(1);
  });
});
