/**
 * This build of procspec against another one, in the same run:
 * `BENCH_BASELINE=/path/to/other/checkout npm run bench` (bench/run.sh runs
 * this after the other benchmarks), or alone:
 * `BENCH_BASELINE=... node --expose-gc --import tsx bench/against-build.ts`
 * (this checkout's dist/ built first, as bench/run.sh does).
 *
 * Each build is imported through its two public entry files only,
 * <dir>/dist/runtime/index.js (ProcFs) and <dir>/dist/generated/index.js
 * (registry): module paths inside differ between builds. The baseline's
 * dist/, prebuilds/ and package.json are also copied into a temporary
 * folder and imported a second time, as a third contender: the copy against
 * the baseline (A/A) shows how far two identical builds drift apart on this
 * machine, the noise the figures of this build are to be read against.
 *
 * Every figure runs the three in rounds, in the six orders in turn (012,
 * 120, 201, 210, 102, 021: over six rounds each build runs twice in each
 * place and before each other build three times, and no build runs twice in
 * a row across rounds). A round runs each for a batch of calls sized to
 * take about the same time; what is reported is the median time per call,
 * and the medians over rounds of (this build / baseline) and (copy /
 * baseline) in the same round, in wall-clock and in CPU time.
 * Prints a markdown report and writes it to bench/last-run-against.md.
 * BENCH_ROUNDS sets the rounds of every figure (default 24 for parse and
 * read, 12 for the process table; a multiple of 6 keeps the orders even).
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

// ---------------------------------------------------------------------------
// The builds, through their public entry files

/** What the benchmark uses of a build's ProcFs (the API both sides of issue #22 share). */
interface Fs {
  context(file: string): unknown;
  read(id: string, params?: Record<string, number>): unknown;
  readAsync(id: string, params?: Record<string, number>): Promise<unknown>;
  processes(opts: { groups: string[]; threads?: number }): { rows: unknown[] };
  processesAsync(opts: { groups: string[] }): Promise<{ rows: unknown[] }>;
  monitor(opts: { groups: string[]; maxOpenFiles?: number }): Monitor;
}

interface Monitor {
  sample(): unknown;
  sampleAsync(): Promise<unknown>;
  close(): void;
  readonly budget?: number;
}

interface Entry {
  id: string;
  parse: (text: Uint8Array, ctx?: unknown) => unknown;
}

interface Build {
  label: string;
  dir: string;
  fs: Fs;
  entries: Map<string, Entry>;
}

const here = import.meta.dirname;
const thisDir = resolve(here, '..');

async function load(label: string, dir: string): Promise<Build> {
  const runtime = join(dir, 'dist/runtime/index.js');
  const generated = join(dir, 'dist/generated/index.js');
  for (const f of [runtime, generated])
    if (!existsSync(f)) throw new Error(`${f} is missing: build that checkout first (npx tsc -p tsconfig.build.json in ${dir})`);
  const { ProcFs } = (await import(pathToFileURL(runtime).href)) as { ProcFs: new () => Fs };
  const { registry } = (await import(pathToFileURL(generated).href)) as { registry: Entry[] };
  return { label, dir, fs: new ProcFs(), entries: new Map(registry.map((e) => [e.id, e])) };
}

/** A copy of a build's dist/, prebuilds/ and package.json (its "type": "module") in a temporary folder, removed at exit. */
function copyOf(dir: string): string {
  const copy = mkdtempSync(join(os.tmpdir(), 'procspec-baseline-copy-'));
  process.on('exit', () => rmSync(copy, { recursive: true, force: true }));
  cpSync(join(dir, 'dist'), join(copy, 'dist'), { recursive: true });
  if (existsSync(join(dir, 'prebuilds'))) cpSync(join(dir, 'prebuilds'), join(copy, 'prebuilds'), { recursive: true });
  copyFileSync(join(dir, 'package.json'), join(copy, 'package.json'));
  return copy;
}

