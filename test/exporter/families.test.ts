/** Names, types, help and labels of the exporter's families, derived from the real specs. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allCollectors, Exporter, familyName, OFF_BY_DEFAULT, snake, specFamilies, specStem } from '../../exporter/index.js';
import { Sink } from '../../exporter/walks.js';
import { type FamilyDef, labelName } from '../../exporter/names.js';
import { fieldsOf } from '../../runtime/model/model.js';
import { ProcFs, registry } from '../../runtime/index.js';
import { repo } from '../support/cli.js';
import { madeUpProc } from './support.js';

const model = (id: string) => registry.find((e) => e.id === id)!.model;
const families = (id: string) => specFamilies(model(id)).families;
const def = (id: string, name: string): FamilyDef => {
  const d = families(id).get(name);
  if (d === undefined) throw new Error(`${id} has no family ${name}: ${[...families(id).keys()].join(' ')}`);
  return d;
};

/** The samples of a fixture file of another kernel, parsed in exact mode, by family name. */
function samplesOf(id: string, fixture: string): Map<string, { labels: string; value: string }[]> {
  const fs = new ProcFs({ bigint: true, pageSize: 4096, clockTick: 100 });
  const value = fs.parse(id as 'proc/stat', readFileSync(join(repo, 'test', 'fixtures', 'proc', fixture)));
  const sink = new Sink();
  specFamilies(model(id)).walk(value, '', sink);
  return new Map([...sink.families].map(([d, s]) => [d.name, s.map((x) => ({ labels: x.labels, value: String(x.value) }))]));
}

describe('names', () => {
  it('are snake_case words of the field names and kernel keys', () => {
    expect(snake('memTotal')).toBe('mem_total');
    expect(snake('ip6InReceives')).toBe('ip6_in_receives');
    expect(snake('TCPHPHits')).toBe('tcphp_hits');
    expect(snake('InType3')).toBe('in_type3');
    expect(snake('nr_free_pages')).toBe('nr_free_pages');
    // A lone letter or a unit abbreviation would read as a unit (`_s_`, `_sec_`): joined to the next word.
    expect(snake('sReclaimable')).toBe('sreclaimable');
    expect(snake('secPageTables')).toBe('secpage_tables');
    expect(specStem('proc/net/dev')).toBe('net_dev');
    expect(specStem('proc/sys/fs/file-nr')).toBe('sys_fs_file_nr');
    expect(specStem('sys/fs/cgroup/cpu.stat')).toBe('sys_fs_cgroup_cpu_stat');
    expect(labelName('CPU')).toBe('cpu');
  });
  it('end in the base unit and, for counters, in _total once', () => {
    expect(familyName(['meminfo', 'memTotal'], 'gauge', 'bytes')).toEqual({
      name: 'procspec_meminfo_mem_total_bytes',
      base: 'procspec_meminfo_mem_total_bytes',
    });
    expect(familyName(['diskstats', 'readBytes'], 'counter', 'bytes')).toEqual({
      name: 'procspec_diskstats_read_bytes_total',
      base: 'procspec_diskstats_read_bytes',
    });
    expect(familyName(['pressure', 'total'], 'counter', 'seconds').name).toBe('procspec_pressure_seconds_total');
    expect(familyName(['stat', 'intr', 'total'], 'counter', '').name).toBe('procspec_stat_intr_total');
    expect(familyName(['uptime', 'uptime'], 'counter', 'seconds').name).toBe('procspec_uptime_seconds_total');
    expect(familyName(['sys_fs_cgroup_memory_current', 'current'], 'gauge', 'bytes').name).toBe('procspec_sys_fs_cgroup_memory_current_bytes');
    expect(familyName(['uptime', 'idle'], 'counter', 'seconds').name).toBe('procspec_uptime_idle_seconds_total');
    // A gauge does not end in a word kept for counters or histograms.
    expect(familyName(['meminfo', 'hugePagesTotal'], 'gauge', '').name).toBe('procspec_meminfo_total_huge_pages');
    expect(familyName(['loadavg', 'entities', 'total'], 'gauge', '').name).toBe('procspec_loadavg_total_entities');
  });
});

