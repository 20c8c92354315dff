/**
 * Process groups: `procspec serve --collector.process_groups.config` against
 * process-exporter 0.7.10 (Debian's prometheus-process-exporter: `apt-get
 * install prometheus-process-exporter`) with the same config, side by side
 * in one run, at the machine's own processes and with 2,000 idle processes
 * started for the run (bench/c/idle-procs.c, ended afterwards). Each
 * exporter is scraped the same way, one scrape after another as
 * Prometheus 2.42 asks (OpenMetrics first in Accept, gzip), in rounds of
 * 100 that alternate between the exporters (3 rounds, 1 at 2,000 processes: BENCH_GROUPS_ROUNDS,
 * BENCH_GROUPS_ROUNDS_LARGE); reported are the medians over
 * the rounds of: CPU per scrape of the exporter's processes (procspec
 * serve's child under its V8 flags included: every thread's run time from
 * schedstat, over the round's scrapes), the median
 * latency, the body (uncompressed) and its samples. process-exporter runs
 * twice: as installed (its defaults read threads and smaps_rollup too) and
 * with -threads=false -gather-smaps=false -children=false, closer to what
 * procspec reads (it still reads limits and lists fd). procspec runs three
 * times: with every metric, without those of status, with stat's only. Needs dist/ (npm run build) and cc; skips process-exporter
 * with a message when it is not installed. Writes bench/last-run-exporter-groups.md.
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { runSeconds } from './process-cpu.js';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..');
const PE = 'prometheus-process-exporter';
/** Rounds at the machine's own processes and at 2,000 more (where process-exporter takes seconds a scrape). */
const ROUNDS = Number(process.env.BENCH_GROUPS_ROUNDS ?? 3);
const ROUNDS_LARGE = Number(process.env.BENCH_GROUPS_ROUNDS_LARGE ?? 1);
const SCRAPES = 100;
const WARMUP = 10;
const ACCEPT = 'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';

const tmp = mkdtempSync(join(os.tmpdir(), 'procspec-bench-groups-'));
const CONFIG = join(tmp, 'groups.yaml');
// The idle processes in one group, every other process in a group per comm: a config as process-exporter's README suggests.
writeFileSync(CONFIG, `process_names:\n  - name: idle\n    comm: [idle-procs]\n  - name: "{{.Comm}}"\n    cmdline: ['.+']\n`);

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

