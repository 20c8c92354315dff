/** Where cgroup2 is mounted: read from the mount table, on pure v2, hybrid and v1-only hosts, and on this machine. */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ProcFs, ProcfsError } from '../../runtime/index.js';
import { cgroup2Root, cgroupMounts, cgroupMountsOf } from '../../runtime/reading/cgroup-root.js';
import { thrown } from '../support/thrown.js';

/** A systemd host booted with the unified hierarchy only. */
const PURE_V2 = `22 1 259:2 / / rw,relatime shared:1 - ext4 /dev/nvme0n1p2 rw
23 22 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw
24 22 0:22 / /sys rw,nosuid,nodev,noexec,relatime shared:2 - sysfs sysfs rw
25 24 0:23 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot
`;

/** systemd's hybrid layout: v1 controllers under a tmpfs at /sys/fs/cgroup, cgroup2 at /sys/fs/cgroup/unified. */
const HYBRID = `22 1 259:2 / / rw,relatime shared:1 - ext4 /dev/sda1 rw
24 22 0:22 / /sys rw,nosuid,nodev,noexec,relatime shared:2 - sysfs sysfs rw
30 24 0:27 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755
31 30 0:28 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:10 - cgroup2 cgroup2 rw,nsdelegate
32 30 0:29 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime shared:11 - cgroup cgroup rw,xattr,name=systemd
33 30 0:30 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:12 - cgroup cgroup rw,cpu,cpuacct
34 30 0:31 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:13 - cgroup cgroup rw,memory
`;

/** An older host with cgroup v1 only. */
const V1_ONLY = `22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw
30 24 0:27 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755
33 30 0:30 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:12 - cgroup cgroup rw,cpu,cpuacct
34 30 0:31 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:13 - cgroup cgroup rw,memory
`;

/** A container's table: a bind mount of one cgroup before the whole hierarchy, at a mount point with a space (\040). */
const CONTAINER = `500 400 0:40 / / rw,relatime - overlay overlay rw
510 500 0:28 /docker/4f2a /mnt/job\\040cg rw,nosuid,nodev,noexec,relatime - cgroup2 cgroup2 rw
511 500 0:28 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime - cgroup2 cgroup2 rw
`;

