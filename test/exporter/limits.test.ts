/**
 * Label filters (flags and URL parameters) and series budgets
 * (exporter/limits.ts): patterns as RE2 reads them, usage errors and 400s
 * that say why, a collector past its budget left out while the rest is
 * served, and promtool still content with what is served.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { parseServeFlags } from '../../cli/serve.js';
import { Exporter, startServer } from '../../exporter/index.js';
import { compilePattern, labelRule, LimitError, labelValues, parseRuleParam } from '../../exporter/limits.js';
import { parseQuery } from '../../exporter/server.js';
import { ProcFs } from '../../runtime/index.js';
import { runCli } from '../support/cli.js';
import { get, madeUpProc, ROOT_FILES, startServe } from './support.js';

const root = madeUpProc();
const hasPromtool = spawnSync('promtool', ['--version']).status === 0;

/** The samples of a text body whose name starts with `prefix`, as `name{labels} value` lines. */
const linesOf = (text: string, prefix: string): string[] => text.split('\n').filter((l) => l.startsWith(prefix));

/** The made-up root's diskstats lines: the series of one diskstats family. */
const DISKS = ROOT_FILES.diskstats!.split('\n').filter((l) => l.trim() !== '').length;

describe('patterns', () => {
  it("are anchored at both ends, with Go's leading flags and (?P<name>) groups", () => {
    expect(compilePattern('eth', 'x').test('eth0')).toBe(false);
    expect(compilePattern('eth.*', 'x').test('eth0')).toBe(true);
    expect(compilePattern('lo|eth0', 'x').test('lo')).toBe(true);
    expect(compilePattern('a|b', 'x').test('ab')).toBe(false);
    expect(compilePattern('(?i)ETH[0-9]', 'x').test('eth1')).toBe(true);
    expect(compilePattern('(?P<n>sd)[a-z]', 'x').test('sda')).toBe(true);
    // A backslash escaped, then a digit: a literal, not a backreference.
    expect(compilePattern('a\\\\1', 'x').test('a\\1')).toBe(true);
  });
  it('refuse what RE2 does not have, and what does not compile, naming where they were given', () => {
    const cases: [string, RegExp][] = [
      ['(a)\\1', /backreferences \(\\1\)/],
      ['(?<x>a)\\k<x>', /backreferences \(\\k<name>\)/],
      ['eth(?=0)', /lookahead and lookbehind/],
      ['eth(?!0)', /lookahead and lookbehind/],
      ['(?<=e)th', /lookahead and lookbehind/],
      ['(?<!e)th', /lookahead and lookbehind/],
      ['(?m)eth', /the flag \(\?m\) is not supported/],
      ['eth(', /not a valid regular expression/],
    ];
    for (const [source, why] of cases) {
      expect(() => compilePattern(source, '--collector.net_dev.iface-include'), source).toThrow(LimitError);
      expect(() => compilePattern(source, '--collector.net_dev.iface-include'), source).toThrow(why);
      expect(() => compilePattern(source, '--collector.net_dev.iface-include'), source).toThrow(/^--collector\.net_dev\.iface-include: /);
    }
  });
  it('label values are read back from printed labels, escapes undone', () => {
    expect([...labelValues('a="x",b="y\\"z\\\\",c="1\\n2"')]).toEqual([
      ['a', 'x'],
      ['b', 'y"z\\'],
      ['c', '1\n2'],
    ]);
  });
});