function get(url: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { Accept: ACCEPT, 'Accept-Encoding': 'gzip' }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        if (res.statusCode !== 200) reject(new Error(`${url}: ${res.statusCode} ${body.toString().slice(0, 200)}`));
        else resolve(res.headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body);
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

interface Exporter {
  name: string;
  child: ChildProcess;
  url: string;
}

async function start(name: string, cmd: string, args: string[], port: number): Promise<Exporter> {
  const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const url = `http://127.0.0.1:${port}/metrics`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`${name} exited: ${err}`);
    try {
      await get(url);
      break;
    } catch {
      if (i > 200) throw new Error(`${name} does not answer on ${url}: ${err}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return { name, child, url };
}

interface Round {
  cpuMs: number;
  latencyMs: number;
  bytes: number;
  samples: number;
}

async function round(e: Exporter): Promise<Round> {
  const pid = e.child.pid!;
  const latencies: number[] = [];
  let body: Buffer = Buffer.alloc(0);
  const before = runSeconds(pid);
  for (let i = 0; i < SCRAPES; i++) {
    const t0 = process.hrtime.bigint();
    body = await get(e.url);
    latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  const cpuMs = ((runSeconds(pid) - before) * 1000) / SCRAPES;
  const text = body.toString();
  const samples = text.split('\n').filter((l) => l !== '' && !l.startsWith('#')).length;
  return { cpuMs, latencyMs: median(latencies), bytes: body.length, samples };
}

function build(name: string): string | undefined {
  if (spawnSync('cc', ['--version']).status !== 0) return undefined;
  const out = join(tmp, name);
  execFileSync('cc', ['-O2', '-o', out, join(here, 'c', `${name}.c`)]);
  return out;
}

async function startIdle(cmd: string, n: number): Promise<ChildProcess> {
  const child = spawn(cmd, [String(n)], { stdio: ['pipe', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`idle-procs exited with ${code}`)));
  });
  return child;
}

async function scale(label: string, idle: number, idleCmd: string | undefined, havePe: boolean, rounds: number): Promise<string[]> {
  const helper = idle > 0 && idleCmd !== undefined ? await startIdle(idleCmd, idle) : undefined;
  const exporters: Exporter[] = [];
  try {
    const p1 = await freePort();
    exporters.push(
      await start(
        'procspec serve',
        process.execPath,
        [
          join(repo, 'bin', 'procspec.js'),
          'serve',
          '--web.listen-address',
          `127.0.0.1:${p1}`,
          '--collector.disable-defaults',
          '--collector.process_groups.config',
          CONFIG,
        ],
        p1,
      ),
    );
    // procspec again without the metrics of status (swap, context switches), and with stat's alone.
    for (const [what, metrics] of [
      ['without status (--collector.process_groups.metrics=io,fds)', 'io,fds'],
      ["stat's metrics only (--collector.process_groups.metrics=)", ''],
    ] as const) {
      const port = await freePort();
      exporters.push(
        await start(
          `procspec serve, ${what}`,
          process.execPath,
          [
            join(repo, 'bin', 'procspec.js'),
            'serve',
            '--web.listen-address',
            `127.0.0.1:${port}`,
            '--collector.disable-defaults',
            '--collector.process_groups.config',
            CONFIG,
            `--collector.process_groups.metrics=${metrics}`,
          ],
          port,
        ),
      );
    }
    if (havePe) {
      const p2 = await freePort();
      exporters.push(await start('process-exporter 0.7.10, defaults', PE, ['-config.path', CONFIG, '-web.listen-address', `127.0.0.1:${p2}`], p2));
      const p3 = await freePort();
      exporters.push(
        await start(
          'process-exporter 0.7.10, -threads=false -gather-smaps=false -children=false',
          PE,
          ['-config.path', CONFIG, '-web.listen-address', `127.0.0.1:${p3}`, '-threads=false', '-gather-smaps=false', '-children=false'],
          p3,
        ),
      );
    }
    for (const e of exporters) for (let i = 0; i < WARMUP; i++) await get(e.url);
    const got: Round[][] = exporters.map(() => []);
    for (let r = 0; r < rounds; r++) {
      const order = exporters.map((_e, i) => i);
      if (r % 2) order.reverse();
      for (const i of order) got[i]!.push(await round(exporters[i]!));
    }
    const procs = readFileSync('/proc/loadavg', 'utf8').split(' ')[3];
    const rows = exporters.map((e, i) => {
      const g = got[i]!;
      const cpu = median(g.map((x) => x.cpuMs));
      const ratio = i === 0 ? '1' : `${(cpu / median(got[0]!.map((x) => x.cpuMs))).toFixed(1)}x`;
      return `| ${label} | ${e.name} | ${cpu.toFixed(2)} ms | ${ratio} | ${median(g.map((x) => x.latencyMs)).toFixed(2)} ms | ${(median(g.map((x) => x.bytes)) / 1024).toFixed(1)} KB | ${median(g.map((x) => x.samples))} |`;
    });
    console.log(`${label}: tasks runnable/total ${procs}`);
    for (const row of rows) console.log(row);
    return rows;
  } finally {
    for (const e of exporters) e.child.kill('SIGTERM');
    if (helper) {
      helper.stdin!.end();
      await new Promise((r) => helper.once('exit', r));
    }
  }
}

async function main(): Promise<void> {
  const havePe = spawnSync(PE, ['--version']).status === 0;
  if (!havePe) console.log(`${PE} is not installed (apt-get install prometheus-process-exporter): measuring procspec serve alone`);
  const idle = build('idle-procs');
  if (idle === undefined) console.log('no C compiler (cc): the 2,000-process scale is skipped');
  const load = () =>
    os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' ');
  const loadBefore = load();
  const own = Number(execFileSync('sh', ['-c', 'ls -d /proc/[0-9]* | wc -l'], { encoding: 'utf8' }).trim());
  const rows = [...(await scale(`${own} (this machine)`, 0, idle, havePe, ROUNDS))];
  if (idle !== undefined) rows.push(...(await scale(`${own + 2001} (2,000 idle)`, 2000, idle, havePe, ROUNDS_LARGE)));
  const text = `# Process groups against process-exporter, last run

${new Date().toISOString()}: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'CPU'}, Linux ${os.release()}, Node ${process.version};
load average ${loadBefore} before the run, ${load()} after (the machine is shared). Config: the idle
processes in one group by comm, every other process in a group per comm (cmdline: ['.+'], name
"{{.Comm}}"). Each exporter scraped ${SCRAPES} times a round, one scrape after another, as Prometheus asks
(OpenMetrics first, gzip); ${ROUNDS} rounds (${ROUNDS_LARGE} with 2,000 idle processes) alternating between exporters;
medians over the rounds. CPU: every thread's run time (schedstat) of the exporter's processes (procspec
serve's child under its V8 flags included) over the round, per scrape; ratio: its CPU to procspec's.

| processes | exporter | CPU per scrape | CPU ratio | median latency | body | samples |
|---|---|---|---|---|---|---|
${rows.join('\n')}
`;
  writeFileSync(join(here, 'last-run-exporter-groups.md'), text);
  console.log(text);
}

try {
  await main();
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
