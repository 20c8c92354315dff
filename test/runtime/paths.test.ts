/** Path patterns: filling in parameters under any root, and finding the spec of a live path or a saved copy. */
import { type Dirent, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { registry } from '../../generated/index.js';
import { ProcfsError } from '../../runtime/core/errors.js';
import { matchScore, resolvePath, specForPath, type MatchOptions } from '../../runtime/model/paths.js';

const model = (id: string) => registry.find((e) => e.id === id)!.model;
const roots = { proc: '/host/proc/', cgroup: '/host/cgroup' };

describe('resolvePath', () => {
  it('fills parameters under the /proc root, pid defaulting to self', () => {
    expect(resolvePath(model('proc/pid/stat'), roots, { pid: 42 })).toBe('/host/proc/42/stat');
    expect(resolvePath(model('proc/pid/stat'), roots, { pid: 42, tid: 43 })).toBe('/host/proc/42/task/43/stat');
    expect(resolvePath(model('proc/pid/stat'), '/proc')).toBe('/proc/self/stat');
  });
  it('puts cgroup files under the cgroup root, a cgroup being a path of any depth or empty for the root', () => {
    expect(resolvePath(model('proc/pressure'), roots, { resource: 'io' })).toBe('/host/proc/pressure/io');
    expect(resolvePath(model('proc/pressure'), roots, { cgroup: 'system.slice/ssh.service', resource: 'memory' })).toBe(
      '/host/cgroup/system.slice/ssh.service/memory.pressure',
    );
    expect(resolvePath(model('proc/pressure'), roots, { cgroup: '', resource: 'cpu' })).toBe('/host/cgroup/cpu.pressure');
  });
  it('puts other /sys files under the sys folder beside the /proc root, or under the one given', () => {
    expect(resolvePath(model('sys/block/dev/stat'), roots, { dev: 'sda' })).toBe('/host/sys/class/block/sda/stat');
    expect(resolvePath(model('sys/block/dev/queue/rotational'), '/proc', { dev: 'nvme0n1' })).toBe('/sys/block/nvme0n1/queue/rotational');
    expect(resolvePath(model('sys/block/dev/inflight'), 'saved/proc', { dev: 'vda' })).toBe('saved/sys/class/block/vda/inflight');
    expect(resolvePath(model('sys/block/dev/stat'), { ...roots, sys: '/mnt/sys/' }, { dev: 'sda' })).toBe('/mnt/sys/class/block/sda/stat');
    expect(() => resolvePath(model('sys/block/dev/stat'), roots, { dev: '../../etc' })).toThrow(ProcfsError);
  });
  it('refuses parameters that would leave their folder', () => {
    for (const params of [{ pid: '../1' }, { pid: '..' }, { pid: '' }]) {
      expect(() => resolvePath(model('proc/pid/stat'), roots, params)).toThrow(ProcfsError);
    }
    expect(() => resolvePath(model('proc/pressure'), roots, { cgroup: 'a/../../etc', resource: 'cpu' })).toThrow(/may not hold \. or \.\./);
  });
});

describe('specForPath', () => {
  it('finds the spec of a /sys file by its whole path, not by its last components', () => {
    expect(specForPath(registry, '/sys/block/sda/stat')?.id).toBe('sys/block/dev/stat');
    expect(specForPath(registry, '/host/sys/class/block/sda1/stat')?.id).toBe('sys/block/dev/stat');
    expect(specForPath(registry, '/sys/block/sda/queue/rotational')?.id).toBe('sys/block/dev/queue/rotational');
    expect(specForPath(registry, '/sys/block/sda/device/stat')).toBeUndefined();
  });
  it('finds specs of saved copies by their last components', () => {
    expect(specForPath(registry, 'saved/1234/stat')?.id).toBe('proc/pid/stat');
    expect(specForPath(registry, 'saved/stat')?.id).toBe('proc/stat');
    expect(specForPath(registry, 'box/net/dev')?.id).toBe('proc/net/dev');
    expect(specForPath(registry, 'cg/user.slice/io.pressure')?.id).toBe('proc/pressure');
    expect(specForPath(registry, 'fs/xfs/stat')?.id).toBe('proc/fs/xfs/stat');
    expect(specForPath(registry, 'fs/nfsd/stat')).toBeUndefined();
  });
  it('matches parameters inside a file name and parameters of any depth', () => {
    expect(matchScore('/sys/fs/cgroup/[cgroup]/[resource].pressure', 'a/b/irq.pressure')).toEqual({ fixed: 0, named: 1, deep: 2 });
    expect(matchScore('/sys/fs/cgroup/[cgroup]/[resource].pressure', 'a/b/disk.pressure')).toBeUndefined();
    expect(matchScore('/proc/sys/[sysctl]', 'copy/proc/sys/net/ipv4/ip_forward')).toEqual({ fixed: 2, named: 0, deep: 3 });
    expect(matchScore('/proc/sys/[sysctl]', 'copy/sys')).toBeUndefined();
  });
  it('reads a path that holds proc or sys from there: it must match a pattern whole', () => {
    expect(specForPath(registry, '/sys/devices/virtual/misc/stat')).toBeUndefined();
    expect(specForPath(registry, 'copy/sys/devices/virtual/misc/stat')).toBeUndefined();
    expect(specForPath(registry, '/proc/1/root/etc/stat')).toBeUndefined();
    // An interface named sys: its `sys` is no place to begin, the path's `proc` is.
    expect(specForPath(registry, '/proc/net/dev_snmp6/sys')?.id).toBe('proc/net/dev_snmp6/iface');
  });
  it('takes the most specific of several matches: a fixed name beats a parameter', () => {
    expect(matchScore('/proc/sys/kernel/pid_max', '/proc/sys/kernel/pid_max')).toEqual({ fixed: 4, named: 0, deep: 0 });
    expect(matchScore('/proc/sys/[sysctl]', '/proc/sys/kernel/pid_max')).toEqual({ fixed: 2, named: 0, deep: 2 });
    expect(specForPath(registry, '/proc/sys/kernel/pid_max')?.id).toBe('proc/sys/kernel/pid_max');
    expect(specForPath(registry, 'saved/1234/stat')?.id).toBe('proc/pid/stat');
    // Equal in names, the pattern that leaves less to a parameter of any depth wins, in either order.
    const cg = { id: 'cg', model: { paths: ['/sys/fs/cgroup/[cgroup]/cpu.stat'] } };
    const proc = { id: 'proc', model: { paths: ['/proc/cpu.stat'] } };
    expect(specForPath([cg, proc], 'saved/a/cpu.stat')?.id).toBe('proc');
    expect(specForPath([proc, cg], 'saved/a/cpu.stat')?.id).toBe('proc');
  });
  it('matches a live cgroup path below the cgroup2 mount, and a cgroup v1 path to the spec of its controller or to nothing', () => {
    const hybrid = { cgroup2: '/sys/fs/cgroup/unified' };
    expect(specForPath(registry, '/sys/fs/cgroup/unified/cpu.stat', hybrid)?.id).toBe('sys/fs/cgroup/cpu.stat');
    expect(matchScore('/sys/fs/cgroup/[cgroup]/cpu.stat', '/sys/fs/cgroup/unified/cpu.stat', hybrid)).toEqual({ fixed: 4, named: 0, deep: 0 });
    // Outside the cgroup2 mount, v1's cpu.stat (its own format), never v2's.
    expect(specForPath(registry, '/sys/fs/cgroup/cpu/cpu.stat', hybrid)?.id).toBe('sys/fs/cgroup/cpu/cpu.stat');
    expect(specForPath(registry, '/sys/fs/cgroup/cpu,cpuacct/system.slice/cpu.stat', { cgroup2: null })?.id).toBe('sys/fs/cgroup/cpu/cpu.stat');
    expect(matchScore('/sys/fs/cgroup/[cgroup]/cpu.stat', '/sys/fs/cgroup/cpu/cpu.stat', hybrid)).toBeUndefined();
    expect(specForPath(registry, '/sys/fs/cgroup/memory/user.slice/memory.stat', hybrid)?.id).toBe('sys/fs/cgroup/memory/memory.stat');
    // A v1 folder with no spec of that name, and a file right under /sys/fs/cgroup, match nothing.
    expect(specForPath(registry, '/sys/fs/cgroup/pids/user.slice/memory.stat', hybrid)).toBeUndefined();
    expect(specForPath(registry, '/sys/fs/cgroup/cpu.stat', { cgroup2: null })).toBeUndefined();
    // Below a cgroup2 mount at /sys/fs/cgroup, `memory` is a cgroup like any other.
    expect(specForPath(registry, '/sys/fs/cgroup/memory/memory.stat', { cgroup2: '/sys/fs/cgroup' })?.id).toBe('sys/fs/cgroup/memory.stat');
    expect(specForPath(registry, '/mnt/cg2/a/memory.max', { cgroup2: '/mnt/cg2' })?.id).toBe('sys/fs/cgroup/memory.max');
    // Without the mount known, /sys/fs/cgroup is the cgroup2 hierarchy and `unified` a cgroup in it.
    expect(specForPath(registry, '/sys/fs/cgroup/unified/cpu.stat')?.id).toBe('sys/fs/cgroup/cpu.stat');
  });
});

/** Values each parameter takes, including names that look like other parts of a path. */
const VALUES: Record<string, string[]> = {
  pid: ['1', '4242', 'self', 'thread-self'],
  tid: ['1', '4243'],
  fd: ['0', '17'],
  ns: ['net', 'mnt', 'pid_for_children'],
  iface: ['lo', 'eth0', 'br-1a2b', 'sys', 'proc', 'stat'],
  resource: ['cpu', 'memory', 'io', 'irq'],
  // Sysctls no spec of its own names.
  sysctl: ['kernel/ostype', 'net/ipv4/ip_forward', 'fs/inotify/max_user_watches', 'kernel/random/entropy_avail'],
  // Depth 0 to 3, some named like other folders.
  cgroup: ['', 'user.slice', 'system.slice/ssh.service', 'a/b/c', 'proc', 'x/sys/1234'],
  // /sys objects: disks and partitions, CPUs and NUMA nodes by number.
  dev: ['sda', 'nvme0n1', 'nvme0n1p2', 'dm-0', 'proc'],
  cpu: ['0', '17'],
  node: ['0', '3'],
  policy: ['0', '4'],
  vulnerability: ['meltdown', 'spectre_v2'],
  size: ['2048', '1048576'],
  zone: ['0', 'intel-rapl:0', 'intel-rapl:0:1'],
  irq: ['0', '24'],
  // Counters of a multi-size THP size's stats folder (nr_anon has a spec of its own).
  stat: ['anon_fault_alloc', 'swpout_fallback'],
};

/** Where cgroup2 is mounted on a pure v2 host and on a hybrid one. */
const MOUNTS = ['/sys/fs/cgroup', '/sys/fs/cgroup/unified'];

/** Every path a pattern stands for with VALUES; a cgroup2 pattern's /sys/fs/cgroup is each of MOUNTS (a v1 pattern names its controller's folder below /sys/fs/cgroup). */
function instances(pattern: string): { path: string; mount?: string }[] {
  let out: { path: string; mount?: string }[] = pattern.startsWith('/sys/fs/cgroup/[')
    ? MOUNTS.map((m) => ({ path: m + pattern.slice('/sys/fs/cgroup'.length), mount: m }))
    : [{ path: pattern }];
  for (const [name, values] of Object.entries(VALUES)) {
    out = out.flatMap((x) => (x.path.includes(`[${name}]`) ? values.map((v) => ({ ...x, path: x.path.replace(`[${name}]`, v) })) : [x]));
  }
  // An empty cgroup is the root cgroup: no empty component.
  return out.map((x) => ({ ...x, path: x.path.replace(/\/+/g, '/') }));
}

describe('every path pattern of every spec', () => {
  const cases = registry.flatMap((e) => e.model.paths.flatMap((p) => instances(p).map((x) => ({ id: e.id, pattern: p, ...x }))));

  it('has instances of every pattern, parameters filled', () => {
    expect(new Set(cases.map((c) => c.pattern)).size).toBe(registry.reduce((n, e) => n + e.model.paths.length, 0));
    expect(cases.filter((c) => c.path.includes('[')).map((c) => c.path)).toEqual([]);
    expect(cases.length).toBeGreaterThan(800);
  });

  it('finds its own spec for each, as a live path and as a copy that keeps /proc or /sys', () => {
    const wrong: string[] = [];
    const check = (file: string, id: string, opts: MatchOptions = {}): void => {
      const got = specForPath(registry, file, opts)?.id;
      if (got !== id) wrong.push(`${file} ${JSON.stringify(opts)}: ${got ?? 'none'}, not ${id}`);
    };
    for (const c of cases) {
      check(c.path, c.id);
      check(`/tmp/copy${c.path}`, c.id);
      check(`copy${c.path}`, c.id);
      if (c.mount !== undefined) {
        check(c.path, c.id, { cgroup2: c.mount });
        check(`/tmp/copy${c.path}`, c.id, { cgroup2: c.mount });
      } else if (c.pattern.startsWith('/sys/fs/cgroup/')) {
        // A cgroup v1 file, live on a hybrid host and on a v1-only one.
        check(c.path, c.id, { cgroup2: '/sys/fs/cgroup/unified' });
        check(c.path, c.id, { cgroup2: null });
      }
    }
    expect(wrong).toEqual([]);
  });

  it('finds its own spec for each copy named by its last components', () => {
    const wrong: string[] = [];
    for (const c of cases) {
      const below = c.path.slice((c.mount ?? (c.pattern.startsWith('/proc/') ? '/proc' : '')).length);
      // A copy that names a proc or sys folder is read from there (see above); /proc/sys files need theirs.
      if (/(^|\/)(proc|sys)(\/|$)/.test(below)) continue;
      const got = specForPath(registry, `saved${below}`)?.id;
      if (got !== c.id) wrong.push(`saved${below}: ${got ?? 'none'}, not ${c.id}`);
    }
    expect(wrong).toEqual([]);
  });

  it('sends no /sys path to the sysctl spec, none under /sys/fs/cgroup outside the cgroup patterns, and other /sys paths only to /sys specs or one that names the very path', () => {
    const sys = [
      ...cases.filter((c) => c.path.startsWith('/sys/')).map((c) => c.path),
      ...liveSysFiles(2000),
      '/sys/block/sda/stat',
      '/sys/kernel/mm/transparent_hugepage/enabled',
      '/sys/fs/cgroup/cpu,cpuacct/cpu.stat',
      '/sys/fs/cgroup/unified/cgroup.procs',
      '/sys/class/net/lo/statistics/rx_bytes',
    ];
    const wrong: string[] = [];
    for (const file of sys) {
      for (const opts of [{}, { cgroup2: '/sys/fs/cgroup' }, { cgroup2: '/sys/fs/cgroup/unified' }, { cgroup2: null }]) {
        const id = specForPath(registry, file, opts)?.id;
        // Outside cgroup, a /sys spec, or a spec that names the very path (sched_debug's debugfs file).
        const named = id !== undefined && registry.find((e) => e.id === id)!.model.paths.includes(file);
        const allowed = file.startsWith('/sys/fs/cgroup/')
          ? id === undefined || id.startsWith('sys/fs/cgroup/') || id === 'proc/pressure'
          : id === undefined || named || (id.startsWith('sys/') && !id.startsWith('sys/fs/cgroup/'));
        if (!allowed) wrong.push(`${file} ${JSON.stringify(opts)}: ${id}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});

/** Up to `max` files of this machine's /sys, four folders deep at most, links not followed. */
function liveSysFiles(max: number): string[] {
  const out: string[] = [];
  const walk = (dir: string, depth: number): void => {
    let names: Dirent[];
    try {
      names = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const d of names) {
      if (out.length >= max) return;
      const p = `${dir}/${d.name}`;
      if (d.isDirectory() && depth < 4) walk(p, depth + 1);
      else if (d.isFile()) out.push(p);
    }
  };
  walk('/sys', 0);
  return out;
}
