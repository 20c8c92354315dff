/**
 * Process-table benchmarks, in one run: a C reader (bench/c/ps-reader.c,
 * built with cc), procspec, @stroncium/procfs, pidusage, ps-list and procps
 * `ps`, at the machine's own process count and with 2,000 and 10,000 idle
 * processes started for the run (bench/c/idle-procs.c, ended afterwards).
 * Each figure is the median of rounds that alternate between contenders;
 * ratios are to the C reader of the same run. Also: refresh mode, single
 * files, parse cost on large files against a raw read, and heap growth.
 * Prints a markdown report (and writes it to bench/last-run.md).
 * BENCH_SCALES (0,=200,2000,10000) chooses the process counts: N starts N
 * idle processes beside the machine's own (0: none), =N as many as make N
 * in all; BENCH_PARTS (processes,single,system,large,memory) the parts, for
 * a partial run.
 * procspec is imported from dist/ (built by bench/run.sh): the package as it ships.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, readdirSync, readFileSync as nodeRead, readlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { join } from 'node:path';
import pidusage from 'pidusage';
import psList from 'ps-list';
import { ProcFs } from '../dist/runtime/index.js';
import { readKeptSync } from '../dist/runtime/reading/kept-files.js';
import { readViewSync } from '../dist/runtime/reading/read.js';
import { asyncFloor } from './async-floor.js';
import { cc, cReader, cRound, idle, makeLoad, startHelper, stopHelper } from './c-helpers.js';
import { cpuOf, median, time, timeAsync, warmUp } from './measure.js';

const here = import.meta.dirname;
const require = createRequire(import.meta.url);
const peer = new (require('@stroncium/procfs') as { Procfs: new () => Record<string, (pid?: number) => unknown> }).Procfs();
const fs = new ProcFs();
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
/** Rounds of the large-file figures: three times as many (a round takes milliseconds, and the collector's pauses are a large share of a parse's time). */
const LARGE_ROUNDS = 3 * ROUNDS;
const SCALES = (process.env.BENCH_SCALES ?? '0,=200,2000,10000').split(',');
const PARTS = new Set((process.env.BENCH_PARTS ?? 'processes,single,system,large,memory').split(','));

const ms = (ns: number): string => (ns / 1e6).toFixed(1);
const us = (ns: number): string => (ns / 1e3).toFixed(1);

// ---------------------------------------------------------------------------
// Contenders

/*
 * The C reader reports the second of two rounds in one process, the first
 * having refilled the caches the processes started since then emptied. An
 * in-process contender gets the same: one untimed run right before the
 * timed one. (ps-list and procps start a process per call, and pidusage
 * keeps descriptors between calls: they run once.)
 */
const timeWarm = (f: () => unknown): number => {
  f();
  return time(f);
};
const timeWarmAsync = async (f: () => Promise<unknown>): Promise<number> => {
  await f();
  return timeAsync(f);
};

const PS_GROUPS = ['base', 'cpu', 'memory', 'cmdline'] as const;

function peerPs(): number {
  let n = 0;
  for (const pid of peer.processes!() as number[]) {
    try {
      peer.processStat!(pid);
      peer.processCmdline!(pid);
      n++;
    } catch {
      // gone
    }
  }
  return n;
}

/** Closes descriptors opened since `before` that name a /proc/<pid>/stat file; returns how many. */
function closeLeftStats(before: Set<string>): number {
  let n = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    if (before.has(fd)) continue;
    let target: string;
    try {
      target = readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      continue;
    }
    if (/^\/proc\/\d+\/stat$/.test(target)) {
      closeSync(Number(fd));
      n++;
    }
  }
  return n;
}

function procpsPs(): void {
  execFileSync('ps', ['-eo', 'pid,ppid,stat,comm,utime,stime,rss,args'], { maxBuffer: 1 << 28 });
}

/**
 * Figures of one task: each contender's median time and, against the C
 * reader (the first entry), the median of its per-round ratios: a round's
 * times are taken moments apart, so a slow spell of this shared machine
 * moves both sides of a ratio and the ratio less than either time.
 */
