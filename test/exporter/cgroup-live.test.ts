/**
 * The cgroup collectors on this machine: a group made for the test (root
 * only), with busy processes moved into it, is served with the values its
 * files hold, read before and after the scrape; once removed, it is gone
 * from the next scrape without an error.
 */
import { accessSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Exporter } from '../../exporter/index.js';
import { ProcFs } from '../../runtime/index.js';
import { type LiveGroup, liveGroup, writableMount } from './cgroup-support.js';

const mount = writableMount();

/** A number after `key` in a file's text (`usage_usec 123`, `total=456` of the `some` line). */
function numberIn(text: string, re: RegExp): number {
  const m = re.exec(text);
  if (m === null) throw new Error(`${re} not in ${JSON.stringify(text)}`);
  return Number(m[1]);
}

/** The value of one series in a scrape's text. */
function sample(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  if (line === undefined) throw new Error(`no ${series}`);
  return Number(line.slice(series.length + 1));
}

const within = (v: number, a: number, b: number) => v >= Math.min(a, b) - 1e-9 && v <= Math.max(a, b) + 1e-9;

describe.skipIf(mount === undefined)(`a group made on this machine${mount === undefined ? ' (skipped: needs root and a writable cgroup2 mount)' : ''}`, () => {
  let group: LiveGroup | undefined;
  afterAll(async () => {
    await group?.remove();
  });

  it('served with the values its files hold at the scrape, and gone from the next scrape once removed', async () => {
    group = await liveGroup(mount!, `procspec-test-live-${process.pid}`, 2);
    const dir = group.dir;
    const label = `cgroup="/${group.path}"`;
    // Until the group has run a while (the test's time limit ends a hung run).
    while (numberIn(readFileSync(join(dir, 'cpu.stat'), 'utf8'), /^usage_usec (\d+)$/m) < 200_000) await new Promise((r) => setTimeout(r, 50));
    const resources = ['cpu', 'io', 'memory', 'irq'].filter((r) => {
      try {
        accessSync(join(dir, `${r}.pressure`));
        return true;
      } catch {
        return false;
      }
    });
    expect(resources).toContain('cpu');

    const e = new Exporter(new ProcFs({ bigint: true }), { disableDefaults: true, enable: ['cgroup_cpu_stat', 'cgroup_pressure'] });
    const files = () => ({
      cpu: readFileSync(join(dir, 'cpu.stat'), 'utf8'),
      pressure: Object.fromEntries(resources.map((r) => [r, readFileSync(join(dir, `${r}.pressure`), 'utf8')])),
    });
    const before = files();
    const scrape = await e.scrape();
    const after = files();
    expect(scrape.results.map((r) => [r.name, r.success, r.error])).toEqual([
      ['cgroup_pressure', true, undefined],
      ['cgroup_cpu_stat', true, undefined],
    ]);
    const text = scrape.text({ kind: 'text' });

    for (const [key, name] of [
      ['usage_usec', 'usage'],
      ['user_usec', 'user'],
      ['system_usec', 'system'],
    ] as const) {
      const re = new RegExp(`^${key} (\\d+)$`, 'm');
      const v = Math.round(sample(text, `procspec_cgroup_cpu_stat_${name}_seconds_total{${label}}`) * 1e6);
      expect(v, key).toBeGreaterThanOrEqual(numberIn(before.cpu, re));
      expect(v, key).toBeLessThanOrEqual(numberIn(after.cpu, re));
    }
    // Two niced busy loops on a shared machine wait for a CPU: their group has cpu pressure.
    expect(numberIn(after.pressure.cpu!, /^some .*total=(\d+)$/m)).toBeGreaterThan(0);
    for (const r of resources)
      for (const kind of ['some', 'full']) {
        const line = (t: string) => new RegExp(`^${kind} avg10=([\\d.]+) avg60=([\\d.]+) avg300=([\\d.]+) total=(\\d+)$`, 'm').exec(t);
        const b = line(before.pressure[r]!);
        const a = line(after.pressure[r]!);
        if (b === null || a === null) continue;
        const labels = `${label},resource="${r}",stall="${kind}"`;
        const total = Math.round(sample(text, `procspec_cgroup_pressure_seconds_total{${labels}}`) * 1e6);
        expect(total, `${r} ${kind} total`).toBeGreaterThanOrEqual(Number(b[4]));
        expect(total, `${r} ${kind} total`).toBeLessThanOrEqual(Number(a[4]));
        for (const [i, avg] of ['avg10', 'avg60', 'avg300'].entries()) {
          const v = sample(text, `procspec_cgroup_pressure_${avg}_ratio{${labels}}`) * 100;
          expect(within(v, Number(b[i + 1]), Number(a[i + 1])), `${r} ${kind} ${avg}: ${v} not within ${b[i + 1]} and ${a[i + 1]}`).toBe(true);
        }
      }

    await group.remove();
    const gone = await e.scrape();
    expect(gone.results.every((r) => r.success)).toBe(true);
    expect(gone.text({ kind: 'text' })).not.toContain(label);
    expect(gone.text({ kind: 'text' })).toContain('procspec_cgroup_cpu_stat_usage_seconds_total{cgroup="/"}');
    e.close();
  });
});
