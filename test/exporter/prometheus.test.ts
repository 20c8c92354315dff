/**
 * A real Prometheus (Debian's package; .ci/run installs it) scrapes
 * `procspec serve` every 3 seconds: after two scrapes its HTTP API says the
 * target is up, that the scrape negotiated OpenMetrics (the metadata has
 * `# UNIT`s and counter families named without `_total`), that no sample was
 * refused, and that rate() over a procspec counter has a value.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { prometheusInstalled as installed, prometheusMissing, startPrometheus } from './prometheus-support.js';
import { get, startServe } from './support.js';

/** What Prometheus's own metrics count of samples it refused. */
const REFUSED = [
  'prometheus_target_scrapes_sample_out_of_order_total',
  'prometheus_target_scrapes_sample_duplicate_timestamp_total',
  'prometheus_target_scrapes_sample_out_of_bounds_total',
  'prometheus_target_scrapes_exceeded_sample_limit_total',
  'prometheus_target_scrapes_exceeded_body_size_limit_total',
  'prometheus_target_scrape_pool_exceeded_label_limits_total',
];

describe.skipIf(!installed)(`a real Prometheus scrapes procspec serve${prometheusMissing}`, () => {
  const cleanup: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    for (const f of cleanup.reverse()) await f();
  });

  it('up, OpenMetrics negotiated, no sample refused, rate() of a counter', async () => {
    const serve = await startServe([]);
    cleanup.push(serve.stop);
    const target = new URL(serve.url).host;
    const dir = mkdtempSync(join(tmpdir(), 'procspec-prometheus-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const prom = await startPrometheus(`  - job_name: procspec\n    static_configs:\n      - targets: ['${target}']\n`, dir, () =>
      serve.child.exitCode !== null ? `procspec serve exited (${serve.child.exitCode})` : undefined,
    );
    cleanup.push(prom.stop);
    const { api, json, vector } = prom;
    await prom.scraped(['procspec']);

    const up = await vector('up{job="procspec"}');
    expect(
      up.map((v) => v.value[1]),
      prom.log(),
    ).toEqual(['1']);
    const targets = (await json('/api/v1/targets')).data as { activeTargets: { health: string; lastError: string }[] };
    expect(targets.activeTargets.map((t) => [t.health, t.lastError])).toEqual([['up', '']]);

    // OpenMetrics: the families have units, and a counter's family is named without _total.
    const metadata = async (metric: string) =>
      (await json(`/api/v1/targets/metadata?match_target=${encodeURIComponent('{job="procspec"}')}&metric=${metric}`)).data as {
        type: string;
        unit: string;
      }[];
    expect((await metadata('procspec_meminfo_mem_total_bytes')).map((m) => [m.type, m.unit])).toEqual([['gauge', 'bytes']]);
    expect((await metadata('procspec_stat_cpu_user_seconds')).map((m) => [m.type, m.unit])).toEqual([['counter', 'seconds']]);
    expect(await metadata('procspec_stat_ctxt_total')).toEqual([]);

    // Every sample served was taken: as many scraped as kept, about as many as the exporter serves, none refused.
    const scraped = Number((await vector('scrape_samples_scraped{job="procspec"}'))[0]!.value[1]);
    const kept = Number((await vector('scrape_samples_post_metric_relabeling{job="procspec"}'))[0]!.value[1]);
    const served = (await get(serve.url)).body
      .toString()
      .split('\n')
      .filter((l) => l !== '' && !l.startsWith('#')).length;
    expect(kept).toBe(scraped);
    expect(Math.abs(scraped - served)).toBeLessThanOrEqual(Math.max(10, served * 0.02));
    const own = (await get(`${api}/metrics`)).body.toString();
    for (const name of REFUSED) {
      const line = own.split('\n').find((l) => l.startsWith(`${name} `));
      expect(line, `${name} in Prometheus's own metrics`).toBeDefined();
      expect(line).toBe(`${name} 0`);
    }

    // A counter as Prometheus reads it: a rate over the scrapes so far.
    const rate = await vector('rate(procspec_stat_ctxt_total[1m])');
    expect(rate).toHaveLength(1);
    expect(Number(rate[0]!.value[1])).toBeGreaterThan(0);
    const cpu = await vector('sum(rate(procspec_stat_cpus_user_seconds_total[1m]))');
    expect(Number.isFinite(Number(cpu[0]!.value[1]))).toBe(true);
  });
});