function figuresOf(m: Record<string, number[]>): { name: string; ns: number; ratio?: number }[] {
  const entries = Object.entries(m).filter(([, v]) => v.length > 0);
  const base = entries[0]?.[0].startsWith('C') ? entries[0][1] : undefined;
  return entries.map(([name, v]) => {
    const f: { name: string; ns: number; ratio?: number } = { name, ns: median(v) };
    if (base !== undefined) f.ratio = median(v.map((x, i) => x / base[i]!).filter((x) => Number.isFinite(x)));
    return f;
  });
}

interface Row {
  task: string;
  scale: number;
  processes: number;
  /** Median time, and the median over rounds of the time divided by the C reader's in the same round. */
  figures: { name: string; ns: number; ratio?: number }[];
}

const report: Row[] = [];
const notes: string[] = [];
/** One line per target of issue #26 this benchmark measures, with its ratio; printed after the table. */
const targets: string[] = [];
const softLimit = (): string => /^Max open files\s+(\S+)/m.exec(nodeRead('/proc/self/limits', 'utf8'))?.[1] ?? '?';

/** Idle processes to start for a BENCH_SCALES entry: N, or for =N as many as the machine lacks to have N. */
function addedFor(scale: string): number {
  if (!scale.startsWith('=')) return Number(scale);
  return Math.max(0, Number(scale.slice(1)) - fs.processes({ groups: [] }).rows.length);
}

/** The figures at small process counts, where one listing takes a millisecond: rounds, a third of them of the tools that spawn ps. */
const SMALL = 1000;

