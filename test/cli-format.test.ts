/**
 * `procspec parse --format json|ndjson|csv|table`, `--delimiter` and `--raw`,
 * run as a user runs them, on live files and on saved copies from the
 * conformance corpus (PROCSPEC_CORPUS, else ../shared/corpus).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCliAsync } from './support/cli.js';
import { corpusDir as corpus } from './support/corpus.js';

/** The command, spawned; the cases of each describe run side by side, so that its spawns keep both cores busy. */
const run = (...args: string[]) => runCliAsync(args);
const saved = join(corpus, 'prometheus-procfs', 'proc');
const hasCorpus = existsSync(saved);
if (!hasCorpus) console.warn(`cli-format: corpus tests skipped, no ${saved} (set PROCSPEC_CORPUS to the corpus folder)`);

/** An RFC 4180 reader: records of fields, quoted fields may hold the delimiter, quotes ("") and line breaks. */
function readCsv(text: string, delimiter = ','): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c !== '"') field += c;
      else if (text[i + 1] === '"') {
        field += '"';
        i++;
      } else quoted = false;
    } else if (c === '"' && field === '') {
      quoted = true;
    } else if (c === delimiter) {
      record.push(field);
      field = '';
    } else if (c === '\n' || (c === '\r' && text[i + 1] === '\n')) {
      if (c === '\r') i++;
      record.push(field);
      records.push(record);
      record = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || record.length > 0) records.push([...record, field]);
  return records;
}

/** The sections of procspec's CSV: a header record and its rows, sections separated by an empty line; rows as objects. */
function csvSections(text: string, delimiter = ','): Record<string, string>[][] {
  const sections: string[][][] = [[]];
  for (const r of readCsv(text, delimiter)) {
    if (r.length === 1 && r[0] === '') sections.push([]);
    else sections[sections.length - 1]!.push(r);
  }
  return sections.map(([header, ...rows]) => {
    for (const row of rows) expect(row.length).toBe(header!.length);
    return rows.map((row) => Object.fromEntries(header!.map((name, i) => [name, row[i]!])));
  });
}

const lines = (s: string) => s.split('\n').filter((l) => l !== '');