const dirs: string[] = [];
/** A procfs root holding only self/mountinfo, with this text, and uptime. */
/** A saved host: `<tmp>/proc` holding a mount table (returned), beside which `<tmp>/sys` would hold its /sys. */
function rootWith(mountinfo: string | undefined): string {
  const top = mkdtempSync(join(tmpdir(), 'procspec-cgroot-'));
  dirs.push(top);
  const dir = join(top, 'proc');
  mkdirSync(join(dir, 'self'), { recursive: true });
  if (mountinfo !== undefined) writeFileSync(join(dir, 'self', 'mountinfo'), mountinfo);
  writeFileSync(join(dir, 'uptime'), '350735.47 234388.90\n');
  return dir;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const errorOf = (f: () => unknown): ProcfsError => thrown(f, ProcfsError);

describe('cgroupMountsOf', () => {
  it('finds cgroup2 at /sys/fs/cgroup on a pure v2 host', () => {
    expect(cgroupMountsOf(PURE_V2)).toEqual({ v2: '/sys/fs/cgroup', v1: [] });
  });
  it('finds cgroup2 at /sys/fs/cgroup/unified on a hybrid host, beside the v1 controllers', () => {
    const m = cgroupMountsOf(HYBRID);
    expect(m.v2).toBe('/sys/fs/cgroup/unified');
    expect(m.v1.map((x) => x.mountPoint)).toEqual(['/sys/fs/cgroup/systemd', '/sys/fs/cgroup/cpu,cpuacct', '/sys/fs/cgroup/memory']);
    expect(m.v1[1]!.options).toEqual(['rw', 'cpu', 'cpuacct']);
  });
  it('finds none on a v1-only host rather than taking /sys/fs/cgroup', () => {
    expect(cgroupMountsOf(V1_ONLY).v2).toBeNull();
  });
  it('takes the mount of the whole hierarchy over a bind mount of one cgroup', () => {
    expect(cgroupMountsOf(CONTAINER).v2).toBe('/sys/fs/cgroup');
    expect(cgroupMountsOf(CONTAINER.split('\n').slice(0, 2).join('\n')).v2).toBe('/mnt/job cg');
  });
  it('refuses a damaged table with a parse error naming file, line and column', () => {
    const err = errorOf(() => cgroupMountsOf('31 30 0:28 / /sys/fs/cgroup/unified rw - cgroup2\n', 'copy/mountinfo'));
    expect(err.code).toBe('parse');
    expect(err.file).toBe('copy/mountinfo');
    expect(err.line).toBe(1);
    expect(err.column).toBeGreaterThan(1);
  });
});

describe('ProcFs cgroup root', () => {
  it("reads cgroup files under the cgroup2 mount of <root>/self/mountinfo, beside the procfs root (never this machine's own)", () => {
    const pure = rootWith(PURE_V2);
    expect(new ProcFs({ root: pure }).path('sys/fs/cgroup/cpu.stat', { cgroup: 'a.slice' })).toBe(join(pure, '../sys/fs/cgroup/a.slice/cpu.stat'));
    const hybrid = rootWith(HYBRID);
    expect(new ProcFs({ root: `${hybrid}/` }).path('sys/fs/cgroup/cpu.stat', { cgroup: 'a.slice' })).toBe(
      join(hybrid, '../sys/fs/cgroup/unified/a.slice/cpu.stat'),
    );
    expect(new ProcFs({ root: hybrid }).path('proc/pressure', { cgroup: '', resource: 'io' })).toBe(join(hybrid, '../sys/fs/cgroup/unified/io.pressure'));
  });
  it('on a v1-only host, says a cgroup file cannot be read, and still reads /proc files', () => {
    const fs = new ProcFs({ root: rootWith(V1_ONLY) });
    expect(fs.read('proc/uptime').uptime).toBe(350735.47);
    const err = errorOf(() => fs.read('sys/fs/cgroup/memory.current', { cgroup: '' }));
    expect(err.code).toBe('unsupported');
    expect(err.message).toMatch(/no cgroup2 file system is mounted \(cgroup v1 only: \/sys\/fs\/cgroup\/cpu,cpuacct, \/sys\/fs\/cgroup\/memory\)/);
    expect(() => cgroup2Root(rootWith(V1_ONLY))).toThrow(/no cgroup2/);
  });
  it('without a mount table (a saved copy), names the table it could not read; the cgroupRoot option needs none', () => {
    const root = rootWith(undefined);
    const err = errorOf(() => new ProcFs({ root }).path('sys/fs/cgroup/cpu.stat', { cgroup: '' }));
    expect(err.code).toBe('not_found');
    expect(err.file).toBe(`${root}/self/mountinfo`);
    expect(new ProcFs({ root, cgroupRoot: '/saved/cg' }).path('sys/fs/cgroup/cpu.stat', { cgroup: 'b' })).toBe('/saved/cg/b/cpu.stat');
  });
});

describe('this machine', () => {
  // The mount table read without procspec: the mount point of each cgroup2 line.
  const own = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter((l) => l.split(' - ')[1]?.startsWith('cgroup2 '))
    .map((l) => l.split(' ')[4]!.replace(/\\040/g, ' '));

  it('finds the cgroup2 mount the mount table lists, or says there is none', () => {
    const m = cgroupMounts();
    if (own.length === 0) {
      expect(m.v2).toBeNull();
      expect(() => cgroup2Root()).toThrow(/no cgroup2/);
      return;
    }
    expect(own).toContain(m.v2);
    expect(cgroup2Root()).toBe(m.v2);
    expect(new ProcFs().cgroupRoot).toBe(m.v2);
  });

  it.skipIf(own.length === 0)('the mount found is a cgroup2 file system, and its root cgroup parses', () => {
    const root = cgroup2Root();
    const CGROUP2_SUPER_MAGIC = 0x63677270;
    expect(statfsSync(root).type).toBe(CGROUP2_SUPER_MAGIC);
    // Every cgroup2 root has cgroup.procs; cpu.stat is there when the kernel accounts CPU per cgroup (4.15 on).
    const cpu = new ProcFs().read('sys/fs/cgroup/cpu.stat', { cgroup: '' });
    expect(cpu.usage).toBeGreaterThan(0);
  });
});