async function scaleRun(scale: string): Promise<void> {
  const added = addedFor(scale);
  const helper = added > 0 && idle ? await startHelper(idle, [String(added)]) : undefined;
  try {
    const count = fs.processes({ groups: [] }).rows.length;
    const rounds = count < SMALL ? 3 * ROUNDS : ROUNDS;
    await warmUp(() => fs.processes({ groups: [...PS_GROUPS] }));
    await warmUp(() => fs.processes({ groups: [...PS_GROUPS], threads: 0 }));
    await warmUp(() => fs.processesAsync({ groups: [...PS_GROUPS] }));
    await warmUp(peerPs);
    await warmUp(() => fs.processes({ groups: ['base'] }));
    await warmUp(() => fs.processes({ groups: ['base'], threads: 0 }));
    const ps: Record<string, number[]> = {
      C: [],
      procspec: [],
      'procspec, threads: 0': [],
      'procspec async': [],
      '@stroncium/procfs': [],
      'ps-list': [],
      'procps ps -eo': [],
      pidusage: [],
    };
    const stat: Record<string, number[]> = { C: [], procspec: [], 'procspec, threads: 0': [] };
    const refresh: Record<string, number[]> = {
      'C (reopen)': [],
      'C (kept open)': [],
      'procspec refresh': [],
      'procspec refresh async': [],
      'procspec refresh, first sample after the C readers': [],
      'procspec listing': [],
    };
    const pids = (fs.processes({ groups: [] }).rows as { pid: number }[]).map((r) => r.pid);
    for (let r = 0; r < rounds; r++) {
      const c = cRound('ps');
      if (c !== undefined) ps.C!.push(c);
      ps.procspec!.push(timeWarm(() => fs.processes({ groups: [...PS_GROUPS] })));
      // The sync listing on the calling thread alone (by default it has DEFAULT_THREADS threads reading beside it).
      ps['procspec, threads: 0']!.push(timeWarm(() => fs.processes({ groups: [...PS_GROUPS], threads: 0 })));
      ps['procspec async']!.push(await timeWarmAsync(() => fs.processesAsync({ groups: [...PS_GROUPS] })));
      ps['@stroncium/procfs']!.push(timeWarm(peerPs));
      if (r < 3) {
        ps['ps-list']!.push(await timeAsync(() => psList()));
        ps['procps ps -eo']!.push(time(procpsPs));
        // pidusage opens every pid's files at once: in chunks of 500 it stays within the descriptor limit.
        if (pids.length > 4000) {
          if (r === 0)
            notes.push(
              `pidusage skipped at ${pids.length} processes: it keeps every pid's stat open between calls, which exhausts the descriptor limit (${softLimit()})`,
            );
        } else {
          const before = new Set(readdirSync('/proc/self/fd'));
          ps.pidusage!.push(
            await timeAsync(async () => {
              for (let i = 0; i < pids.length; i += 500) {
                await pidusage(pids.slice(i, i + 500)).catch(() => undefined);
                pidusage.clear();
              }
            }),
          );
          // pidusage keeps each pid's stat open for its next call, and clear() leaves them open: close them, or
          // the contenders after it (the refresh mode above all) run short of descriptors.
          const left = closeLeftStats(before);
          if (r === 0 && left > 0)
            notes.push(
              `pidusage left ${left} descriptors of /proc/<pid>/stat open after clear() at ${pids.length} processes; the benchmark closes them after each of its rounds`,
            );
        }
      }
      const cs = cRound('stat');
      if (cs !== undefined) stat.C!.push(cs);
      stat.procspec!.push(timeWarm(() => fs.processes({ groups: ['base'] })));
      stat['procspec, threads: 0']!.push(timeWarm(() => fs.processes({ groups: ['base'], threads: 0 })));
    }
    // Refresh rounds come last: the monitor holds most of the descriptors this process may open
    // (pidusage keeps its own open between calls, so it runs before).
    const monitor = fs.monitor({ groups: [...PS_GROUPS], maxOpenFiles: 1 << 20 });
    await warmUp(() => monitor.sample());
    await warmUp(() => monitor.sampleAsync());
    let relisted = 0;
    // CPU time of the process (all its threads) in the sync and the async samples: both read on more threads than the one that parses.
    const cpu = { sync: [] as number[], async: [] as number[] };
    for (let r = 0; r < rounds; r++) {
      const c = cRound('ps');
      const cr = cRound('refresh');
      if (c !== undefined && cr !== undefined) {
        refresh['C (reopen)']!.push(c);
        refresh['C (kept open)']!.push(cr);
      }
      // The first sample after the C readers ran finds caches emptied and tasks created (so it lists /proc);
      // the next one is timed as the C readers' second rounds are, and lists only if a task was created meanwhile.
      refresh['procspec refresh, first sample after the C readers']!.push(time(() => monitor.sample()));
      let listed = false;
      refresh['procspec refresh']!.push(time(() => (listed = monitor.sample().listed)));
      if (listed) relisted++;
      // The same monitor, its kept files re-read in the thread pool while the main thread parses.
      refresh['procspec refresh async']!.push(await timeAsync(async () => (listed = (await monitor.sampleAsync()).listed)));
      if (listed) relisted++;
      // The listing the refresh mode stands in for, timed in the same round (target 4 compares the two).
      refresh['procspec listing']!.push(timeWarm(() => fs.processes({ groups: [...PS_GROUPS] })));
      cpu.sync.push(await cpuOf(() => monitor.sample()));
      cpu.async.push(await cpuOf(() => monitor.sampleAsync()));
    }
    notes.push(
      `refresh at ${count} processes: CPU time of a sample (every thread of the process) ${ms(median(cpu.sync))} ms sync, ${ms(median(cpu.async))} ms async`,
    );
    notes.push(
      `refresh at ${count} processes: ${relisted} of ${2 * rounds} timed samples (sync and async) listed /proc (a task was created since the sample before)`,
    );
    const floor = await asyncFloor(fs, PS_GROUPS, count);
    if (floor !== undefined) notes.push(floor);
    const kept = monitor.budget;
    monitor.close();
    notes.push(`refresh at ${count} processes kept at most ${kept} files open (the soft descriptor limit is ${softLimit()})`);
    // The peers against procspec directly: each round's times are taken moments apart (ps -eo ran in the first rounds only).
    const against = (peer: string, ours: string): string => {
      const p = ps[peer]!;
      const o = ps[ours]!;
      return `${median(p.map((x, i) => x / o[i]!)).toFixed(2)}x`;
    };
    notes.push(
      `ps task at ${count} processes, medians of per-round ratios: @stroncium/procfs took ${against('@stroncium/procfs', 'procspec')} the time of procspec and ${against('@stroncium/procfs', 'procspec async')} that of procspec async; procps ps -eo ${against('procps ps -eo', 'procspec')} and ${against('procps ps -eo', 'procspec async')}`,
    );
    const add = (task: string, m: Record<string, number[]>) => report.push({ task, scale: added, processes: count, figures: figuresOf(m) });
    add('ps task (pid, ppid, state, comm, utime, stime, rss, cmdline)', ps);
    add('stat only', stat);
    add('refresh of the ps task', refresh);
    if (count < SMALL) {
      const rows = report.slice(-3);
      const toC = (row: Row, name: string): number => row.figures.find((f) => f.name === name)?.ratio ?? Number.NaN;
      const within = (x: number, limit: number): string => `${x.toFixed(2)}x (${x <= limit ? 'met' : 'not met'})`;
      // Target 4 against the sync listing of the same round: the async listing in the ps rounds, the refresh mode in its own.
      const vs = (a: number[], b: number[]): number => median(a.map((x, i) => x / b[i]!));
      targets.push(
        `target 1 (ps task at most 1.1x C) at ${count} processes: procspec ${within(toC(rows[0]!, 'procspec'), 1.1)}, threads: 0 ${within(toC(rows[0]!, 'procspec, threads: 0'), 1.1)}`,
        `target 4 (no slower than the sync listing) at ${count} processes, per-round ratios to it: async listing ${within(vs(ps['procspec async']!, ps.procspec!), 1)}, refresh ${within(vs(refresh['procspec refresh']!, refresh['procspec listing']!), 1)}, refresh async ${within(vs(refresh['procspec refresh async']!, refresh['procspec listing']!), 1)}`,
      );
    }
  } finally {
    if (helper) await stopHelper(helper);
  }
}

