/**
 * The cgroup collectors on made-up hosts (a procfs root beside a cgroup v2
 * tree of fixture files): names, labels and values, the depth, files a
 * group does not hold, cgroup v1-only hosts, and the files read per scrape.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseServeFlags } from '../../cli/serve.js';
import { collectorsOf } from '../../exporter/collectors.js';
import { allCollectors, DEFAULT_CGROUP_DEPTH, Exporter, type ExporterOptions } from '../../exporter/index.js';
import { ProcFs, registry } from '../../runtime/index.js';
import { cgroupFixture as cg, madeUpHost, MOUNTINFO, procFixture } from './cgroup-support.js';

const hasPromtool = spawnSync('promtool', ['--version']).status === 0;

const tops: string[] = [];
afterAll(() => {
  for (const t of tops) rmSync(t, { recursive: true, force: true });
});

const CPU_STAT = cg('cpu.stat/written-6.1-x86_64-cpu-controller.txt');
const MEMORY_PRESSURE = procFixture('pressure/written-6.1-x86_64-memory.txt');
const CPU_PRESSURE = procFixture('pressure/written-5.4-x86_64-cpu-no-full.txt');
/** The system-wide pressure files, which list the resources a group's [resource].pressure files are read for. */
const PROC = { 'pressure/memory': MEMORY_PRESSURE, 'pressure/cpu': CPU_PRESSURE };

/** Every cgroup file the fixtures have, as a group with all controllers enabled holds them. */
const FULL: Record<string, string> = {
  'cgroup.procs': '',
  'cpu.stat': CPU_STAT,
  'memory.current': cg('memory.current/written-6.1-x86_64.txt'),
  'memory.stat': cg('memory.stat/written-5.4-x86_64-thp.txt'),
  'memory.max': cg('memory.max/written-6.1-x86_64-limit.txt'),
  'io.stat': cg('io.stat/written-6.1-x86_64-idle-device.txt'),
  'pids.current': cg('pids.current/written-6.1-x86_64.txt'),
  'pids.max': cg('pids.max/written-6.1-x86_64-unlimited.txt'),
  'memory.pressure': MEMORY_PRESSURE,
  'cpu.pressure': CPU_PRESSURE,
};

/** The root group holds no memory.current, pids.*, io.stat limits; `cgroup.pressure` (PSI on/off) is no [resource].pressure file. */
const ROOT = { 'cgroup.procs': '', 'cpu.stat': CPU_STAT, 'cpu.pressure': CPU_PRESSURE, 'memory.pressure': MEMORY_PRESSURE, 'cgroup.pressure': '1\n' };

/** cgroup v2 with cpu.stat and pressure only: no controller enabled below the root (as on a hybrid host). */
const BARE = { 'cgroup.procs': '', 'cpu.stat': CPU_STAT, 'cpu.pressure': CPU_PRESSURE, 'memory.pressure': MEMORY_PRESSURE };

function host(mountinfo: string, groups: Record<string, Record<string, string>>, proc: Record<string, string> = PROC) {
  const h = madeUpHost(mountinfo, proc, groups);
  tops.push(h.top);
  return h;
}

const CGROUP_COLLECTORS = allCollectors()
  .filter((c) => c.place.kind === 'cgroup')
  .map((c) => c.name);

/** The samples of a scrape of `collectors` as `name{labels} value` lines (the exporter's own left out). */
async function lines(proc: string, options: ExporterOptions): Promise<string[]> {
  const e = new Exporter(new ProcFs({ root: proc, bigint: true }), options);
  try {
    const s = await e.scrape();
    for (const r of s.results) expect(r, r.error).toMatchObject({ success: true });
    return s
      .text({ kind: 'text' })
      .split('\n')
      .filter((l) => l !== '' && !l.startsWith('#') && !l.startsWith('procspec_scrape_'));
  } finally {
    e.close();
  }
}

