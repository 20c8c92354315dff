/**
 * `procspec serve` against node_exporter 1.5 (Debian's
 * prometheus-node-exporter), in one run, side by side: each exporter is a
 * child process on a port of 127.0.0.1, scraped as Prometheus scrapes (its
 * Accept header, gzip, a kept-alive connection, one scrape after the
 * other). For each: CPU seconds per scrape of the exporter's process
 * (utime+stime of /proc/PID/stat, every thread, over BENCH_SCRAPES
 * scrapes), median latency (request sent to body read), body size (gzip
 * and plain), samples and families; the ratios procspec / node_exporter in
 * the same round; the CPU per scrape over each one's first scrapes (JIT
 * warm-up, before BENCH_WARM scrapes that precede the rounds); and the heap
 * of procspec serve over BENCH_LONG scrapes; then the CPU per scrape of each at Prometheus's pace
 * (BENCH_PACED_SCRAPES scrapes BENCH_PACED_GAP ms apart, idle time included).
 * Rounds run the exporters in turn, the order rotated, and the figures are
 * medians over rounds (the machine is shared: the load average is printed
 * with each round). Skipped, with a message, when node_exporter is not
 * installed. Writes the table to bench/last-run-exporter.md.
 *
 *   node --import tsx bench/exporter.ts   (dist/ built: npm run build)
 *   BENCH_ROUNDS=5 BENCH_SCRAPES=100 BENCH_WARM=2000 BENCH_LONG=10000 BENCH_PACED_SCRAPES=20 BENCH_PACED_GAP=15000
 *   PROCSPEC_DIR=/other/checkout
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { NODE_PROC, PROCSPEC_PROC } from './exporter-sets.js';
import { cpuSeconds, descendants, rssMiB, runSeconds } from './process-cpu.js';

const here = import.meta.dirname;
/** The procspec checkout whose dist/ is served (this one by default). */
const procspecDir = resolve(process.env.PROCSPEC_DIR ?? join(here, '..'));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const SCRAPES = Number(process.env.BENCH_SCRAPES ?? 100);
const LONG = Number(process.env.BENCH_LONG ?? 10_000);
/** Scrapes before the heap is judged flat (the JIT's code and type feedback grow until then). */
const WARM_HEAP = 1000;
/**
 * Scrapes of each exporter before the rounds: an exporter runs for days, so
 * the rounds measure it after V8's JIT has settled (procspec's CPU per
 * scrape falls for some 1,500 scrapes, about 6 hours at a 15 s interval);
 * the CPU of the first FIRST of them is reported on its own.
 */
const WARM = Number(process.env.BENCH_WARM ?? 2000);
const FIRST = Math.min(1000, WARM);
const NODE_EXPORTER = '/usr/bin/prometheus-node-exporter';
/**
 * Scrapes of each exporter at Prometheus's pace, BENCH_PACED_GAP ms apart (15 s, a common
 * scrape_interval), after the rounds: there the exporter idles between scrapes, and its CPU per
 * scrape is all its CPU over the span (idle-time work included) divided by the scrapes.
 */
const PACED = Number(process.env.BENCH_PACED_SCRAPES ?? 20);
const GAP = Number(process.env.BENCH_PACED_GAP ?? 15_000);

/** What Prometheus 2.x sends (scrape.go, scrapeAcceptHeader). */
const ACCEPT = 'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';

interface Contender {
  label: string;
  command: string;
  args: (port: number) => string[];
  procspec: boolean;
}

const serve = (extra: string[]) => (port: number) => [join(procspecDir, 'bin/procspec.js'), 'serve', '--web.listen-address', `127.0.0.1:${port}`, ...extra];
const nodeExporter = (extra: string[]) => (port: number) => [`--web.listen-address=127.0.0.1:${port}`, ...extra];

