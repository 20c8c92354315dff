/**
 * Labels the specs mark (`label:` on a field, docs/spec-language.md): the
 * values of the labels are the columns of the file, on fixtures of other
 * kernels and on this machine's files; enums as a gauge per state;
 * read-once specs as `_info` series.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allCollectors, Exporter, specFamilies } from '../../exporter/index.js';
import { labelValues } from '../../exporter/limits.js';
import { Sink } from '../../exporter/walks.js';
import { ProcFs, registry } from '../../runtime/index.js';
import { repo } from '../support/cli.js';

const model = (id: string) => registry.find((e) => e.id === id)!.model;

/** The samples of a text, parsed in exact mode, by family name: labels as a map, values as text. */
function samplesOf(id: string, text: string): Map<string, { labels: Map<string, string>; value: string }[]> {
  const fs = new ProcFs({ bigint: true, pageSize: 4096, clockTick: 100 });
  const sink = new Sink();
  specFamilies(model(id)).walk(fs.parse(id as 'proc/stat', Buffer.from(text)), '', sink);
  return new Map([...sink.families].map(([d, s]) => [d.name, s.map((x) => ({ labels: labelValues(x.labels), value: String(x.value) }))]));
}

const fixture = (path: string): string => readFileSync(join(repo, 'test', 'fixtures', 'proc', path), 'utf8');
const live = (path: string): string | undefined => (existsSync(`/proc/${path}`) ? readFileSync(`/proc/${path}`, 'utf8') : undefined);
const lines = (text: string): string[][] =>
  text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => l.trim().split(/\s+/));

describe('fields the spec marks as labels', () => {
  it('softnet_stat: each row labelled cpu, its 13th column (5.10 and later; CPU 2 offline in the fixture), and no cpu family', () => {
    for (const text of [fixture('net/softnet_stat/written-5.15-x86_64-thirteen-columns.txt'), live('net/softnet_stat')]) {
      if (text === undefined) continue;
      const rows = lines(text);
      if (rows[0]!.length < 13) continue;
      const s = samplesOf('proc/net/softnet_stat', text);
      const processed = s.get('procspec_net_softnet_stat_processed_total')!;
      expect(processed.map((x) => x.labels.get('cpu'))).toEqual(rows.map((r) => String(Number.parseInt(r[12]!, 16))));
      expect(processed.map((x) => x.value)).toEqual(rows.map((r) => String(Number.parseInt(r[0]!, 16))));
      expect(processed.every((x) => !x.labels.has('index'))).toBe(true);
      expect([...s.keys()].some((n) => /_cpu$/.test(n))).toBe(false);
    }
    const fix = samplesOf('proc/net/softnet_stat', fixture('net/softnet_stat/written-5.15-x86_64-thirteen-columns.txt'));
    expect(fix.get('procspec_net_softnet_stat_processed_total')!.map((x) => x.labels.get('cpu'))).toEqual(['0', '1', '3']);
  });
  it('softnet_stat before 5.10 (no cpu column): rows labelled by position', () => {
    const s = samplesOf('proc/net/softnet_stat', fixture('net/softnet_stat/written-4.19-x86_64-eleven-columns.txt'));
    const labels = s.get('procspec_net_softnet_stat_processed_total')!.map((x) => [...x.labels]);
    expect(labels[0]).toEqual([['index', '0']]);
  });
  it('diskstats: major and minor are labels equal to the first two columns, not gauges', () => {
    for (const text of [fixture('diskstats/written-6.1-x86_64-20-fields.txt'), fixture('diskstats/written-2.6.18-x86_64-partitions.txt'), live('diskstats')]) {
      if (text === undefined) continue;
      const s = samplesOf('proc/diskstats', text);
      const rows = lines(text).filter((r) => r.length >= 14);
      const reads = s.get('procspec_diskstats_reads_completed_total')!;
      expect(reads.map((x) => [x.labels.get('major'), x.labels.get('minor'), x.labels.get('device')])).toEqual(rows.map((r) => [r[0], r[1], r[2]]));
      expect([...s.keys()].filter((n) => /_(major|minor)(_total)?$/.test(n))).toEqual([]);
    }
  });
  it('zoneinfo and buddyinfo: node labels (two nodes), buddyinfo blocks labelled by order', () => {
    const z = samplesOf('proc/zoneinfo', fixture('zoneinfo/written-5.15-x86_64-two-nodes.txt'));
    expect(new Set(z.get('procspec_zoneinfo_free_bytes')!.map((x) => x.labels.get('node')))).toEqual(new Set(['0', '1']));
    expect(z.has('procspec_zoneinfo_node')).toBe(false);
    const text = fixture('buddyinfo/written-5.15-x86_64-two-nodes.txt');
    const b = samplesOf('proc/buddyinfo', text).get('procspec_buddyinfo_free_blocks')!;
    const rows = lines(text);
    expect(b).toHaveLength(rows.length * 11);
    // Node 1, zone Normal, order 10: the last column of the last line.
    expect(b.at(-1)).toEqual({
      labels: new Map([
        ['node', '1'],
        ['zone', 'Normal'],
        ['order', '10'],
      ]),
      value: rows.at(-1)!.at(-1),
    });
  });
  it("pressure: some and full told apart by the label the spec names, stall; interrupts' free text is no label", () => {
    const p = samplesOf('proc/pressure', fixture('pressure/written-6.1-x86_64-memory.txt'));
    expect(p.get('procspec_pressure_avg10_ratio')!.map((x) => x.labels.get('stall'))).toEqual(['some', 'full']);
    const i = samplesOf('proc/interrupts', fixture('interrupts/written-6.1-arm64.txt'));
    expect([...new Set(i.get('procspec_interrupts_counts_total')!.flatMap((x) => [...x.labels.keys()]))].sort()).toEqual(['cpu', 'irq']);
  });
  it('every collector lists the labels its series may carry (what filters are checked against)', () => {
    const byName = new Map(allCollectors().map((c) => [c.name, c.families.labels]));
    expect([...byName.get('net_dev')!].sort()).toEqual(['iface', 'index']);
    expect([...byName.get('diskstats')!].sort()).toEqual(['device', 'index', 'major', 'minor']);
    expect([...byName.get('pressure')!]).toEqual(['stall']);
  });
});