describe.concurrent('procspec parse --format, live files', () => {
  it('csv of /proc/net/dev: one row per interface, same values as the JSON', async () => {
    const json = await run('parse', '/proc/net/dev');
    const csv = await run('parse', '--format', 'csv', '/proc/net/dev');
    expect(csv.status).toBe(0);
    expect(csv.stderr).toBe('');
    const ifaces = JSON.parse(json.stdout) as { iface: string; rxBytes?: number }[];
    const rows = csvSections(csv.stdout).flat();
    expect(rows.map((r) => r.iface)).toEqual(ifaces.map((i) => i.iface));
    expect(rows.find((r) => r.iface === 'lo')?.rxBytes).toMatch(/^\d+$/);
  });

  it('ndjson: one line per record (rows of a table, a keyed file as one record)', async () => {
    const mounts = JSON.parse((await run('parse', '/proc/self/mountinfo')).stdout) as unknown[];
    // A process's own mountinfo is stable; the spawned CLI reads its own.
    const nd = await run('parse', '--format', 'ndjson', '/proc/self/mountinfo');
    expect(nd.status).toBe(0);
    expect(lines(nd.stdout)).toHaveLength(mounts.length);
    for (const l of lines(nd.stdout)) expect(JSON.parse(l)).toHaveProperty('mountPoint');
    const mem = await run('parse', '--format', 'ndjson', '/proc/meminfo');
    expect(lines(mem.stdout)).toHaveLength(1);
    expect(JSON.parse(mem.stdout)).toHaveProperty('memTotal');
  });

  it('ndjson of /proc/interrupts: one line per row, the header line (cpus) in each', async () => {
    const table = JSON.parse((await run('parse', '/proc/interrupts')).stdout) as { cpus: number[]; rows: { irq: string }[] };
    const nd = await run('parse', '--format', 'ndjson', '/proc/interrupts');
    expect(nd.status).toBe(0);
    const recs = lines(nd.stdout).map((l) => JSON.parse(l) as { cpus: number[]; irq: string });
    expect(recs.map((r) => r.irq)).toEqual(table.rows.map((r) => r.irq));
    for (const r of recs) expect(r.cpus).toEqual(table.cpus);
  });

  it('--raw gives MemTotal in kB, equal to the number the file prints', async () => {
    const kb = Number(/^MemTotal:\s+(\d+) kB$/m.exec(readFileSync('/proc/meminfo', 'utf8'))![1]);
    const r = await run('parse', '--raw', '/proc/meminfo');
    expect(r.status).toBe(0);
    const v = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(v['memTotal.raw']).toEqual({ key: 'MemTotal', value: kb, unit: 'kB' });
    expect(v.memTotal).toBe(kb * 1024);
  });

  it('--raw gives /proc/stat times back in clock ticks, as printed', async () => {
    const v = JSON.parse((await run('parse', '--raw', '/proc/stat')).stdout) as { cpu: Record<string, { value: number; unit: string; key: string }> };
    const user = Number(/^cpu\s+(\d+)/m.exec(readFileSync('/proc/stat', 'utf8'))![1]);
    const raw = v.cpu['user.raw']!;
    expect(raw.key).toBe('user');
    expect(raw.unit).toBe('ticks');
    expect(Number.isInteger(raw.value)).toBe(true);
    // The file was read twice; the counter only grows, by little in between.
    expect(raw.value).toBeLessThanOrEqual(user);
    expect(raw.value).toBeGreaterThan(user - 10_000);
  });

  it('table: key/value lines for a keyed file, columns for a list of rows', async () => {
    const mem = await run('parse', '--format', 'table', '/proc/meminfo');
    expect(mem.status).toBe(0);
    const total = (JSON.parse((await run('parse', '/proc/meminfo')).stdout) as { memTotal: number }).memTotal;
    expect(mem.stdout).toMatch(new RegExp(`^memTotal +${total}$`, 'm'));
    const stat = await run('parse', '--format', 'table', '/proc/stat');
    expect(stat.stdout).toMatch(/^cpu\n {2}user +[\d.]+$/m);
    expect(stat.stdout).toMatch(/^ {2}cpu +user +nice +system/m);
    const dev = await run('parse', '--format', 'table', '/proc/net/dev');
    expect(dev.stdout.split('\n')[0]).toMatch(/^kind +iface +rxBytes +rxPackets/);
    expect(dev.stdout).toMatch(/^stats +lo +\d+/m);
  });

  it('bad usage exits 2; a parse error exits 1 naming file:line:column, whatever the format', async () => {
    const xml = await run('parse', '--format', 'xml', '/proc/meminfo');
    expect(xml.status).toBe(2);
    expect(xml.stderr).toMatch(/--format.*'xml' is invalid/);
    expect(xml.stdout).toBe('');
    expect((await run('parse', '--format', 'csv', '--delimiter', ';;', '/proc/meminfo')).status).toBe(2);
    expect((await run('parse', '--format', 'table', '--delimiter', ';', '/proc/meminfo')).status).toBe(2);
    const dir = mkdtempSync(join(os.tmpdir(), 'procspec-'));
    writeFileSync(join(dir, 'loadavg'), '0.1 0.2 oops 1/2 3\n');
    const bad = await run('parse', '--format', 'csv', join(dir, 'loadavg'));
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain(`${join(dir, 'loadavg')}:1:9: expected a decimal number, found "oops"`);
    expect(bad.stdout).toBe('');
  });

  it('quotes fields holding the delimiter, quotes or line breaks (RFC 4180)', async () => {
    const dir = mkdtempSync(join(os.tmpdir(), 'procspec-'));
    mkdirSync(join(dir, '1234'));
    const args = ['plain', 'a,b', 'say "hi"', 'two\nlines', 'x|y'];
    writeFileSync(join(dir, '1234', 'cmdline'), `${args.join('\0')}\0`);
    for (const d of [',', '|']) {
      const r = await run('parse', '--format', 'csv', '--delimiter', d, join(dir, '1234', 'cmdline'));
      expect(r.status).toBe(0);
      expect(r.stdout).toContain('"say ""hi"""');
      const [rows] = csvSections(r.stdout, d);
      expect(rows!.map((row) => row.value)).toEqual(args);
    }
  });
});

