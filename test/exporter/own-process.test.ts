/** The `process` collector: the exporter's own process under the client libraries' names, checked against its files read around the scrape. */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Exporter } from '../../exporter/index.js';
import { ProcFs } from '../../runtime/index.js';

const OPENMETRICS_FORMAT = { kind: 'openmetrics', version: '1.0.0' } as const;

const TICK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
const PAGE = Number(execFileSync('getconf', ['PAGESIZE'], { encoding: 'utf8' }).trim());

/** Fields of /proc/self/stat after the command, numbered as in proc(5) from state (3). */
function selfStat(): string[] {
  const s = readFileSync('/proc/self/stat', 'latin1');
  return [
    '',
    '',
    '',
    ...s
      .slice(s.lastIndexOf(')') + 2)
      .trim()
      .split(' '),
  ];
}

/** The value of a one-sample family in a text body. */
function value(body: string, name: string): number {
  const line = body.split('\n').find((l) => l.startsWith(`${name} `));
  if (line === undefined) throw new Error(`no ${name} in the body`);
  const v = line.slice(name.length + 1);
  return v === '+Inf' ? Number.POSITIVE_INFINITY : Number(v);
}

describe('the process collector', () => {
  it('exports the exporter process as the client libraries name it, with values of its own files', async () => {
    const exporter = new Exporter(new ProcFs({ bigint: true }), { disableDefaults: true, enable: ['process'] });
    try {
      const before = selfStat();
      const fdsBefore = readdirSync('/proc/self/fd').length;
      const body = (await exporter.scrape()).text(OPENMETRICS_FORMAT);
      const after = selfStat();
      const fdsAfter = readdirSync('/proc/self/fd').length;

      const cpu = (f: string[]) => (Number(f[14]) + Number(f[15])) / TICK;
      expect(value(body, 'process_cpu_seconds_total')).toBeGreaterThanOrEqual(cpu(before) - 1e-9);
      expect(value(body, 'process_cpu_seconds_total')).toBeLessThanOrEqual(cpu(after) + 1e-9);
      const rss = value(body, 'process_resident_memory_bytes');
      expect(rss % PAGE).toBe(0);
      expect(rss).toBeGreaterThan(0);
      expect(value(body, 'process_virtual_memory_bytes')).toBeGreaterThan(rss);
      const btime = Number(/^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'))![1]);
      expect(value(body, 'process_start_time_seconds')).toBeCloseTo(btime + Number(before[22]) / TICK, 6);
      // Both listings around the scrape hold the listing's own descriptor, as the collector's does.
      expect(value(body, 'process_open_fds')).toBeGreaterThanOrEqual(Math.min(fdsBefore, fdsAfter) - 2);
      expect(value(body, 'process_open_fds')).toBeLessThanOrEqual(Math.max(fdsBefore, fdsAfter) + 8);
      const limits = readFileSync('/proc/self/limits', 'utf8');
      const soft = (name: string) => {
        const v = new RegExp(`^${name}\\s+(\\S+)`, 'm').exec(limits)![1]!;
        return v === 'unlimited' ? Number.POSITIVE_INFINITY : Number(v);
      };
      expect(value(body, 'process_max_fds')).toBe(soft('Max open files'));
      expect(value(body, 'process_virtual_memory_max_bytes')).toBe(soft('Max address space'));
      expect(body).toContain('# TYPE process_cpu_seconds counter\n# UNIT process_cpu_seconds seconds\n');
      expect(body).toContain('procspec_scrape_collector_success{collector="process"} 1\n');
    } finally {
      exporter.close();
    }
  });

  it('is on by default and off with the other defaults or by name', () => {
    const names = (o: ConstructorParameters<typeof Exporter>[1]) => new Exporter(new ProcFs(), o).enabled.map((c) => c.name);
    expect(names({})).toContain('process');
    expect(names({ disable: ['process'] })).not.toContain('process');
    expect(names({ disableDefaults: true })).not.toContain('process');
    expect(names({ disableDefaults: true, enable: ['process'] })).toEqual(['process']);
  });
});