describe('flags and URL parameters', () => {
  it('flags: filters and budgets, each as --flag value or --flag=value', () => {
    const f = parseServeFlags([
      '--collector.net_dev.iface-exclude',
      'lo|docker.*',
      '--collector.diskstats.device-include=sd.*',
      '--collector.diskstats.max-series',
      '50',
      '--collector.max-series=2000',
      '--web.max-series',
      '9000',
      '--collector.sys/fs/cgroup/cpu.stat.max-series=7',
    ]);
    expect(f.limits.filters.map((r) => [r.collector, r.label, r.include, r.source])).toEqual([
      ['net_dev', 'iface', false, 'lo|docker.*'],
      ['diskstats', 'device', true, 'sd.*'],
    ]);
    expect(f.limits.budgets).toEqual({
      perCollector: 2000,
      total: 9000,
      collectors: new Map([
        ['diskstats', 50],
        ['sys/fs/cgroup/cpu.stat', 7],
      ]),
    });
    expect(() => parseServeFlags(['--collector.net_dev.iface-include', 'eth(?=0)'])).toThrow(/--collector\.net_dev\.iface-include: lookahead/);
    expect(() => parseServeFlags(['--web.max-series', '0'])).toThrow(/a number of series, 1 or more/);
    expect(() => parseServeFlags(['--collector.diskstats.max-series'])).toThrow(/needs a value/);
  });
  it('a wrong collector or label in a flag is a usage error (exit 2) that says which', () => {
    const r = runCli(['serve', '--path.procfs', root, '--collector.net_dev.device-include', 'eth.*']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/collector net_dev has no label "device" \(its labels: iface, index\)/);
    const n = runCli(['serve', '--path.procfs', root, '--collector.nope.max-series', '5']);
    expect(n.status).toBe(2);
    expect(n.stderr).toMatch(/no collector named "nope"/);
  });
  it('procspec serve applies its filter and budget flags to every scrape', async () => {
    const serve = await startServe(['--path.procfs', root, '--collector.net_dev.iface-exclude=lo', '--collector.diskstats.max-series', '3']);
    try {
      const body = (await get(serve.url)).body.toString();
      expect(linesOf(body, 'procspec_net_dev_rx_bytes_total')).toEqual(['procspec_net_dev_rx_bytes_total{iface="eth0"} 18446744073709551615']);
      expect(body).not.toMatch(/^procspec_diskstats_/m);
      expect(body).toContain('procspec_scrape_collector_success{collector="diskstats"} 0\n');
      expect(body).toMatch(/^procspec_scrape_collector_series_dropped\{collector="diskstats"\} [1-9][0-9]*$/m);
    } finally {
      await serve.stop();
    }
  });
  it('URL: include[] and exclude[] with COLLECTOR:LABEL=REGEX are filters; without a colon, exclude[] names a collector', () => {
    const q = parseQuery('include[]=net_dev:iface=eth.*&exclude[]=diskstats&exclude[]=diskstats:device=loop%5B0-9%5D');
    if ('error' in q) throw new Error(q.error);
    expect(q.exclude).toEqual(['diskstats']);
    expect(q.rules.map((r) => [r.collector, r.label, r.include, r.source])).toEqual([
      ['net_dev', 'iface', true, 'eth.*'],
      ['diskstats', 'device', false, 'loop[0-9]'],
    ]);
    expect(parseRuleParam('include[]', 'net_dev')).toBeUndefined();
    const errors: [string, RegExp][] = [
      ['include[]=net_dev', /include\[\]=net_dev: expected COLLECTOR:LABEL=REGEX/],
      ['include[]=net_dev:iface', /expected COLLECTOR:LABEL=REGEX/],
      ['exclude[]=net_dev:bad-label=x', /expected COLLECTOR:LABEL=REGEX/],
      ['include[]=', /include\[\] needs COLLECTOR:LABEL=REGEX/],
      ['include[]=net_dev:iface=(a)%5C1', /include\[\] net_dev:iface: backreferences/],
    ];
    for (const [query, why] of errors) {
      const e = parseQuery(query);
      expect('error' in e ? e.error : '', query).toMatch(why);
    }
  });
});

