/**
 * A real Prometheus (Debian's package) scrapes `procspec serve` every
 * second while a group made for the test runs busy processes (root only):
 * the group's pressure series, queried through Prometheus's HTTP API, agree
 * with its files read before and after the scrape Prometheus took: each
 * `total` counter between the two reads, each average one of the values the
 * file showed between them.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { liveGroup, writableMount } from './cgroup-support.js';
import { startPrometheus, until } from './prometheus-support.js';
import { startServe } from './support.js';

const installed = spawnSync('prometheus', ['--version']).status === 0;

const mount = writableMount();
const why = !installed
  ? 'the prometheus command is not installed; apt-get install prometheus'
  : mount === undefined
    ? 'needs root and a writable cgroup2 mount'
    : '';

/** The lines `some ...` and `full ...` of a pressure file: avg10, avg60, avg300 (percent) and total (us). */
function pressureOf(text: string): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const m of text.matchAll(/^(some|full) avg10=([\d.]+) avg60=([\d.]+) avg300=([\d.]+) total=(\d+)$/gm)) out.set(m[1]!, m.slice(2, 6).map(Number));
  return out;
}

describe.skipIf(why !== '')(`Prometheus scrapes a cgroup's pressure from procspec serve${why === '' ? '' : ` (skipped: ${why})`}`, () => {
  const cleanup: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    for (const f of cleanup.reverse()) await f();
  });

  it("the group's pressure series agree with its files read before and after the scrape", async () => {
    const group = await liveGroup(mount!, `procspec-test-prometheus-${process.pid}`, 2);
    cleanup.push(group.remove);
    const serve = await startServe(['--collector.disable-defaults', '--collector.cgroup_pressure']);
    cleanup.push(serve.stop);
    const dir = mkdtempSync(join(tmpdir(), 'procspec-prometheus-cgroup-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const prom = await startPrometheus(`  - job_name: procspec\n    static_configs:\n      - targets: ['${new URL(serve.url).host}']\n`, dir);
    cleanup.push(prom.stop);
    const dead = () => prom.dead() ?? (serve.child.exitCode !== null ? `procspec serve exited (${serve.child.exitCode})` : undefined);
    const cgroup = `/${group.path}`;
    const selector = `{cgroup="${cgroup}",resource="cpu"}`;
    const file = join(group.dir, 'cpu.pressure');

    // The group's series are in Prometheus.
    await until(async () => ((await prom.vector(`procspec_cgroup_pressure_seconds_total${selector}`)).length === 2 ? true : undefined), dead);

    const before = pressureOf(readFileSync(file, 'utf8'));
    const read = Date.now() / 1000;
    // The averages the file shows between the two reads: the kernel updates them every 2 s, not always in one
    // direction, so the scraped one may be outside the two read here (avg10 41.53 between 36.33 and 38.53).
    const shown = [before];
    const poll = setInterval(() => shown.push(pressureOf(readFileSync(file, 'utf8'))), 50);
    // A scrape that began after the first read: the exporter read the file between the two reads.
    await until(async () => {
      const ts = await prom.vector(`timestamp(procspec_cgroup_pressure_seconds_total${selector})`);
      return ts.length === 2 && ts.every((t) => Number(t.value[1]) > read) ? true : undefined;
    }, dead);
    const series = await prom.vector(`{__name__=~"procspec_cgroup_pressure_.*",cgroup="${cgroup}",resource="cpu"}`);
    clearInterval(poll);
    const after = pressureOf(readFileSync(file, 'utf8'));
    shown.push(after);

    expect([...before.keys()].sort()).toEqual(['full', 'some']);
    const got = new Map(series.map((s) => [`${s.metric.__name__} ${s.metric.stall}`, Number(s.value[1])]));
    expect(got.size).toBe(8);
    // Busy loops that wait for a CPU: the group's cpu pressure is not zero.
    expect(after.get('some')![3]).toBeGreaterThan(0);
    for (const kind of ['some', 'full']) {
      const b = before.get(kind)!;
      const a = after.get(kind)!;
      const total = Math.round(got.get(`procspec_cgroup_pressure_seconds_total ${kind}`)! * 1e6);
      expect(total, `${kind} total`).toBeGreaterThanOrEqual(b[3]!);
      expect(total, `${kind} total`).toBeLessThanOrEqual(a[3]!);
      for (const [i, avg] of ['avg10', 'avg60', 'avg300'].entries()) {
        const v = got.get(`procspec_cgroup_pressure_${avg}_ratio ${kind}`)! * 100;
        const values = [...new Set(shown.map((p) => p.get(kind)![i]!))];
        expect(
          values.some((x) => Math.abs(v - x) < 1e-6),
          `${kind} ${avg}: ${v} is none of the values the file showed between the two reads (${values.join(', ')})`,
        ).toBe(true);
      }
    }
  });
});