describe('cgroup collectors', () => {
  it('one per cgroup v2 spec and for the cgroup pattern of pressure; limits (no measure in their specs) off by default', () => {
    expect(CGROUP_COLLECTORS).toEqual([
      'cgroup_pressure',
      'cgroup_cpu_stat',
      'cgroup_io_stat',
      'cgroup_memory_current',
      'cgroup_memory_max',
      'cgroup_memory_stat',
      'cgroup_pids_current',
      'cgroup_pids_max',
    ]);
    const h = host(MOUNTINFO.pure, { '': ROOT });
    const on = new Exporter(new ProcFs({ root: h.proc })).enabled.map((c) => c.name);
    expect(on.filter((n) => n.startsWith('cgroup_'))).toEqual([
      'cgroup_pressure',
      'cgroup_cpu_stat',
      'cgroup_io_stat',
      'cgroup_memory_current',
      'cgroup_memory_stat',
      'cgroup_pids_current',
    ]);
    expect(allCollectors().find((c) => c.name === 'cgroup_memory_max')?.off).toMatch(/no measure/);
    expect(DEFAULT_CGROUP_DEPTH).toBe(2);
  });

  it('none for a cgroup v1 controller file, whose groups are not the cgroup2 ones walked', () => {
    const { collectors, not } = collectorsOf(registry);
    const v1 = registry.filter((e) => e.model.paths.some((p) => /^\/sys\/fs\/cgroup\/[a-z]/.test(p))).map((e) => e.id);
    expect(v1).toContain('sys/fs/cgroup/memory/memory.stat');
    expect(v1).toContain('sys/fs/cgroup/cpuacct/cpuacct.usage');
    for (const id of v1) {
      expect(not.get(id), id).toMatch(/cgroup v1 file: the cgroup collectors walk the cgroup2 tree only/);
      expect(collectors.some((c) => c.id === id)).toBe(false);
    }
  });

  it('values of each group, labelled by its path from the root ("/"), with the help naming the cgroup file', async () => {
    const h = host(MOUNTINFO.pure, { '': ROOT, 'system.slice': FULL, 'system.slice/ssh.service': FULL });
    const got = await lines(h.proc, { disableDefaults: true, enable: [...CGROUP_COLLECTORS] });
    // cpu.stat's usage_usec 8327741 and nr_throttled 37 (the fixture), in every group.
    for (const g of ['/', '/system.slice', '/system.slice/ssh.service']) {
      expect(got).toContain(`procspec_cgroup_cpu_stat_usage_seconds_total{cgroup="${g}"} 8.327741`);
      expect(got).toContain(`procspec_cgroup_cpu_stat_nr_throttled_total{cgroup="${g}"} 37`);
      // memory.pressure's "full ... total=2104775" (us) and "some avg60=0.12" (percent).
      expect(got).toContain(`procspec_cgroup_pressure_seconds_total{cgroup="${g}",resource="memory",stall="full"} 2.104775`);
      expect(got).toContain(`procspec_cgroup_pressure_avg60_ratio{cgroup="${g}",resource="memory",stall="some"} 0.0012`);
      expect(got).toContain(`procspec_cgroup_pressure_avg10_ratio{cgroup="${g}",resource="cpu",stall="some"} 0.0153`);
    }
    const sys = '{cgroup="/system.slice"}';
    expect(got).toContain(`procspec_cgroup_memory_current_bytes${sys} 1471238144`);
    expect(got).toContain(`procspec_cgroup_memory_stat_anon_bytes${sys} 1302528000`);
    expect(got).toContain(`procspec_cgroup_memory_max_bytes${sys} 2147483648`);
    expect(got).toContain(`procspec_cgroup_pids_current${sys} 37`);
    expect(got).toContain('procspec_cgroup_io_stat_wbytes_bytes_total{cgroup="/system.slice",major="259",minor="0"} 9841618944');
    // pids.max "max" (no limit) is a sentinel word: no sample. The root group holds none of these files: no sample, no error.
    expect(got.filter((l) => l.startsWith('procspec_cgroup_pids_max'))).toEqual([]);
    expect(got.filter((l) => l.includes('cgroup="/"}') && !l.startsWith('procspec_cgroup_cpu_stat_'))).toEqual([]);
    // cgroup.pressure is not a resource's file: only the resources /proc/pressure lists are read.
    expect(got.filter((l) => l.includes('resource="cgroup"'))).toEqual([]);

    const e = new Exporter(new ProcFs({ root: h.proc }), { disableDefaults: true, enable: ['cgroup_pressure'] });
    const help = (await e.scrape()).text({ kind: 'text' });
    expect(help).toContain(
      '# HELP procspec_cgroup_pressure_seconds_total Accumulated stall time since boot (or since the cgroup was created). /sys/fs/cgroup/[cgroup]/[resource].pressure total, in us.\n',
    );
    expect(help).toContain('# TYPE procspec_cgroup_pressure_seconds_total counter\n');
    e.close();
  });

  it('on a hybrid host, the groups of /sys/fs/cgroup/unified; a file missing where a controller is not enabled is skipped quietly', async () => {
    const h = host(MOUNTINFO.hybrid, { '': ROOT, 'system.slice': BARE, 'system.slice/cron.service': BARE, 'init.scope': FULL });
    expect(h.cgroup.endsWith('/sys/fs/cgroup/unified')).toBe(true);
    const got = await lines(h.proc, {});
    expect(got.filter((l) => l.startsWith('procspec_cgroup_cpu_stat_usage_seconds_total'))).toEqual([
      'procspec_cgroup_cpu_stat_usage_seconds_total{cgroup="/"} 8.327741',
      'procspec_cgroup_cpu_stat_usage_seconds_total{cgroup="/init.scope"} 8.327741',
      'procspec_cgroup_cpu_stat_usage_seconds_total{cgroup="/system.slice"} 8.327741',
      'procspec_cgroup_cpu_stat_usage_seconds_total{cgroup="/system.slice/cron.service"} 8.327741',
    ]);
    expect(got.filter((l) => l.startsWith('procspec_cgroup_memory_current_'))).toEqual([
      'procspec_cgroup_memory_current_bytes{cgroup="/init.scope"} 1471238144',
    ]);
  });

  it('down to the depth: 0 is the root group only, 2 by default, any depth when asked', async () => {
    const groups = { '': ROOT, a: BARE, 'a/b': BARE, 'a/b/c': BARE, 'a/b/c/d': BARE };
    const h = host(MOUNTINFO.pure, groups);
    const seen = async (depth?: number) =>
      (await lines(h.proc, { disableDefaults: true, enable: ['cgroup_cpu_stat'], ...(depth !== undefined ? { cgroupDepth: depth } : {}) }))
        .filter((l) => l.startsWith('procspec_cgroup_cpu_stat_usage_'))
        .map((l) => /cgroup="([^"]*)"/.exec(l)![1]);
    expect(await seen(0)).toEqual(['/']);
    expect(await seen()).toEqual(['/', '/a', '/a/b']);
    expect(await seen(4)).toEqual(['/', '/a', '/a/b', '/a/b/c', '/a/b/c/d']);
    expect(() => new Exporter(new ProcFs({ root: h.proc }), { cgroupDepth: -1 })).toThrow(/cgroup depth -1/);
  });

  it('a group gone between listing and reading is left out; a file that does not parse fails its collector', async () => {
    const h = host(MOUNTINFO.pure, { '': ROOT, 'we"ird\\name': BARE, broken: { 'cpu.stat': 'usage_usec x\n' } });
    // A file listed whose target is gone reads as a removed group's file does (ENOENT).
    mkdirSync(join(h.cgroup, 'gone'));
    for (const f of ['cpu.stat', 'cpu.pressure']) symlinkSync(join(h.top, 'nowhere'), join(h.cgroup, 'gone', f));
    const e = new Exporter(new ProcFs({ root: h.proc }), { disableDefaults: true, enable: ['cgroup_cpu_stat', 'cgroup_pressure'] });
    const s = await e.scrape();
    const text = s.text({ kind: 'text' });
    expect(text).toContain('procspec_cgroup_cpu_stat_usage_seconds_total{cgroup="/we\\"ird\\\\name"} 8.327741\n');
    expect(text).not.toContain('cgroup="/gone"');
    expect(s.results.find((r) => r.name === 'cgroup_pressure')).toMatchObject({ success: true });
    const cpu = s.results.find((r) => r.name === 'cgroup_cpu_stat')!;
    expect(cpu.success).toBe(false);
    expect(cpu.error).toMatch(/broken\/cpu\.stat/);
    expect(text).toContain('procspec_scrape_collector_parse_errors_total{collector="cgroup_cpu_stat"} 1\n');
    e.close();
  });

  it('a cgroup v1-only host: off by default; enabled, it serves no series and says why once, at the start, not per scrape', async () => {
    const h = host(MOUNTINFO.v1, {});
    const fs = new ProcFs({ root: h.proc });
    expect(new Exporter(fs).enabled.filter((c) => 'place' in c && c.place.kind === 'cgroup')).toEqual([]);
    expect(new Exporter(fs).notes).toEqual([]);
    const e = new Exporter(fs, { disableDefaults: true, enable: ['cgroup_cpu_stat', 'cgroup_pressure'] });
    expect(e.notes).toHaveLength(1);
    expect(e.notes[0]).toMatch(
      /^cgroup_pressure, cgroup_cpu_stat: no series, .*no cgroup2 file system is mounted \(cgroup v1 only: \/sys\/fs\/cgroup\/cpu,cpuacct/,
    );
    for (let i = 0; i < 2; i++) {
      const s = await e.scrape();
      expect(s.results.map((r) => [r.name, r.success])).toEqual([
        ['cgroup_pressure', true],
        ['cgroup_cpu_stat', true],
      ]);
      expect(s.text({ kind: 'text' })).not.toMatch(/^procspec_cgroup_/m);
    }
    e.close();
  });

  it('family names: valid, and no two collectors share one', () => {
    const owner = new Map<string, string>();
    for (const c of allCollectors())
      for (const name of c.families.families.keys()) {
        expect(name).toMatch(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/);
        expect(owner.get(name) ?? c.name, name).toBe(c.name);
        owner.set(name, c.name);
      }
    expect([...owner].filter(([, c]) => c.startsWith('cgroup_')).every(([n]) => n.startsWith('procspec_cgroup_'))).toBe(true);
  });

  it.skipIf(!hasPromtool)('promtool check metrics finds no problem in every cgroup collector of a made-up tree', async () => {
    const h = host(MOUNTINFO.pure, { '': ROOT, 'system.slice': FULL, 'system.slice/ssh.service': FULL });
    const e = new Exporter(new ProcFs({ root: h.proc, bigint: true }), { enable: [...CGROUP_COLLECTORS] });
    const text = (await e.scrape()).text({ kind: 'text' });
    e.close();
    expect(text).toContain('procspec_cgroup_memory_stat_anon_bytes{cgroup="/system.slice/ssh.service"}');
    // promtool exits 0 with no output when it finds nothing (lint problems exit 3, parse errors 1).
    expect(execFileSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] })).toBe('');
  });

  it('--collector.cgroup.depth N', () => {
    expect(parseServeFlags([]).cgroupDepth).toBe(2);
    expect(parseServeFlags(['--collector.cgroup.depth', '4']).cgroupDepth).toBe(4);
    expect(parseServeFlags(['--collector.cgroup.depth=0', '--collector.cgroup_pids_max'])).toMatchObject({ cgroupDepth: 0, enable: ['cgroup_pids_max'] });
    expect(() => parseServeFlags(['--collector.cgroup.depth', 'all'])).toThrow(/--collector.cgroup.depth "all": a number of levels/);
    expect(() => parseServeFlags(['--collector.cgroup.depth'])).toThrow(/needs a value/);
  });
});