const CONTENDERS: Contender[] = [
  { label: 'procspec serve, default set', command: process.execPath, args: serve([]), procspec: true },
  {
    label: "procspec serve, node_exporter's /proc files",
    command: process.execPath,
    args: serve(['--collector.disable-defaults', ...PROCSPEC_PROC.map((c) => `--collector.${c}`)]),
    procspec: true,
  },
  {
    label: 'node_exporter 1.5, /proc collectors',
    command: NODE_EXPORTER,
    args: nodeExporter(['--collector.disable-defaults', ...NODE_PROC.map((c) => `--collector.${c}`)]),
    procspec: false,
  },
  { label: 'node_exporter 1.5, defaults', command: NODE_EXPORTER, args: nodeExporter(['--no-collector.systemd']), procspec: false },
  {
    // Naming the flags on node's command line keeps bin/procspec.js from starting serve again under its V8 flags.
    label: "procspec serve under V8's defaults, node_exporter's /proc files",
    command: process.execPath,
    args: (port) => ['--memory-reducer', '--flush-bytecode', ...serve(['--collector.disable-defaults', ...PROCSPEC_PROC.map((c) => `--collector.${c}`)])(port)],
    procspec: true,
  },
];

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

interface Got {
  status: number;
  body: Buffer;
  encoding: string | undefined;
  ms: number;
}

function scrape(agent: Agent, port: number, path = '/metrics'): Promise<Got> {
  return new Promise((res, rej) => {
    const t0 = process.hrtime.bigint();
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        agent,
        headers: { Accept: ACCEPT, 'Accept-Encoding': 'gzip', 'User-Agent': 'Prometheus/2.53.0', 'X-Prometheus-Scrape-Timeout-Seconds': '10' },
      },
      (r) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () =>
          res({
            status: r.statusCode ?? 0,
            body: Buffer.concat(chunks),
            encoding: r.headers['content-encoding'],
            ms: Number(process.hrtime.bigint() - t0) / 1e6,
          }),
        );
        r.on('error', rej);
      },
    );
    req.on('error', rej);
    req.end();
  });
}

interface Running {
  c: Contender;
  child: ChildProcess;
  port: number;
  agent: Agent;
}

let nextPort = 19_000 + (process.pid % 1000) * 10;