// ---------------------------------------------------------------------------
// Single files and large files

function singleFiles(): void {
  for (const [mode, id, path] of [
    ['meminfo', 'proc/meminfo', '/proc/meminfo'],
    ['stat1', 'proc/stat', '/proc/stat'],
  ] as const) {
    const c: number[] = [];
    const cKept: number[] = [];
    const ours: number[] = [];
    // A warm-up round, as the C reader runs one before the round it reports.
    for (let i = 0; i < 1000; i++) fs.read(id);
    for (let r = 0; r < ROUNDS; r++) {
      const x = cRound(mode);
      if (x !== undefined) c.push(x / 1000);
      const k = cRound(`${mode}-kept`);
      if (k !== undefined) cKept.push(k / 1000);
      ours.push(
        time(() => {
          for (let i = 0; i < 1000; i++) fs.read(id);
        }) / 1000,
      );
    }
    // procspec keeps a sampled system-wide file open and re-reads it (ProcFsOptions.keepOpen), so C doing the same is shown too.
    report.push({ task: `read + parse ${path} (per call)`, scale: 0, processes: 1, figures: figuresOf({ C: c, 'C (kept open)': cKept, procspec: ours }) });
  }
}

/** A system file the exporter reads by default: its spec, the parameters that name it, its path here. */
interface SystemFile {
  id: string;
  params?: Record<string, string>;
  path: string;
}

/**
 * The system files the exporter reads by default (issue #26's target 2)
 * that this machine has; the cgroup files are the root group's under
 * ProcFs's cgroup2 mount. Those it lacks are named in the notes.
 */