describe('the cost of a scrape of many groups', () => {
  /** A tree 8 groups wide at each of 3 levels below the root (585 groups), each holding cpu.stat, memory.current, pids.current and two pressure files. */
  function wideTree(): string {
    const files = { ...BARE, 'memory.current': FULL['memory.current']!, 'pids.current': FULL['pids.current']! };
    const h = host(MOUNTINFO.pure, { '': ROOT });
    const names = Array.from({ length: 8 }, (_x, i) => `g${i}`);
    let level = [''];
    for (let d = 0; d < 3; d++) {
      const next: string[] = [];
      for (const p of level)
        for (const n of names) {
          const g = p === '' ? n : `${p}/${n}`;
          mkdirSync(join(h.cgroup, g));
          for (const [f, text] of Object.entries(files)) writeFileSync(join(h.cgroup, g, f), text);
          next.push(g);
        }
      level = next;
    }
    return h.proc;
  }

  /** A ProcFs that notes the file of every read the exporter asks of it. */
  function counting(root: string): { fs: ProcFs<true>; files: string[] } {
    const real = new ProcFs({ root, bigint: true });
    const files: string[] = [];
    const fs = new Proxy(real, {
      get(target, key) {
        if (key === 'readAsync')
          return (id: string, params?: Record<string, string>) => {
            files.push(target.path(id as 'proc/meminfo', params));
            return target.readAsync(id as 'proc/meminfo', params);
          };
        const v = Reflect.get(target, key, target) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    return { fs, files };
  }

  it('each file of each group down to the depth read once, each group listed once, and nothing below the depth', async () => {
    const root = wideTree();
    const { fs, files } = counting(root);
    const e = new Exporter(fs, { disableDefaults: true, enable: CGROUP_COLLECTORS });
    // Down to depth 2: the root, 8 and 64 groups. The root holds cpu.stat and two pressure files; the others five files each.
    const groups = 1 + 8 + 64;
    for (let i = 0; i < 3; i++) {
      files.length = 0;
      await e.scrape();
      expect(files).toHaveLength(3 + (groups - 1) * 5);
      expect(new Set(files).size).toBe(files.length);
      expect(files.filter((f) => f.split('/').length > join(root, '..', 'sys/fs/cgroup/g0/g0/f').split('/').length)).toEqual([]);
      // The groups, and /proc/pressure for the resources.
      expect(e.collections.foldersListed).toBe(groups + 1);
    }
    e.close();
    const deeper = counting(root);
    const d3 = new Exporter(deeper.fs, { disableDefaults: true, enable: CGROUP_COLLECTORS, cgroupDepth: 3 });
    await d3.scrape();
    expect(deeper.files).toHaveLength(3 + (groups + 512 - 1) * 5);
    expect(d3.collections.foldersListed).toBe(groups + 512 + 1);
    d3.close();
  });
});