async function start(c: Contender): Promise<Running> {
  const port = nextPort++;
  const child = spawn(c.command, c.args(port), { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => {
    if (err.length < 4000) err += d.toString();
  });
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`${c.label} exited (${child.exitCode}): ${err}`);
    try {
      const g = await scrape(agent, port);
      if (g.status === 200) break;
    } catch {
      // not listening yet
    }
    if (i > 200) throw new Error(`${c.label} did not answer on port ${port}: ${err}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { c, child, port, agent };
}

function stop(r: Running): void {
  r.agent.destroy();
  r.child.kill('SIGTERM');
}

/** Samples and families of a body (text format or OpenMetrics). */
function count(text: string): { samples: number; families: number } {
  let samples = 0;
  let families = 0;
  for (const line of text.split('\n')) {
    if (line === '' || line === '# EOF') continue;
    if (line.startsWith('# TYPE ')) families++;
    else if (!line.startsWith('#')) samples++;
  }
  return { samples, families };
}

interface Round {
  cpuMs: number;
  latencyMs: number;
}

/** SCRAPES scrapes one after the other: CPU ms per scrape of the exporter, median latency. */
async function measure(r: Running): Promise<Round> {
  for (let i = 0; i < 10; i++) await scrape(r.agent, r.port);
  const pid = r.child.pid!;
  const cpu0 = cpuSeconds(pid);
  const lat: number[] = [];
  for (let i = 0; i < SCRAPES; i++) {
    const g = await scrape(r.agent, r.port);
    if (g.status !== 200) throw new Error(`${r.c.label}: HTTP ${g.status}`);
    lat.push(g.ms);
  }
  return { cpuMs: ((cpuSeconds(pid) - cpu0) * 1000) / SCRAPES, latencyMs: median(lat) };
}

const fmt = (x: number, d = 2): string => x.toFixed(d);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/**
 * PACED scrapes of each exporter GAP ms apart, all at once with their phases spread over the gap:
 * each one's CPU over PACED gaps (from its first scrape to a gap after its last) per scrape, and
 * its resident memory at the end.
 */
async function paced(rs: readonly Running[]): Promise<{ cpuMs: number; rss: number }[]> {
  return Promise.all(
    rs.map(async (r, i) => {
      await sleep((i * GAP) / rs.length);
      const pid = r.child.pid!;
      const cpu0 = runSeconds(pid);
      const t0 = Date.now();
      for (let k = 0; k < PACED; k++) {
        const g = await scrape(r.agent, r.port);
        if (g.status !== 200) throw new Error(`${r.c.label}: HTTP ${g.status}`);
        await sleep(t0 + (k + 1) * GAP - Date.now());
      }
      return { cpuMs: ((runSeconds(pid) - cpu0) * 1000) / PACED, rss: rssMiB(pid) };
    }),
  );
}

/** The least-squares slope of y over x. */
function slope(points: readonly (readonly [number, number])[]): number {
  const n = points.length;
  const mx = points.reduce((a, p) => a + p[0], 0) / n;
  const my = points.reduce((a, p) => a + p[1], 0) / n;
  let num = 0;
  let den = 0;
  for (const [x, y] of points) {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}
const la = (): string =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

async function main(): Promise<void> {
  if (!existsSync(NODE_EXPORTER)) {
    process.stdout.write(`bench/exporter.ts skipped: ${NODE_EXPORTER} is not installed (apt-get install prometheus-node-exporter)\n`);
    return;
  }
  // The module that checkout's bin loads (dist/bin/main.js, or dist/cli/main.js in a checkout from before the bundle):
  // without it the bin would run the sources through tsx, and the bench would time those.
  const entry = /import\('\.\.\/(dist\/[^']+)'\)/.exec(readFileSync(join(procspecDir, 'bin', 'procspec.js'), 'utf8'))?.[1] ?? 'dist/cli/main.js';
  if (!existsSync(join(procspecDir, entry))) throw new Error(`${procspecDir}/${entry} is not built (npm run build there)`);
  const version = execFileSync(NODE_EXPORTER, ['--version'], { encoding: 'utf8' }).split('\n')[0]!;
  const out: string[] = [];
  const say = (line: string) => {
    out.push(line);
    process.stdout.write(`${line}\n`);
  };
  say('# procspec serve against node_exporter');
  say('');
  say(`${new Date().toISOString()}, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), Node.js ${process.version}, ${version}.`);
  say(`procspec: ${procspecDir}. ${ROUNDS} rounds of ${SCRAPES} scrapes per exporter, the order rotated; medians over rounds.`);
  say('');
  const running: Running[] = [];
  try {
    for (const c of CONTENDERS) running.push(await start(c));
    // Warm up: a JIT compiles procspec's hot functions over the first scrapes; the CPU of the first FIRST is kept.
    const firstMs: number[] = [];
    for (const r of running) {
      const cpu0 = cpuSeconds(r.child.pid!);
      for (let i = 0; i < WARM; i++) {
        await scrape(r.agent, r.port);
        if (i + 1 === FIRST) firstMs.push(((cpuSeconds(r.child.pid!) - cpu0) * 1000) / FIRST);
      }
    }
    // What each serves: one scrape, as Prometheus reads it.
    const shape = [];
    const bodies: Buffer[] = [];
    for (const r of running) {
      const g = await scrape(r.agent, r.port);
      const plain = g.encoding === 'gzip' ? gunzipSync(g.body) : g.body;
      bodies.push(g.body);
      shape.push({ gzip: g.encoding === 'gzip' ? g.body.length : Number.NaN, plain: plain.length, ...count(plain.toString('utf8')) });
    }
    const rounds: Round[][] = running.map(() => []);
    const loads: string[] = [];
    for (let k = 0; k < ROUNDS; k++) {
      loads.push(la());
      const order = running.map((_r, i) => (i + k) % running.length);
      for (const i of order) rounds[i]!.push(await measure(running[i]!));
      process.stderr.write(
        `round ${k + 1}/${ROUNDS} (load ${loads[k]}): ${rounds.map((r, i) => `${running[i]!.c.label.split(',')[0]} ${fmt(r[k]!.cpuMs)}`).join(', ')} ms CPU/scrape\n`,
      );
    }
    say(
      `Each exporter was scraped ${WARM} times before the rounds; the last column is its CPU per scrape over the first ${FIRST} of them (the JIT's warm-up included).`,
    );
    say('');
    say(
      `| exporter | CPU ms / scrape | min-max over rounds | median latency ms | body KB (gzip) | families | samples | CPU µs / sample | first ${FIRST} scrapes, CPU ms / scrape |`,
    );
    say('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (let i = 0; i < running.length; i++) {
      const cpu = rounds[i]!.map((r) => r.cpuMs);
      const s = shape[i]!;
      say(
        `| ${running[i]!.c.label} | ${fmt(median(cpu))} | ${fmt(Math.min(...cpu))}-${fmt(Math.max(...cpu))} | ${fmt(median(rounds[i]!.map((r) => r.latencyMs)))} | ${fmt(s.plain / 1024, 0)} (${fmt(s.gzip / 1024, 1)}) | ${s.families} | ${s.samples} | ${fmt((median(cpu) * 1000) / s.samples, 1)} | ${fmt(firstMs[i]!)} |`,
      );
    }
    say('');
    say(`Load average (1, 5, 15 min) at the start of each round: ${loads.join('; ')}.`);
    say('');
    say('Ratios, procspec / node_exporter, CPU per scrape, median of the per-round ratios:');
    say('');
    const ratio = (a: number, b: number) => fmt(median(rounds[a]!.map((r, k) => r.cpuMs / rounds[b]![k]!.cpuMs)));
    say(`- ${running[1]!.c.label} / ${running[2]!.c.label}: ${ratio(1, 2)}`);
    say(`- ${running[0]!.c.label} / ${running[3]!.c.label}: ${ratio(0, 3)}`);
    say(`- ${running[0]!.c.label} / ${running[2]!.c.label}: ${ratio(0, 2)}`);
    say('');
    if (PACED > 0) {
      // The floor of any exporter run by node: node's HTTP server sending procspec's gzip answer of node_exporter's
      // /proc files, held as one Buffer (no collection, no printing), scraped at the same pace.
      const bodyFile = join(mkdtempSync(join(tmpdir(), 'procspec-bench-')), 'body.gz');
      writeFileSync(bodyFile, bodies[1]!);
      const fixed = `const body = require('fs').readFileSync(${JSON.stringify(bodyFile)}); require('http').createServer({ keepAliveTimeout: 65000 }, (q, s) => { s.writeHead(200, { 'Content-Type': 'application/openmetrics-text; version=1.0.0; charset=utf-8', 'Content-Encoding': 'gzip' }); s.end(body); }).listen(Number(process.argv[1]), '127.0.0.1');`;
      const floor = await start({
        label: "node's HTTP server sending that answer as a fixed body (node_exporter's /proc files, gzip)",
        command: process.execPath,
        args: (port) => [
          '--no-memory-reducer',
          '--no-flush-bytecode',
          '--heap-growing-percent=50',
          '--min-semi-space-size=16',
          '--max-semi-space-size=16',
          '-e',
          fixed,
          String(port),
        ],
        procspec: false,
      });
      for (let i = 0; i < WARM; i++) await scrape(floor.agent, floor.port);
      running.push(floor);
      const t0 = Date.now();
      const at = await paced(running);
      say(
        `At Prometheus's pace: ${PACED} scrapes of each exporter ${GAP / 1000} s apart, all exporters at once with their phases spread over the gap (${((Date.now() - t0) / 1000).toFixed(0)} s). CPU per scrape is all the CPU the exporter's processes used over the ${PACED} gaps, idle time included (every thread's run time from schedstat, to the nanosecond), divided by ${PACED}; resident memory at the end, the processes under it included.`,
      );
      say('');
      say('| exporter | CPU ms / scrape | resident MiB |');
      say('|---|---:|---:|');
      for (let i = 0; i < running.length; i++) say(`| ${running[i]!.c.label} | ${fmt(at[i]!.cpuMs)} | ${fmt(at[i]!.rss, 0)} |`);
      say('');
      const r = (a: number, b: number) => fmt(at[a]!.cpuMs / at[b]!.cpuMs);
      say(
        `Ratios at that pace: ${running[1]!.c.label} / ${running[2]!.c.label}: ${r(1, 2)}; ${running[0]!.c.label} / ${running[3]!.c.label}: ${r(0, 3)}; ${running[4]!.c.label} / ${running[2]!.c.label}: ${r(4, 2)}; the fixed body / ${running[2]!.c.label}: ${r(5, 2)}.`,
      );
      say('');
    }
    if (LONG > 0) {
      // A fresh procspec serve (default set) that prints its memory, after a full GC, on SIGUSR2.
      const probe = `process.on('SIGUSR2', () => { globalThis.gc(); process.stderr.write('MEM ' + JSON.stringify(process.memoryUsage()) + '\\n'); });`;
      const c = CONTENDERS[0]!;
      const r = await start({ ...c, args: (port) => ['--expose-gc', '--import', `data:text/javascript,${encodeURIComponent(probe)}`, ...c.args(port)] });
      running.push(r);
      const memory = async (): Promise<{ rss: number; heapUsed: number }> => {
        const seen = new Promise<string>((res) => {
          let text = '';
          const on = (d: Buffer) => {
            text += d.toString();
            const m = /MEM (\{.*\})\n/.exec(text);
            if (m) {
              r.child.stderr!.off('data', on);
              res(m[1]!);
            }
          };
          r.child.stderr!.on('data', on);
        });
        // The probe is loaded by every node of the tree (bin/procspec.js passes its node flags on): signal the one that serves.
        process.kill(descendants(r.child.pid!).at(-1) ?? r.child.pid!, 'SIGUSR2');
        return JSON.parse(await seen) as { rss: number; heapUsed: number };
      };
      // The heap after a full GC every tenth of the run: the first samples take in the JIT's warm-up (code and
      // type feedback), so flatness is judged on the samples after WARM_HEAP scrapes, by their spread and slope.
      for (let i = 0; i < 100; i++) await scrape(r.agent, r.port);
      const step = Math.max(1, Math.round(LONG / 10));
      const points: { n: number; heapUsed: number; rss: number }[] = [];
      const t0 = Date.now();
      for (let n = 0; ; n += step) {
        const m = await memory();
        points.push({ n, heapUsed: m.heapUsed, rss: m.rss });
        if (n >= LONG) break;
        for (let i = 0; i < step; i++) await scrape(r.agent, r.port);
      }
      const mib = (x: number) => fmt(x / 2 ** 20, 1);
      const warm = points.filter((p) => p.n >= WARM_HEAP);
      const heaps = warm.map((p) => p.heapUsed);
      say(
        `${c.label}, ${LONG} scrapes after 100 (${((Date.now() - t0) / 1000).toFixed(0)} s), heap used after a full GC every ${step} scrapes (MiB): ${points.map((p) => mib(p.heapUsed)).join(', ')}; RSS ${mib(points[0]!.rss)} MiB at the start, ${mib(points.at(-1)!.rss)} MiB at the end.`,
      );
      if (warm.length >= 3) {
        say(
          `After the first ${WARM_HEAP} scrapes (JIT warm-up): heap ${mib(Math.min(...heaps))}-${mib(Math.max(...heaps))} MiB over ${warm.length} samples, least-squares slope ${fmt(slope(warm.map((p) => [p.n / 1000, p.heapUsed / 1024])), 1)} KiB per 1,000 scrapes.`,
        );
      }
    }
  } finally {
    for (const r of running) stop(r);
  }
  writeFileSync(join(here, 'last-run-exporter.md'), `${out.join('\n')}\n`);
}

await main();