describe('families of the real specs', () => {
  it('meminfo: sizes in kB are gauges in bytes; help is the description, the file, the kernel name and unit', () => {
    const d = def('proc/meminfo', 'procspec_meminfo_mem_total_bytes');
    expect(d).toMatchObject({ type: 'gauge', unit: 'bytes', base: 'procspec_meminfo_mem_total_bytes' });
    expect(d.help).toBe('Usable RAM, that is physical memory less what the kernel reserved at boot. /proc/meminfo MemTotal, in kB.');
    expect(families('proc/meminfo').has('procspec_meminfo_sreclaimable_bytes')).toBe(true);
  });
  it('stat: times in ticks are counters in seconds, a level is a gauge, a total is not said twice', () => {
    expect(def('proc/stat', 'procspec_stat_cpu_user_seconds_total')).toMatchObject({
      type: 'counter',
      unit: 'seconds',
      base: 'procspec_stat_cpu_user_seconds',
    });
    expect(def('proc/stat', 'procspec_stat_cpus_idle_seconds_total').type).toBe('counter');
    expect(def('proc/stat', 'procspec_stat_procs_running').type).toBe('gauge');
    expect(def('proc/stat', 'procspec_stat_intr_total')).toMatchObject({ type: 'counter', unit: '' });
    expect(def('proc/stat', 'procspec_stat_ctxt_total').help).toContain('/proc/stat ctxt');
  });
  it('pressure: percentages are ratios, the stall total a counter in seconds', () => {
    expect(def('proc/pressure', 'procspec_pressure_avg10_ratio')).toMatchObject({ type: 'gauge', unit: 'ratio' });
    expect(def('proc/pressure', 'procspec_pressure_seconds_total')).toMatchObject({ type: 'counter', unit: 'seconds' });
  });
  it('vmstat: page counts are bytes; counters and gauges as the spec says', () => {
    expect(def('proc/vmstat', 'procspec_vmstat_nr_free_pages_bytes').type).toBe('gauge');
    expect(def('proc/vmstat', 'procspec_vmstat_pgfault_total').type).toBe('counter');
  });
  it('file-nr: the u64 maximum, which says its measure, is a gauge', () => {
    expect([...families('proc/sys/fs/file-nr').keys()]).toEqual([
      'procspec_sys_fs_file_nr_allocated',
      'procspec_sys_fs_file_nr_free',
      'procspec_sys_fs_file_nr_max',
    ]);
    expect(def('proc/sys/fs/file-nr', 'procspec_sys_fs_file_nr_max').type).toBe('gauge');
  });
  it('every spec: names valid and unique (in both formats), no field left out for a clash, gauges not named like counters', () => {
    const textNames = new Map<string, string>();
    const omNames = new Map<string, string>();
    for (const e of registry) {
      const f = specFamilies(e.model);
      expect(f.conflicts, e.id).toEqual([]);
      for (const d of f.families.values()) {
        expect(d.name, e.id).toMatch(/^procspec_[a-z0-9_]+$/);
        expect(d.name).not.toMatch(/__|_$/);
        if (d.type === 'counter') expect(d.name).toBe(`${d.base}_total`);
        else expect(d.name).not.toMatch(/_(total|count|sum|bucket)$/);
        if (d.unit !== '') expect(d.base.endsWith(`_${d.unit}`)).toBe(true);
        // In OpenMetrics a counter family `x` owns the sample names x and x_total: no other family may have them.
        for (const n of d.type === 'counter' ? [d.base, d.name] : [d.name]) {
          expect(textNames.get(n), `${n} in ${e.id}`).toBeUndefined();
          textNames.set(n, e.id);
        }
        expect(omNames.get(d.base)).toBeUndefined();
        omNames.set(d.base, e.id);
      }
    }
    expect(textNames.size).toBeGreaterThan(1000);
  });
  it('no family of an address or a mask (u64 fields without a measure, mask fields)', () => {
    for (const e of registry) {
      const wide = fieldsOf(e.model).filter((f) => (f.value.kind === 'u64' && f.measure === undefined) || f.value.kind === 'mask');
      const helps = [...specFamilies(e.model).families.values()].map((d) => d.help);
      for (const f of wide)
        expect(
          helps.filter((h) => h.startsWith(`${f.description.trim().replace(/\.$/, '')}.`)),
          `${e.id} ${f.name}`,
        ).toEqual([]);
    }
  });
});