describe.skipIf(!hasCorpus).concurrent('procspec parse --format, saved copies from the corpus', () => {
  it('csv of a saved net/dev: a header record and a record per interface', async () => {
    const r = await run('parse', '--format', 'csv', join(saved, 'net', 'dev'));
    expect(r.status).toBe(0);
    const sections = csvSections(r.stdout);
    expect(sections).toHaveLength(1);
    expect(sections[0]!.map((row) => row.iface)).toEqual(['vethf345468', 'lo', 'docker0', 'eth0']);
    expect(sections[0]![1]).toMatchObject({ kind: 'stats', rxBytes: '1664039048', rxPackets: '1566805', txBytes: '1664039048' });
  });

  it('csv writes a new header when the fields change (net/dev variants, smaps without a pathname)', async () => {
    const dir = mkdtempSync(join(os.tmpdir(), 'procspec-'));
    mkdirSync(join(dir, 'net'));
    const dev = readFileSync(join(saved, 'net', 'dev'), 'utf8');
    writeFileSync(join(dir, 'net', 'dev'), `${dev}  dummy0: No statistics available.\n`);
    const mixed = csvSections((await run('parse', '--format', 'csv', join(dir, 'net', 'dev'))).stdout);
    expect(mixed.map((s) => s.length)).toEqual([4, 1]);
    expect(mixed[1]).toEqual([{ kind: 'noStatistics', iface: 'dummy0' }]);

    const smaps = join(saved, '26231', 'smaps');
    const r = await run('parse', '--format', 'csv', smaps);
    expect(r.status).toBe(0);
    const sections = csvSections(r.stdout);
    expect(sections.map((s) => s.length)).toEqual([3, 5, 4]);
    expect(sections[0]![0]).toMatchObject({
      start: '4194304',
      'device.major': '253',
      'device.minor': '1',
      pathname: '/bin/alertmanager',
      vmFlags: 'rd ex mr mw me dw sd',
    });
    expect('pathname' in sections[1]![0]!).toBe(false);
    expect(sections[2]!.map((row) => row.pathname)).toEqual(['[stack]', '[vvar]', '[vdso]', '[vsyscall]']);
    // The [vsyscall] mapping ends above 2^53: written as decimal digits, not rounded.
    expect(sections[2]![3]!.end).toBe('18446744073699069952');
    const nd = await run('parse', '--format', 'ndjson', smaps);
    expect(lines(nd.stdout)).toHaveLength(12);
  });

  it('--delimiter | and tab', async () => {
    const pipe = await run('parse', '--format', 'csv', '--delimiter', '|', join(saved, 'net', 'dev'));
    expect(pipe.status).toBe(0);
    expect(pipe.stdout.split('\n')[0]).toMatch(/^kind\|iface\|rxBytes\|/);
    expect(csvSections(pipe.stdout, '|')[0]![3]).toMatchObject({ iface: 'eth0', rxBytes: '874354587' });
    const tab = await run('parse', '--format', 'csv', '--delimiter', '\t', join(saved, 'meminfo'));
    expect(tab.status).toBe(0);
    expect(csvSections(tab.stdout, '\t')[0]![0]).toMatchObject({ memTotal: String(15666184 * 1024) });
  });

  it('--raw on a saved meminfo: MemTotal in kB as the file prints it, in JSON and in CSV', async () => {
    const file = join(saved, 'meminfo');
    const kb = Number(/^MemTotal:\s+(\d+) kB$/m.exec(readFileSync(file, 'utf8'))![1]);
    expect(kb).toBe(15666184);
    const v = JSON.parse((await run('parse', '--raw', file)).stdout) as Record<string, unknown>;
    expect(v['memTotal.raw']).toEqual({ key: 'MemTotal', value: kb, unit: 'kB' });
    const [rows] = csvSections((await run('parse', '--raw', '--format', 'csv', file)).stdout);
    expect(rows![0]).toMatchObject({
      memTotal: String(kb * 1024),
      'memTotal.raw.key': 'MemTotal',
      'memTotal.raw.value': String(kb),
      'memTotal.raw.unit': 'kB',
    });
  });

  it('--raw with a copy from another machine uses its page size', async () => {
    const file = join(saved, '26231', 'stat');
    const rss = Number(readFileSync(file, 'utf8').split(') ')[1]!.split(' ')[21]);
    const v = JSON.parse((await run('parse', '--raw', '--page-size', '65536', file)).stdout) as Record<string, unknown>;
    expect(v.rss).toBe(rss * 65536);
    expect(v['rss.raw']).toEqual({ key: 'rss', value: rss, unit: 'pages' });
  });

  it('table of saved files shows their values; several files each under a heading', async () => {
    const r = await run('parse', '--format', 'table', join(saved, 'net', 'dev'), join(saved, 'meminfo'));
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`==> ${join(saved, 'net', 'dev')} <==`);
    expect(r.stdout).toMatch(/^stats +docker0 +2568 +38 /m);
    expect(r.stdout).toContain(`==> ${join(saved, 'meminfo')} <==`);
    expect(r.stdout).toMatch(new RegExp(`^memTotal +${15666184 * 1024}$`, 'm'));
    const csv = csvSections((await run('parse', '--format', 'csv', join(saved, 'net', 'dev'), join(saved, 'meminfo'))).stdout);
    expect(csv.map((s) => s.length)).toEqual([4, 1]);
    expect(csv[1]![0]!.file).toBe(join(saved, 'meminfo'));
  });
});