function systemFiles(): SystemFile[] {
  const wanted: { id: string; params?: Record<string, string> }[] = [
    ...['stat', 'meminfo', 'vmstat', 'loadavg', 'uptime', 'diskstats', 'net/dev', 'net/snmp', 'net/netstat', 'net/sockstat', 'net/softnet_stat'].map((f) => ({
      id: `proc/${f}`,
    })),
    ...['cpu', 'memory', 'io', 'irq'].map((resource) => ({ id: 'proc/pressure', params: { resource } })),
    { id: 'proc/sys/fs/file-nr' },
    ...['cpu.stat', 'memory.stat', 'io.stat'].map((f) => ({ id: `sys/fs/cgroup/${f}`, params: { cgroup: '' } })),
  ];
  const out: SystemFile[] = [];
  const absent: string[] = [];
  for (const w of wanted) {
    let path: string | undefined;
    try {
      path = fs.path(w.id as never, w.params);
    } catch {
      path = undefined;
    }
    if (path !== undefined && existsSync(path)) out.push({ ...w, path });
    else absent.push(path ?? w.id);
  }
  if (absent.length > 0) notes.push(`system files: not on this machine, so not timed: ${absent.join(', ')}`);
  return out;
}

/**
 * Read + parse per call of each system file and of a whole system sample
 * (all of them, one after another), against the C reader keeping the files
 * open (re-read with pread at 0, every number parsed with strtoll) and
 * reopening them; procspec reads through ProcFs, which keeps them open too.
 */
function systemSample(): void {
  const files = systemFiles();
  const read = (f: SystemFile): unknown => (f.params === undefined ? fs.read(f.id as never) : fs.read(f.id as never, f.params as never));
  const cFiles = (mode: string, paths: string[]): number | undefined => {
    if (!cReader) return undefined;
    const out = execFileSync(cReader, [mode, '2', ...paths], { encoding: 'utf8' })
      .trim()
      .split('\n');
    return Number(out[1]!.split(' ')[2]) / 1000;
  };
  const worst: { name: string; ratio: number }[] = [];
  /**
   * `parts`: the two halves of procspec's call, timed in the same rounds to show where its time goes: the
   * read alone (the kept descriptor re-read, the bytes not parsed) and the parse alone (of bytes read before).
   */
  const timeRows = (task: string, paths: string[], call: () => void, parts?: { read: () => void; parse: () => void }): void => {
    const m: Record<string, number[]> = { 'C (kept open)': [], C: [], procspec: [], 'procspec, read alone': [], 'procspec, parse alone': [] };
    const per = (f: () => void): number =>
      time(() => {
        for (let i = 0; i < 1000; i++) f();
      }) / 1000;
    for (let i = 0; i < 1000; i++) call();
    for (let r = 0; r < 3 * ROUNDS; r++) {
      const k = cFiles('files-kept', paths);
      if (k !== undefined) m['C (kept open)']!.push(k);
      const c = cFiles('files', paths);
      if (c !== undefined) m.C!.push(c);
      m.procspec!.push(per(call));
      if (parts !== undefined) {
        m['procspec, read alone']!.push(per(parts.read));
        m['procspec, parse alone']!.push(per(parts.parse));
      }
    }
    const figures = figuresOf(m);
    report.push({ task, scale: 0, processes: 1, figures });
    const ours = figures.find((f) => f.name === 'procspec')?.ratio;
    if (ours !== undefined) worst.push({ name: task, ratio: ours });
  };
  const halves = files.map((f) => {
    const { parse, model } = fs.entry(f.id);
    const ctx = fs.readContext(f.path);
    const single = model.singleRecord === true;
    const bytes = Buffer.from(readKeptSync(f.path, single));
    return { read: () => readKeptSync(f.path, single), parse: () => parse(bytes, ctx) };
  });
  for (const [i, f] of files.entries()) {
    timeRows(`read + parse ${f.path} (per call)`, [f.path], () => read(f), halves[i]);
  }
  const sampleWorst = worst.slice();
  timeRows(
    `system sample: the ${files.length} files above (per call)`,
    files.map((f) => f.path),
    () => {
      for (const f of files) read(f);
    },
    {
      read: () => {
        for (const h of halves) h.read();
      },
      parse: () => {
        for (const h of halves) h.parse();
      },
    },
  );
  if (sampleWorst.length > 0) {
    const w = sampleWorst.reduce((a, b) => (b.ratio > a.ratio ? b : a));
    const over = sampleWorst.filter((x) => x.ratio > 1.1).length;
    const sample = worst[worst.length - 1]!;
    const half = (name: string): string => `${(report[report.length - 1]!.figures.find((f) => f.name === name)?.ratio ?? Number.NaN).toFixed(2)}x`;
    targets.push(
      `target 2 (read + parse at most 1.1x C keeping the file open): ${sampleWorst.length - over} of ${sampleWorst.length} files within it, the worst ${w.ratio.toFixed(2)}x (${w.name}); the system sample ${sample.ratio.toFixed(2)}x (its reads alone ${half('procspec, read alone')}, its parse alone ${half('procspec, parse alone')}); load average ${os
        .loadavg()
        .map((x) => x.toFixed(2))
        .join(' ')}`,
    );
  }
}

