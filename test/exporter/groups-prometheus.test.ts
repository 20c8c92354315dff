/**
 * A real Prometheus (Debian's package) scrapes `procspec serve` with only
 * the process_groups collector, a group of sleep copies the test starts:
 * the target is up, the group's process count is what the test started,
 * the collector's own success metric is 1, and only the metrics asked for
 * with --collector.process_groups.metrics are served.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { prometheusInstalled as installed, prometheusMissing, startPrometheus, until } from './prometheus-support.js';
import { get, startServe } from './support.js';

describe.skipIf(!installed)(`a real Prometheus scrapes process groups${prometheusMissing}`, () => {
  const cleanup: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    for (const f of cleanup.reverse()) await f();
  });

  it('up 1, the group series as the test started it, the collector successful', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'procspec-groups-prometheus-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const sleeper = join(dir, 'pgt-prom');
    copyFileSync('/usr/bin/sleep', sleeper);
    const kids = [0, 1, 2].map(() => spawn(sleeper, ['600'], { stdio: 'ignore' }));
    cleanup.push(() => {
      for (const k of kids) k.kill('SIGKILL');
    });
    const pids = kids.map((k) => k.pid!);
    // Each has executed the copy once its comm is the copy's name.
    await until(
      async () => (pids.every((p) => readFileSync(`/proc/${p}/comm`, 'utf8').trim() === 'pgt-prom') ? true : undefined),
      () => undefined,
    );
    writeFileSync(join(dir, 'groups.yaml'), 'process_names:\n  - name: "prom-{{.Comm}}"\n    comm: [pgt-prom]\n');
    const serve = await startServe([
      '--collector.disable-defaults',
      '--collector.process_groups.config',
      join(dir, 'groups.yaml'),
      '--collector.process_groups.metrics=io,swap',
    ]);
    cleanup.push(serve.stop);
    const prom = await startPrometheus(`  - job_name: groups\n    static_configs:\n      - targets: ['${new URL(serve.url).host}']\n`, dir, () =>
      serve.child.exitCode !== null ? `procspec serve exited (${serve.child.exitCode})` : undefined,
    );
    cleanup.push(prom.stop);
    const { vector, dead } = prom;
    // Two scrapes, the last one up: on a busy machine one scrape may miss its deadline, and the next is waited for.
    await until(async () => {
      const r = await vector('count_over_time(up{job="groups"}[5m])');
      const up = await vector('up{job="groups"}');
      return r.length === 1 && Number(r[0]!.value[1]) >= 2 && up[0]?.value[1] === '1' ? true : undefined;
    }, dead);

    expect(
      (await vector('up{job="groups"}')).map((v) => v.value[1]),
      prom.log(),
    ).toEqual(['1']);
    const procs = await vector('procspec_process_groups_num_procs{job="groups"}');
    expect(procs.map((v) => [v.metric.groupname, v.value[1]])).toEqual([['prom-pgt-prom', '3']]);
    const ok = await vector('procspec_scrape_collector_success{job="groups"}');
    expect(ok.map((v) => [v.metric.collector, v.value[1]])).toEqual([['process_groups', '1']]);
    // A counter family as Prometheus reads it (OpenMetrics: named without _total in the metadata).
    const cpu = await vector('procspec_process_groups_cpu_seconds_total{job="groups",groupname="prom-pgt-prom"}');
    expect(cpu.map((v) => v.metric.mode).sort()).toEqual(['system', 'user']);
    // Only the metrics asked for beyond stat's: io and swap, not context switches or descriptors.
    const body = (await get(serve.url)).body.toString();
    const families = new Set(body.split('\n').flatMap((l) => /^(procspec_process_groups_[a-z_]+)/.exec(l)?.[1] ?? []));
    expect(families.has('procspec_process_groups_read_bytes_total')).toBe(true);
    expect(body).toContain('memtype="swap"');
    expect(families.has('procspec_process_groups_context_switches_total')).toBe(false);
    expect(families.has('procspec_process_groups_open_filedesc')).toBe(false);
  });
});