describe('labels', () => {
  it('an indexed key labels its lines (stat: cpu)', () => {
    const s = samplesOf('proc/stat', 'stat/written-2.6.33-x86_64-10-values.txt');
    expect(s.get('procspec_stat_cpus_user_seconds_total')!.map((x) => x.labels)).toEqual(['cpu="0"', 'cpu="1"', 'cpu="2"', 'cpu="3"']);
    expect(s.get('procspec_stat_cpu_user_seconds_total')).toEqual([{ labels: '', value: '100319.04' }]);
  });
  it("a table's text fields label its rows (net/dev: iface; diskstats: device), the row's shape (kind) does not", () => {
    const dev = samplesOf('proc/net/dev', 'net/dev/written-2.6.18-x86_64-glued-iface.txt');
    expect(dev.get('procspec_net_dev_rx_bytes_total')!.map((x) => x.labels)).toEqual([
      'iface="lo"',
      'iface="eth0"',
      'iface="eth1"',
      'iface="eth0.100"',
      'iface="sit0"',
    ]);
    const disk = samplesOf('proc/diskstats', 'diskstats/written-6.1-x86_64-20-fields.txt');
    expect(disk.get('procspec_diskstats_read_bytes_total')![0]!.labels).toMatch(/^major="[0-9]+",minor="[0-9]+",device="[a-z0-9-]+"$/);
  });
  it('a per-column list takes the header column as label (interrupts: irq, cpu; details is free text, no label)', () => {
    const s = samplesOf('proc/interrupts', 'interrupts/written-6.1-arm64.txt');
    const counts = s.get('procspec_interrupts_counts_total')!;
    expect(counts[0]!.labels).toMatch(/^irq="[^"]+",cpu="0"$/);
  });
  it('rows are labelled by the fields their spec marks (zoneinfo of two nodes: node)', () => {
    const s = samplesOf('proc/zoneinfo', 'zoneinfo/written-5.15-x86_64-two-nodes.txt');
    const free = s.get('procspec_zoneinfo_free_bytes')!.map((x) => x.labels);
    expect(free).toHaveLength(10);
    expect(free[0]).toBe('node="0",zone="DMA"');
    expect(free[5]).toBe('node="1",zone="DMA"');
    expect(new Set(free).size).toBe(10);
  });
  it('rows without labels are labelled by position (softnet_stat before 5.10: index); records by their marked label, listed files by their parameter (pressure)', async () => {
    const exporter = new Exporter(new ProcFs({ root: madeUpProc(), bigint: true }));
    const text = (await exporter.scrape()).text({ kind: 'text' });
    expect(text).toContain('procspec_net_softnet_stat_processed_total{index="1"} 70537\n');
    expect(text).toContain('procspec_pressure_seconds_total{resource="memory",stall="full"} 2.104775\n');
    expect(text).toContain('procspec_pressure_avg10_ratio{resource="cpu",stall="some"} 0.0153\n');
    expect(text).not.toMatch(/kind="stats"/);
  });
});

describe('collectors', () => {
  it('the default set: sampled system-wide files that are here, measured, not off by default', () => {
    const on = new Exporter(new ProcFs()).enabled.map((c) => c.name);
    for (const n of ['stat', 'meminfo', 'vmstat', 'loadavg', 'diskstats', 'net_dev', 'net_snmp', 'net_netstat', 'net_sockstat', 'net_softnet_stat', 'uptime'])
      expect(on).toContain(n);
    for (const n of ['interrupts', 'softirqs', 'zoneinfo', 'buddyinfo', 'slabinfo', 'net_tcp', 'net_unix']) expect(on).not.toContain(n);
    expect(Object.keys(OFF_BY_DEFAULT).every((id) => allCollectors().some((c) => c.id === id))).toBe(true);
    // Per process, a sysctl path: not collectors (yet); read once: off by default. Per cgroup: test/exporter/cgroup.test.ts.
    for (const id of ['proc/pid/stat', 'proc/sys']) expect(allCollectors().some((c) => c.id === id)).toBe(false);
    expect(allCollectors().find((c) => c.id === 'proc/cpuinfo')?.off).toMatch(/read once/);
  });
  it('under another root: only the files there, and the exporter process itself', () => {
    const on = new Exporter(new ProcFs({ root: madeUpProc() })).enabled.map((c) => c.name);
    expect(on).toEqual(['diskstats', 'loadavg', 'meminfo', 'net_dev', 'net_softnet_stat', 'pressure', 'stat', 'sys_fs_file_nr', 'uptime', 'vmstat', 'process']);
  });
  it('enable and disable by name or spec id; unknown names say why', () => {
    const fs = new ProcFs({ root: madeUpProc() });
    expect(new Exporter(fs, { disableDefaults: true, enable: ['meminfo', 'proc/net/dev'] }).enabled.map((c) => c.name)).toEqual(['meminfo', 'net_dev']);
    expect(new Exporter(fs, { disable: ['stat'] }).enabled.map((c) => c.name)).not.toContain('stat');
    expect(() => new Exporter(fs, { enable: ['nope'] })).toThrow(/no collector named "nope"/);
    expect(() => new Exporter(fs, { enable: ['proc/pid/stat'] })).toThrow(/proc\/pid\/stat is not a collector: its files are named by \[pid\]/);
  });
});