describe('enums and read-once text', () => {
  it('an enum outside rows is a gauge per state: 1 for the one the file says (net/snmp Forwarding)', () => {
    const text = fixture('net/snmp/written-6.18-x86_64-many-icmp-types.txt');
    const forwarding = lines(text)[1]![1]!;
    const states = samplesOf('proc/net/snmp', text).get('procspec_net_snmp_ip_forwarding_state')!;
    const want = { '1': 'forwarding', '2': 'not_forwarding', '0': 'unknown' }[forwarding];
    expect(states.map((x) => x.labels.get('state'))).toEqual(['forwarding', 'not_forwarding', 'unknown']);
    expect(states.filter((x) => x.value === '1').map((x) => x.labels.get('state'))).toEqual([want]);
    expect(states.filter((x) => x.value === '0')).toHaveLength(2);
  });
  it('an enum a row marks `label: false` is a state per row (mdstat arrays: active), labelled by the row', () => {
    const s = samplesOf('proc/mdstat', fixture('mdstat/written-6.8-x86_64-raid1-resync-raid5.txt'));
    const states = s.get('procspec_mdstat_arrays_state')!;
    const active = states.filter((x) => x.labels.get('state') === 'active');
    expect(active.map((x) => [x.labels.get('unit'), x.value])).toEqual([
      ['1', '1'],
      ['0', '1'],
    ]);
    expect(states.filter((x) => x.labels.get('state') === 'inactive').every((x) => x.value === '0')).toBe(true);
  });
  it('this machine: overcommit_memory as states, the one set equal to the file', async () => {
    const text = live('sys/vm/overcommit_memory');
    if (text === undefined) return;
    const exporter = new Exporter(new ProcFs({ bigint: true }), { disableDefaults: true, enable: ['sys_vm_overcommit_memory'] });
    const out = (await exporter.scrape()).text({ kind: 'text' });
    exporter.close();
    const name = ['guess', 'always', 'never'][Number(text.trim())]!;
    expect(out).toContain(`procspec_sys_vm_overcommit_memory_mode_state{state="${name}"} 1\n`);
    expect(out.match(/^procspec_sys_vm_overcommit_memory_mode_state\{[^}]*\} 0$/gm)).toHaveLength(2);
  });
  it('read-once specs are collectors off by default; enabled, their text is one _info series of value 1 (version, cpuinfo per CPU)', async () => {
    const on = new Exporter(new ProcFs()).enabled.map((c) => c.name);
    expect(on).not.toContain('version');
    expect(on).not.toContain('cpuinfo');
    const text = fixture('cpuinfo/written-6.1-arm64.txt');
    const info = samplesOf('proc/cpuinfo', text).get('procspec_cpuinfo_info')!;
    const processors = text.split('\n').filter((l) => l.startsWith('processor'));
    expect(info.map((x) => x.labels.get('cpu'))).toEqual(processors.map((l) => l.split(':')[1]!.trim()));
    expect(info.every((x) => x.value === '1')).toBe(true);
    const version = live('version');
    if (version === undefined) return;
    const exporter = new Exporter(new ProcFs({ bigint: true }), { disableDefaults: true, enable: ['version'] });
    const out = (await exporter.scrape()).text({ kind: 'text' });
    exporter.close();
    const line = out.split('\n').find((l) => l.startsWith('procspec_version_info{'))!;
    expect(line.endsWith('} 1')).toBe(true);
    const labels = labelValues(line.slice(line.indexOf('{') + 1, line.lastIndexOf('}')));
    expect(labels.get('release')).toBe(version.split(' ')[2]);
    expect(version.startsWith(`${labels.get('sysname')} version ${labels.get('release')}`)).toBe(true);
  });
});
