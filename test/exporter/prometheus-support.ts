/** A real Prometheus for the exporter's tests (Debian's package, 2.42; .ci/run installs it), started on a free port of 127.0.0.1. */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { get } from './support.js';

/** Whether the prometheus command is here. */
export const prometheusInstalled = spawnSync('prometheus', ['--version']).status === 0;

/** The reason a test of a real Prometheus is skipped, for its title. */
export const prometheusMissing = prometheusInstalled ? '' : ' (skipped: the prometheus command is not installed; apt-get install prometheus)';

/** A port of 127.0.0.1 free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/**
 * Polls `check` after each short pause until it gives a value (waiting for
 * work: the test's own time limit ends a hung run); throws what `dead` says
 * when a process it waits on has ended.
 */
export async function until<T>(check: () => Promise<T | undefined>, dead: () => string | undefined, pauseMs = 200): Promise<T> {
  for (;;) {
    const why = dead();
    if (why !== undefined) throw new Error(why);
    const v = await check().catch(() => undefined);
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, pauseMs));
  }
}

/** One series of an instant query's answer. */
export interface Vector {
  metric: Record<string, string>;
  value: [number, string];
}

export interface Prometheus {
  /** `http://127.0.0.1:port` of its HTTP API. */
  readonly api: string;
  /** What it printed on stderr so far. */
  log(): string;
  /** Why it or a process the test gave (`watched`) ended, if one did. */
  dead(): string | undefined;
  /** A GET of its API as JSON; throws on another status than 200. */
  json(path: string): Promise<{ status: string; data: unknown }>;
  /** An instant query's vector. */
  vector(query: string): Promise<Vector[]>;
  /** Waits until every job of `jobs` has been scraped `n` times. */
  scraped(jobs: readonly string[], n?: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A Prometheus with `scrapeConfigs` (the YAML list under `scrape_configs:`),
 * scraping every 3 s with a 3 s timeout (a busy machine misses shorter
 * ones), its config and data in `dir`, once it is ready. `watched` says why
 * a process the test waits on ended, if it did.
 */
export async function startPrometheus(scrapeConfigs: string, dir: string, watched: () => string | undefined = () => undefined): Promise<Prometheus> {
  writeFileSync(join(dir, 'prometheus.yml'), `global:\n  scrape_interval: 3s\n  scrape_timeout: 3s\nscrape_configs:\n${scrapeConfigs}`);
  const port = await freePort();
  const prom: ChildProcess = spawn(
    'prometheus',
    [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  prom.stderr!.on('data', (d: Buffer) => {
    log += d.toString();
  });
  const api = `http://127.0.0.1:${port}`;
  const dead = () => (prom.exitCode !== null ? `prometheus exited (${prom.exitCode}): ${log}` : watched());
  const stop = async (): Promise<void> => {
    if (prom.exitCode !== null || prom.signalCode !== null) return;
    const exited = new Promise((r) => prom.once('exit', r));
    prom.kill('SIGTERM');
    await exited;
  };
  const json = async (path: string): Promise<{ status: string; data: unknown }> => {
    const r = await get(api + path);
    if (r.status !== 200) throw new Error(`${path}: ${r.status} ${r.body.toString()}`);
    return JSON.parse(r.body.toString()) as { status: string; data: unknown };
  };
  const vector = async (q: string): Promise<Vector[]> => ((await json(`/api/v1/query?query=${encodeURIComponent(q)}`)).data as { result: Vector[] }).result;
  const scraped = async (jobs: readonly string[], n = 2): Promise<void> => {
    await until(async () => {
      const r = await vector('count_over_time(up[5m])');
      return jobs.every((j) => r.some((v) => v.metric.job === j && Number(v.value[1]) >= n)) ? true : undefined;
    }, dead);
  };
  try {
    await until(async () => ((await get(`${api}/-/ready`)).status === 200 ? true : undefined), dead);
  } catch (err) {
    await stop();
    throw err;
  }
  return { api, log: () => log, dead, json, vector, scraped, stop };
}