const git = (dir: string, args: string[]): string | undefined => {
  try {
    return execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
};

/** Which checkout a build is: git describe and commit, and when its dist/ was built (a dist/ older than the commit may not be that commit's code). */
function describe(dir: string): string {
  const built = statSync(join(dir, 'dist/runtime/index.js')).mtime;
  const commit = git(dir, ['rev-parse', 'HEAD']);
  if (commit === undefined) return `${dir} (not a git checkout), dist/ built ${built.toISOString()}`;
  const committed = new Date(git(dir, ['log', '-1', '--format=%cI']) ?? 0);
  const stale = committed > built ? ' (older than the commit: rebuild it?)' : '';
  return `${dir}: ${git(dir, ['describe', '--always', '--dirty', '--tags'])}, commit ${commit}, dist/ built ${built.toISOString()}${stale}`;
}

/** The native modules (.node files) mapped into this process from under `dir`: each build should load its own. */
function nativeOf(dir: string): string {
  const names = new Set<string>();
  for (const line of readFileSync('/proc/self/maps', 'latin1').split('\n')) {
    const path = line.slice(line.indexOf('/'));
    if (line.includes('/') && path.startsWith(`${dir}/`) && path.endsWith('.node')) names.add(path.slice(dir.length + 1));
  }
  return names.size > 0 ? [...names].sort().join(', ') : 'none (node:fs readers)';
}

// ---------------------------------------------------------------------------
// Interleaved rounds

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** One build's side of a figure: a call, sync or async. */
type Call = { sync: () => unknown } | { async: () => Promise<unknown> };

let sink: unknown;

/** Per call over a batch: wall-clock nanoseconds, and CPU nanoseconds of the whole process (every thread: the helper readers, libuv's pool, the collector's). */
interface Cost {
  wall: number;
  cpu: number;
}

/**
 * Runs a batch and measures it. The last value is dropped when the batch
 * ends: kept alive into the next build's batch and through the collection
 * before the next figure, the values of the build that ran last before the
 * rounds (the copy) outlived their parse where the others' did not, and its
 * pid/maps parse then took 1.4-1.6x the CPU time of the same code in the
 * baseline for the whole figure (V8 pretenuring its allocation sites, most
 * likely).
 */
async function batch(c: Call, calls: number): Promise<Cost> {
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  if ('sync' in c) for (let i = 0; i < calls; i++) sink = c.sync();
  else for (let i = 0; i < calls; i++) sink = await c.async();
  const wall = Number(process.hrtime.bigint() - t0) / calls;
  const cpu = process.cpuUsage(cpu0);
  sink = undefined;
  return { wall, cpu: ((cpu.user + cpu.system) * 1000) / calls };
}

/**
 * Batches of 1, 2, 4, ... calls until `maxCalls` calls or `maxMs` have
 * passed; the wall-clock nanoseconds per call of the quickest batch (on a
 * busy machine the others include time this process waited for a core).
 */
async function warm(c: Call, maxCalls: number, maxMs: number): Promise<number> {
  let calls = 0;
  let quickest = Number.POSITIVE_INFINITY;
  const t0 = process.hrtime.bigint();
  for (let n = 1; calls < maxCalls && Number(process.hrtime.bigint() - t0) < maxMs * 1e6; n = Math.min(2 * n, maxCalls - calls)) {
    quickest = Math.min(quickest, (await batch(c, n)).wall);
    calls += n;
  }
  return quickest;
}

/** A turn of the event loop before each batch: what was scheduled during one build's batch runs there, not inside the next build's. */
const turn = (): Promise<void> => new Promise((r) => setImmediate(r));
const gc = (globalThis as { gc?: () => void }).gc;

interface Result {
  /** Median wall-clock ns per call of each build (this, baseline, copy). */
  ns: number[];
  /** Medians over rounds of this / baseline and copy / baseline, wall-clock time. */
  ratio: number;
  aa: number;
  /** The same in CPU time. */
  cpuRatio: number;
  cpuAa: number;
  calls: number;
  rounds: number;
}

/**
 * The orders of the rounds, in turn: each build in each place as often, and
 * none twice in a row across rounds. (Reversing one order each round, 012
 * then 210, would keep the baseline in the middle and run the others twice
 * in a row, 2|2 and 0|0.)
 */
const ORDERS = [
  [0, 1, 2],
  [1, 2, 0],
  [2, 0, 1],
  [2, 1, 0],
  [1, 0, 2],
  [0, 2, 1],
];

/** Runs the three builds' calls (this, baseline, copy) in interleaved rounds. */
async function interleave(calls: Call[], rounds: number, targetMs: number, minCalls: number): Promise<Result> {
  gc?.();
  // Twice: a warm-up (the JIT, the caches and descriptors of the first reads), then the estimate that sizes the batches.
  for (const c of calls) await warm(c, 200, 200);
  let slowest = 0;
  for (const c of calls) slowest = Math.max(slowest, await warm(c, 200, 200));
  const perRound = Math.max(minCalls, Math.round((targetMs * 1e6) / Math.max(slowest, 1)));
  const costs: Cost[][] = calls.map(() => []);
  for (let r = 0; r < rounds; r++) {
    const order = ORDERS[r % ORDERS.length]!;
    for (const i of order) {
      await turn();
      costs[i]!.push(await batch(calls[i]!, perRound));
    }
  }
  const over = (i: number, k: keyof Cost): number => median(costs[i]!.map((x, r) => x[k] / costs[1]![r]![k]));
  void sink;
  return {
    ns: costs.map((c) => median(c.map((x) => x.wall))),
    ratio: over(0, 'wall'),
    aa: over(2, 'wall'),
    cpuRatio: over(0, 'cpu'),
    cpuAa: over(2, 'cpu'),
    calls: perRound,
    rounds,
  };
}

// ---------------------------------------------------------------------------
// The figures

const ROUNDS = process.env.BENCH_ROUNDS === undefined ? undefined : Number(process.env.BENCH_ROUNDS);
if (ROUNDS !== undefined && !(Number.isInteger(ROUNDS) && ROUNDS > 0))
  throw new Error(`BENCH_ROUNDS=${process.env.BENCH_ROUNDS}: a whole number of rounds, 1 or more`);
const FILE_ROUNDS = ROUNDS ?? 24;
const TABLE_ROUNDS = ROUNDS ?? 12;
const self = `/proc/${process.pid}`;
const PS_GROUPS = ['base', 'cpu', 'memory', 'cmdline'];

/** Parse only: the files bench/parsers.ts times, and more, each parsed from the same bytes (read once) by the three builds. */
const PARSED = [
  'meminfo',
  'stat',
  'pid/stat',
  'pid/status',
  'pid/statm',
  'pid/io',
  'pid/limits',
  'pid/mountinfo',
  'pid/environ',
  'diskstats',
  'net/dev',
  'cpuinfo',
  'loadavg',
  'vmstat',
  'zoneinfo',
  'pid/smaps_rollup',
  'pid/maps',
  'pid/smaps',
  'net/tcp',
];

/** ProcFs.read per call: sampled system-wide files (read through kept descriptors, sync and async), this process's files by path, a large record file sync and async. */
const READS: { name: string; id: string; params?: Record<string, number>; async?: boolean }[] = [
  { name: '/proc/meminfo', id: 'proc/meminfo' },
  { name: '/proc/stat', id: 'proc/stat' },
  { name: '/proc/loadavg', id: 'proc/loadavg' },
  { name: '/proc/vmstat', id: 'proc/vmstat' },
  { name: '/proc/meminfo, readAsync', id: 'proc/meminfo', async: true },
  { name: '/proc/net/netstat, readAsync', id: 'proc/net/netstat', async: true },
  { name: 'pid/stat (this process)', id: 'proc/pid/stat', params: { pid: process.pid } },
  { name: 'pid/status (this process)', id: 'proc/pid/status', params: { pid: process.pid } },
  { name: 'pid/smaps (this process)', id: 'proc/pid/smaps', params: { pid: process.pid } },
  { name: 'pid/smaps (this process), readAsync', id: 'proc/pid/smaps', params: { pid: process.pid }, async: true },
];

interface Row {
  section: string;
  name: string;
  result?: Result;
  /** Why the figure is missing. */
  note?: string;
}

const fmt = (ns: number): string => (ns >= 1e6 ? `${(ns / 1e6).toFixed(2)} ms` : ns >= 1e4 ? `${(ns / 1e3).toFixed(1)} µs` : `${ns.toFixed(0)} ns`);
const kib = (n: number): string => (n >= 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${n} B`);

/** Each build's call, or the reason one of them cannot make it (a spec it lacks, a parser that throws on this machine's file). */
async function callsOf(builds: Build[], make: (b: Build) => Call): Promise<Call[] | string> {
  const calls: Call[] = [];
  for (const b of builds) {
    try {
      const c = make(b);
      await batch(c, 1);
      calls.push(c);
    } catch (err) {
      return `${b.label}: ${(err as Error).message.split('\n')[0]}`;
    }
  }
  return calls;
}

async function figure(rows: Row[], section: string, name: string, builds: Build[], make: (b: Build) => Call, table = false): Promise<void> {
  const calls = await callsOf(builds, make);
  if (typeof calls === 'string') {
    rows.push({ section, name, note: calls });
    return;
  }
  const result = table ? await interleave(calls, TABLE_ROUNDS, 50, 1) : await interleave(calls, FILE_ROUNDS, 25, 10);
  rows.push({ section, name, result });
  process.stderr.write(
    `${section}: ${name}: ${result.ratio.toFixed(3)} (A/A ${result.aa.toFixed(3)}), CPU ${result.cpuRatio.toFixed(3)} (A/A ${result.cpuAa.toFixed(3)})\n`,
  );
}

const entryOf = (b: Build, id: string): Entry => {
  const e = b.entries.get(id);
  if (!e) throw new Error(`no spec ${id} in this build`);
  return e;
};

async function measure(builds: Build[], notes: string[]): Promise<Row[]> {
  const rows: Row[] = [];
  const PARSE = 'parse only, same bytes';
  for (const file of PARSED) {
    const path = file.startsWith('pid/') ? `${self}/${file.slice(4)}` : `/proc/${file}`;
    const text = readFileSync(path);
    await figure(rows, PARSE, `${file} (${kib(text.length)})`, builds, (b) => {
      const parse = entryOf(b, `proc/${file}`).parse;
      const ctx = b.fs.context(path);
      return { sync: () => parse(text, ctx) };
    });
  }
  const READ = 'ProcFs.read per call (read + parse)';
  for (const r of READS) {
    await figure(rows, READ, r.name, builds, (b) => (r.async ? { async: () => b.fs.readAsync(r.id, r.params) } : { sync: () => b.fs.read(r.id, r.params) }));
  }
  const count = builds[0]!.fs.processes({ groups: [] }).rows.length;
  const TABLE = `process table, ${count} processes (groups ${PS_GROUPS.join(', ')})`;
  await figure(rows, TABLE, 'processes, sync', builds, (b) => ({ sync: () => b.fs.processes({ groups: PS_GROUPS }) }), true);
  await figure(rows, TABLE, 'processes, sync, threads: 0', builds, (b) => ({ sync: () => b.fs.processes({ groups: PS_GROUPS, threads: 0 }) }), true);
  await figure(rows, TABLE, 'processesAsync', builds, (b) => ({ async: () => b.fs.processesAsync({ groups: PS_GROUPS }) }), true);
  // Three monitors keep their files open at once: each gets a third of what the soft descriptor limit leaves.
  const soft = Number(/^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'))?.[1] ?? 1024);
  const maxOpenFiles = Math.max(0, Math.min(4096, Math.floor((soft - 512) / 3)));
  const monitors = builds.map((b) => b.fs.monitor({ groups: PS_GROUPS, maxOpenFiles }));
  try {
    for (const m of monitors) m.sample();
    const budgets = monitors.map((m) => m.budget ?? maxOpenFiles);
    notes.push(
      `refresh monitors: maxOpenFiles ${maxOpenFiles} each (soft descriptor limit ${soft}, three monitors open at once); budgets ${budgets.join(', ')} for ${count} processes${Math.min(...budgets) < 2 * count ? ': not every process keeps its files open, raise the limit (bench/run.sh asks prlimit for 65536)' : ''}`,
    );
    await figure(rows, TABLE, 'monitor sample()', builds, (b) => ({ sync: () => monitors[builds.indexOf(b)]!.sample() }), true);
    await figure(rows, TABLE, 'monitor sampleAsync()', builds, (b) => ({ async: () => monitors[builds.indexOf(b)]!.sampleAsync() }), true);
  } finally {
    for (const m of monitors) m.close();
  }
  return rows;
}

// ---------------------------------------------------------------------------
// Report

const geomean = (xs: number[]): number => Math.exp(xs.reduce((a, x) => a + Math.log(x), 0) / xs.length);
const pct = (x: number): string => `${x >= 1 ? '+' : ''}${((x - 1) * 100).toFixed(1)}%`;

function render(builds: Build[], rows: Row[], notes: string[], load: [string, string]): string {
  const lines = [
    `procspec, this build against a baseline build, ${new Date().toISOString()}: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'CPU'}, Linux ${os.release()}, Node ${process.version}; load average ${load[0]} at the start, ${load[1]} at the end.`,
    '',
    `- this build: ${describe(builds[0]!.dir)}`,
    `- baseline: ${describe(builds[1]!.dir)}`,
    `- copy of the baseline (dist/, prebuilds/, package.json in a temporary folder), for the A/A column`,
    '',
    `Rounds: ${FILE_ROUNDS} for parse and read, ${TABLE_ROUNDS} for the process table; each round runs this build, the baseline and the copy, in the six orders in turn, for a batch of calls sized to about 25 ms of an undisturbed run (50 ms for the process table). Times are wall-clock medians per call. "this / baseline" is the median over rounds of this build's time over the baseline's in the same round (< 1: this build is faster); "A/A" the same for the copy of the baseline: how far two identical builds drift apart on this machine, figure by figure. The CPU columns are the same ratios in CPU time of the whole process (every thread: helper readers, libuv's pool, the collector), which time spent waiting for a core does not move.`,
  ];
  const sections = [...new Set(rows.map((r) => r.section))];
  for (const s of sections) {
    const of = rows.filter((r) => r.section === s);
    lines.push(
      '',
      `### ${s}`,
      '',
      '| figure | this build | baseline | this / baseline | A/A: copy / baseline | CPU: this / baseline | CPU A/A | calls × rounds |',
      '|---|---|---|---|---|---|---|---|',
    );
    for (const r of of) {
      const x = r.result;
      if (!x) lines.push(`| ${r.name} | | | ${r.note} | | | | |`);
      else
        lines.push(
          `| ${r.name} | ${fmt(x.ns[0]!)} | ${fmt(x.ns[1]!)} | ${x.ratio.toFixed(3)} | ${x.aa.toFixed(3)} | ${x.cpuRatio.toFixed(3)} | ${x.cpuAa.toFixed(3)} | ${x.calls} × ${x.rounds} |`,
        );
    }
    const done = of.flatMap((r) => (r.result ? [r.result] : []));
    const gm = (k: 'ratio' | 'aa' | 'cpuRatio' | 'cpuAa'): string => geomean(done.map((x) => x[k])).toFixed(3);
    if (done.length > 1) lines.push(`| geometric mean (${done.length} figures) | | | ${gm('ratio')} | ${gm('aa')} | ${gm('cpuRatio')} | ${gm('cpuAa')} | |`);
  }
  const all = rows.flatMap((r) => (r.result ? [{ name: `${r.section}: ${r.name}`, ...r.result }] : []));
  if (all.length === 0) return lines.join('\n');
  const spread = (k: 'aa' | 'cpuAa'): string => {
    const d = all.map((x) => Math.abs(x[k] - 1));
    return `median ${(100 * median(d)).toFixed(1)}%, largest ${(100 * Math.max(...d)).toFixed(1)}%`;
  };
  lines.push('', `A/A over the ${all.length} figures, distance of the copy from the baseline: wall clock ${spread('aa')}; CPU time ${spread('cpuAa')}.`);
  const slower = all.filter((x) => x.ratio > 1.05 || x.cpuRatio > 1.05);
  lines.push(
    '',
    slower.length === 0
      ? 'No figure of this build is more than 5% slower than the baseline, in wall-clock or CPU time.'
      : `More than 5% slower than the baseline in wall-clock or CPU time (wall clock, then CPU; the A/A of the same figure in brackets): ${slower.map((x) => `${x.name}: ${pct(x.ratio)} (${pct(x.aa)}), CPU ${pct(x.cpuRatio)} (${pct(x.cpuAa)})`).join('; ')}.`,
  );
  for (const n of notes) lines.push('', n);
  return lines.join('\n');
}