interface Large {
  task: string;
  load: string;
  file: (pid: number) => string;
  id: string;
  params: (pid: number) => Record<string, number>;
}

const LARGE: Large[] = [
  { task: 'smaps', load: 'maps', file: (p) => `/proc/${p}/smaps`, id: 'proc/pid/smaps', params: (p) => ({ pid: p }) },
  { task: 'net/tcp', load: 'sockets', file: () => '/proc/net/tcp', id: 'proc/net/tcp', params: () => ({}) },
  { task: 'mountinfo', load: 'mounts', file: (p) => `/proc/${p}/mountinfo`, id: 'proc/pid/mountinfo', params: (p) => ({ pid: p }) },
];

async function largeFiles(): Promise<void> {
  if (!makeLoad) return;
  for (const l of LARGE) {
    const per: Record<number, { raw: number; parsed: number; parseOnly: number; bytes: number; added: number; cpuAdded: number; asyncAdded: number }> = {};
    for (const n of [1000, 10000]) {
      const h = await startHelper(makeLoad, [l.load, String(n)]);
      try {
        const file = l.file(h.pid);
        const raw: number[] = [];
        const parsed: number[] = [];
        const parseOnly: number[] = [];
        const saved = nodeRead(file);
        const parse = fs.entry(l.id).parse;
        // From a collected heap: the garbage of the parts before is not charged to these rounds.
        (globalThis as { gc?: () => void }).gc?.();
        fs.read(l.id as never, l.params(h.pid));
        const rawCpu: number[] = [];
        const parsedCpu: number[] = [];
        const parsedAsync: number[] = [];
        // Each timed call comes after a turn of the event loop, as the calls of a sampling tool do: the
        // collector then runs the work it schedules between tasks there, not inside the next call.
        const turn = (): Promise<void> => new Promise((r) => setImmediate(r));
        for (let r = 0; r < LARGE_ROUNDS; r++) {
          // The raw read is the bytes alone, as the parsers get them (no decoding).
          await turn();
          rawCpu.push(await cpuOf(() => raw.push(time(() => readViewSync(file)))));
          await turn();
          parsedCpu.push(await cpuOf(() => parsed.push(time(() => fs.read(l.id as never, l.params(h.pid))))));
          await turn();
          parseOnly.push(time(() => parse(saved)));
          await turn();
          parsedAsync.push(await timeAsync(() => fs.readAsync(l.id as never, l.params(h.pid))));
        }
        per[n] = {
          raw: median(raw),
          parsed: median(parsed),
          parseOnly: median(parseOnly),
          bytes: saved.length,
          // Per round, as the other ratios: read + parse over the read of the same round.
          added: median(parsed.map((p, i) => p / raw[i]! - 1)),
          cpuAdded: median(parsedCpu.map((p, i) => p / rawCpu[i]! - 1)),
          asyncAdded: median(parsedAsync.map((p, i) => p / raw[i]! - 1)),
        };
      } finally {
        await stopHelper(h);
      }
    }
    report.push({
      task: `${l.task}: read only vs read + parse, 1,000 and 10,000 entries (${(per[10000]!.bytes / 1048576).toFixed(1)} MiB)`,
      scale: 10000,
      processes: 1,
      figures: [
        { name: 'read 1k', ns: per[1000]!.raw },
        { name: 'read+parse 1k', ns: per[1000]!.parsed },
        { name: 'read 10k', ns: per[10000]!.raw },
        { name: 'read+parse 10k', ns: per[10000]!.parsed },
        { name: 'parse only 1k', ns: per[1000]!.parseOnly },
        { name: 'parse only 10k', ns: per[10000]!.parseOnly },
      ],
    });
    const ratio = (a: number, b: number): string => `${(a / b).toFixed(1)}x`;
    notes.push(
      `${l.task}: parsing adds ${(100 * per[10000]!.added).toFixed(0)}% to the read at 10,000 entries (median of the rounds' read + parse over read; parse alone is ${(100 * (per[10000]!.parseOnly / per[10000]!.raw)).toFixed(0)}% of the read's median; in CPU time of all threads, read + parse is ${(100 * per[10000]!.cpuAdded).toFixed(0)}% over the read; readAsync takes ${(100 * per[10000]!.asyncAdded).toFixed(0)}% more than the sync read); 10x the entries: read ${ratio(per[10000]!.raw, per[1000]!.raw)}, read + parse ${ratio(per[10000]!.parsed, per[1000]!.parsed)}, parse alone ${ratio(per[10000]!.parseOnly, per[1000]!.parseOnly)}`,
    );
  }
}