describe('filters and budgets in a scrape', () => {
  const fs = new ProcFs({ root, bigint: true });
  afterAll(() => fs.dropCache());

  it('a flag filter keeps or drops series by a label; series without that label stay', async () => {
    const exporter = new Exporter(fs, { filters: [labelRule('net_dev', 'iface', false, 'lo', 'flag'), labelRule('pressure', 'stall', true, 'some', 'flag')] });
    const text = (await exporter.scrape()).text({ kind: 'text' });
    exporter.close();
    expect(linesOf(text, 'procspec_net_dev_rx_bytes_total')).toEqual(['procspec_net_dev_rx_bytes_total{iface="eth0"} 18446744073709551615']);
    expect(linesOf(text, 'procspec_pressure_avg10_ratio').every((l) => l.includes('stall="some"'))).toBe(true);
    expect(linesOf(text, 'procspec_pressure_avg10_ratio')).toHaveLength(2);
    expect(linesOf(text, 'procspec_meminfo_mem_total_bytes')).toHaveLength(1);
    // Filtered series are not dropped by a budget: they were asked to be left out.
    expect(text).toContain('procspec_scrape_collector_series_dropped{collector="net_dev"} 0\n');
  });
  it('a collector past its budget is left out, fails and says how many; the rest is served', async () => {
    const exporter = new Exporter(fs, { budgets: { collectors: new Map([['proc/diskstats', 5]]) } });
    const scrape = await exporter.scrape();
    const text = scrape.text({ kind: 'text' });
    exporter.close();
    expect(text).not.toMatch(/^procspec_diskstats_/m);
    expect(text).toContain('procspec_scrape_collector_success{collector="diskstats"} 0\n');
    const dropped = /procspec_scrape_collector_series_dropped\{collector="diskstats"\} ([0-9]+)/.exec(text)![1];
    // What diskstats gives alone: a series per line of the file in each of its families.
    const full = new Exporter(fs, { disableDefaults: true, enable: ['diskstats'] });
    const alone = await full.scrape();
    full.close();
    const diskSeries = alone.samples - linesOf(alone.text({ kind: 'text' }), 'procspec_scrape_').length - 1;
    expect(Number(dropped)).toBe(diskSeries);
    expect(diskSeries % DISKS).toBe(0);
    expect(scrape.results.find((r) => r.name === 'diskstats')?.error).toMatch(/more than its budget of 5 \(--collector\.diskstats\.max-series\)/);
    expect(text).toContain('procspec_scrape_collector_success{collector="meminfo"} 1\n');
    expect(text).toContain('procspec_scrape_collector_series_dropped{collector="meminfo"} 0\n');
    expect(linesOf(text, 'procspec_meminfo_mem_total_bytes')).toHaveLength(1);
  });
  it('filters count before budgets: the same budget holds once the filter leaves few enough', async () => {
    const exporter = new Exporter(fs, {
      filters: [labelRule('diskstats', 'device', true, 'sda', 'flag')],
      budgets: { collectors: new Map([['diskstats', 30]]) },
    });
    const text = (await exporter.scrape()).text({ kind: 'text' });
    exporter.close();
    expect(text).toContain('procspec_scrape_collector_success{collector="diskstats"} 1\n');
    expect(linesOf(text, 'procspec_diskstats_reads_completed_total')).toEqual([expect.stringMatching(/device="sda"/)]);
  });
  it('the total budget leaves out the collector that would pass it, in the order of the collectors; the others are served', async () => {
    const sizes = new Map<string, number>();
    const probe = new Exporter(fs, {});
    for (const c of probe.enabled) {
      const one = await probe.scrape([c]);
      sizes.set(c.name, one.samples - linesOf(one.text({ kind: 'text' }), 'procspec_scrape_').length - 1);
    }
    probe.close();
    const names = [...sizes.keys()];
    // A total that holds the first two collectors exactly and not the third.
    const total = sizes.get(names[0]!)! + sizes.get(names[1]!)!;
    const exporter = new Exporter(fs, { budgets: { total } });
    const text = (await exporter.scrape()).text({ kind: 'text' });
    exporter.close();
    expect(text).toContain(`procspec_scrape_collector_success{collector="${names[0]}"} 1\n`);
    expect(text).toContain(`procspec_scrape_collector_success{collector="${names[1]}"} 1\n`);
    expect(text).toContain(`procspec_scrape_collector_series_dropped{collector="${names[2]}"} ${sizes.get(names[2]!)}\n`);
    expect(text).toContain(`procspec_scrape_collector_success{collector="${names[2]}"} 0\n`);
  });
  it('URL filters on a served scrape; a wrong label or a collector not enabled is a 400 that says why', async () => {
    const exporter = new Exporter(fs, {});
    const server = await startServer({ exporter, host: '127.0.0.1', port: 0 });
    try {
      const ok = await get(`${server.url}?include[]=net_dev:iface=eth.*&exclude[]=diskstats:device=sd.*`);
      expect(ok.status).toBe(200);
      const body = ok.body.toString();
      expect(linesOf(body, 'procspec_net_dev_rx_bytes_total')).toEqual(['procspec_net_dev_rx_bytes_total{iface="eth0"} 18446744073709551615']);
      expect(linesOf(body, 'procspec_diskstats_reads_completed_total').some((l) => l.includes('device="sd'))).toBe(false);
      expect(linesOf(body, 'procspec_diskstats_reads_completed_total').length).toBeGreaterThan(0);
      const bad: [string, RegExp][] = [
        ['include[]=net_dev:device=eth.*', /collector net_dev has no label "device"/],
        ['include[]=interrupts:irq=1', /collector interrupts is not enabled/],
        ['include[]=net_dev:iface=eth(?=0)', /lookahead/],
        ['include[]=net_dev', /expected COLLECTOR:LABEL=REGEX/],
      ];
      for (const [query, why] of bad) {
        const r = await get(`${server.url}?${query}`);
        expect(r.status, query).toBe(400);
        expect(r.body.toString(), query).toMatch(why);
      }
    } finally {
      await server.close();
      exporter.close();
    }
  });
  it.skipIf(!hasPromtool)('promtool check metrics finds no problem with a collector left out, filters, states and _info series', async () => {
    for (const r of ['/proc', root]) {
      const exporter = new Exporter(new ProcFs({ root: r, bigint: true }), {
        enable: r === '/proc' ? ['version', 'cpuinfo', 'sys_vm_overcommit_memory', 'buddyinfo', 'zoneinfo', 'interrupts', 'net_snmp'] : [],
        filters: [labelRule('net_dev', 'iface', false, 'lo', 'flag')],
        budgets: { collectors: new Map([['diskstats', 3]]) },
      });
      const text = (await exporter.scrape()).text({ kind: 'text' });
      exporter.close();
      expect(text).toContain('procspec_scrape_collector_series_dropped{collector="diskstats"}');
      expect(execFileSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] })).toBe('');
    }
  });
});