async function main(): Promise<void> {
  const given = process.env.BENCH_BASELINE;
  if (!given) {
    process.stderr.write(
      'usage: BENCH_BASELINE=/path/to/other/checkout node --expose-gc --import tsx bench/against-build.ts (that checkout built with npx tsc -p tsconfig.build.json)\n',
    );
    process.exitCode = 2;
    return;
  }
  // npm runs scripts from the package root: a relative path is taken from where npm was started.
  const baseDir = resolve(process.env.INIT_CWD ?? process.cwd(), given);
  const notes: string[] = [];
  if (baseDir === thisDir) notes.push('the baseline is this checkout: the "this / baseline" column is a second A/A.');
  const builds = [await load('this build', thisDir), await load('baseline', baseDir), await load('copy of the baseline', copyOf(baseDir))];
  const loadStart = os.loadavg()[0]!.toFixed(2);
  const rows = await measure(builds, notes);
  notes.push(`native modules mapped: ${builds.map((b) => `${b.label}: ${nativeOf(b.dir)}`).join('; ')}`);
  if (!gc) notes.push('run without --expose-gc: no collection before each figure.');
  const text = render(builds, rows, notes, [loadStart, os.loadavg()[0]!.toFixed(2)]);
  process.stdout.write(`${text}\n`);
  writeFileSync(join(here, 'last-run-against.md'), `${text}\n`);
}

if (existsSync('/proc/self/stat')) await main();
else process.stderr.write('no /proc here\n');