async function memory(): Promise<string> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc || !idle) return 'memory: needs node --expose-gc and cc';
  const h = await startHelper(idle, ['10000']);
  try {
    fs.processes({ groups: [...PS_GROUPS] });
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 100; i++) fs.processes({ groups: [...PS_GROUPS] });
    gc();
    const after = process.memoryUsage().heapUsed;
    return `memory: 100 listings of ${fs.processes({ groups: [] }).rows.length} processes grew the heap by ${((after - before) / 1048576).toFixed(2)} MiB`;
  } finally {
    await stopHelper(h);
  }
}

// ---------------------------------------------------------------------------

function render(extra: string[]): string {
  const lines = [
    `Process-table benchmark, ${new Date().toISOString()}: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Linux ${os.release()}, Node ${process.version}; median of ${ROUNDS} interleaved rounds (${3 * ROUNDS} below ${SMALL} processes, 3 for the tools that spawn ps, ${LARGE_ROUNDS} for the large files), each contender in the process having run for a while before (warmUp); a ratio is the median of the per-round ratios to the C reader of the same round.`,
    '',
    '| task | processes | contender | time (median) | per process | ratio to C |',
    '|---|---|---|---|---|---|',
  ];
  for (const r of report) {
    for (const f of r.figures) {
      const per = r.processes > 1 ? `${us(f.ns / r.processes)} µs` : '';
      lines.push(
        `| ${r.task} | ${r.processes} | ${f.name} | ${r.processes > 1 ? `${ms(f.ns)} ms` : `${us(f.ns)} µs`} | ${per} | ${f.ratio !== undefined ? `${f.ratio.toFixed(2)}x` : ''} |`,
      );
    }
  }
  return [...lines, '', ...extra].join('\n');
}

async function main(): Promise<void> {
  if (!cc) process.stderr.write('note: cc not found, the C reader and the process helpers are skipped\n');
  if (PARTS.has('processes')) for (const s of SCALES) await scaleRun(s);
  if (PARTS.has('single')) singleFiles();
  if (PARTS.has('system')) systemSample();
  if (PARTS.has('large')) await largeFiles();
  const extra = [
    ...(PARTS.has('memory') ? [await memory()] : []),
    ...notes,
    ...(targets.length > 0 ? ['', 'Targets (issue #26):', ...targets.map((t) => `- ${t}`)] : []),
  ];
  const text = render(extra);
  process.stdout.write(`${text}\n`);
  writeFileSync(join(here, 'last-run.md'), `${text}\n`);
}

if (existsSync('/proc/self/stat')) await main();
else process.stderr.write('no /proc here\n');
