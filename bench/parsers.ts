/**
 * `npm run bench`: procspec's generated parsers against a peer library's
 * parsers (@stroncium/procfs, the most complete procfs parser on npm) on
 * the same text, in the same process, plus procspec's reader against
 * fs.readFileSync, and heap retained per parsed value. Prints medians and
 * ratios (peer time / procspec time: above 1 means procspec is faster).
 * procspec is imported from dist/ (built by bench/run.sh): the package as it ships.
 */
import { readFileSync as nodeReadFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { registry } from '../dist/generated/index.js';
import type { ParseContext } from '../dist/runtime/core/context.js';
import { ProcFs } from '../dist/runtime/index.js';
import { readFileSync } from '../dist/runtime/reading/read.js';
import { compare, retainedBytes } from './measure.js';

type PeerParsers = Record<string, (text: string) => unknown>;
const require = createRequire(import.meta.url);
const peer = require('@stroncium/procfs/lib/parsers.js') as PeerParsers;
const Peer = (require('@stroncium/procfs') as { Procfs: new (root?: string) => Record<string, (pid?: number) => unknown> }).Procfs;

const byId = new Map(registry.map((e) => [e.id, e.parse as (text: string, ctx: ParseContext) => unknown]));
const parserOf = (id: string): ((text: string, ctx: ParseContext) => unknown) => {
  const p = byId.get(id);
  if (!p) throw new Error(`no spec ${id}`);
  return p;
};
const fs = new ProcFs();
const ctx = fs.context('<bench>');
const self = `/proc/${process.pid}`;

interface Case {
  file: string;
  path: string;
  ours: (text: string) => unknown;
  theirs: string;
}

const cases: Case[] = [
  {
    file: 'meminfo',
    path: '/proc/meminfo',
    ours: (
      (p) => (t: string) =>
        p(t, ctx)
    )(parserOf('proc/meminfo')),
    theirs: 'meminfo',
  },
  {
    file: 'stat',
    path: '/proc/stat',
    ours: (
      (p) => (t: string) =>
        p(t, ctx)
    )(parserOf('proc/stat')),
    theirs: 'stat',
  },
  {
    file: 'pid/stat',
    path: `${self}/stat`,
    ours: (
      (p) => (t: string) =>
        p(t, ctx)
    )(parserOf('proc/pid/stat')),
    theirs: 'processStat',
  },
  {
    file: 'pid/status',
    path: `${self}/status`,
    ours: (
      (p) => (t: string) =>
        p(t, ctx)
    )(parserOf('proc/pid/status')),
    theirs: 'processStatus',
  },
  {
    file: 'pid/statm',
    path: `${self}/statm`,
    ours: (
      (p) => (t: string) =>
        p(t, ctx)
    )(parserOf('proc/pid/statm')),
    theirs: 'processStatm',
  },
  {
    file: 'pid/io',
    path: `${self}/io`,
    ours: (
      (p) => (t: string) =>
        p(t, ctx)
    )(parserOf('proc/pid/io')),
    theirs: 'processIo',
  },
  {
    file: 'pid/limits',
    path: `${self}/limits`,
    ours: (
      (p) => (t: string) =>
        p(t, ctx)
    )(parserOf('proc/pid/limits')),
    theirs: 'processLimits',
  },
  {
    file: 'pid/mountinfo',
    path: `${self}/mountinfo`,
    ours: (
      (p) => (t: string) =>
        p(t, ctx)
    )(parserOf('proc/pid/mountinfo')),
    theirs: 'processMountinfo',
  },
  {
    file: 'pid/environ',
    path: `${self}/environ`,
    ours: (
      (p) => (t: string) =>
        p(t, ctx)
    )(parserOf('proc/pid/environ')),
    theirs: 'processEnviron',
  },
  {
    file: 'diskstats',
    path: '/proc/diskstats',
    ours: (
      (p) => (t: string) =>
        p(t, ctx)
    )(parserOf('proc/diskstats')),
    theirs: 'diskstats',
  },
  {
    file: 'net/dev',
    path: '/proc/net/dev',
    ours: (
      (p) => (t: string) =>
        p(t, ctx)
    )(parserOf('proc/net/dev')),
    theirs: 'processNetDev',
  },
  {
    file: 'cpuinfo',
    path: '/proc/cpuinfo',
    ours: (
      (p) => (t: string) =>
        p(t, ctx)
    )(parserOf('proc/cpuinfo')),
    theirs: 'cpuinfo',
  },
  {
    file: 'loadavg',
    path: '/proc/loadavg',
    ours: (
      (p) => (t: string) =>
        p(t, ctx)
    )(parserOf('proc/loadavg')),
    theirs: 'loadavg',
  },
];

const fmt = (ns: number): string => (ns >= 1e4 ? `${(ns / 1e3).toFixed(1)} µs` : `${ns.toFixed(0)} ns`);
const pad = (s: string, n: number): string => s.padEnd(n);

const rows: string[] = [];
rows.push(`procspec bench — node ${process.version}, ${new Date().toISOString()}`);
rows.push('parse only, same text, same process (ratio = peer time / procspec time; > 1: procspec is faster)');
rows.push(`${pad('file', 15)}${pad('bytes', 8)}${pad('procspec', 11)}${pad('peer', 11)}${pad('ratio', 8)}${pad('heap/value ours', 17)}heap/value peer`);
const ratios: number[] = [];
/** Per file: the speed ratio and the heap per value of each side, for the target line (issue #26's target 3). */
const target: { file: string; ratio: number; ours?: number; peer?: number }[] = [];
for (const c of cases) {
  const text = readFileSync(c.path);
  const theirs = peer[c.theirs]!;
  try {
    theirs(text);
  } catch (err) {
    rows.push(`${pad(c.file, 15)}peer fails on this machine's file: ${(err as Error).message.split('\n')[0]}`);
    continue;
  }
  const r = compare([
    { name: 'procspec', run: () => c.ours(text) },
    { name: 'peer', run: () => theirs(text) },
  ]);
  const ratio = r.ratios[1]!;
  ratios.push(ratio);
  const mem = [retainedBytes(() => c.ours(text), 500), retainedBytes(() => theirs(text), 500)];
  target.push({ file: c.file, ratio, ours: mem[0], peer: mem[1] });
  const memText = mem.map((m) => (m === undefined ? 'n/a' : `${Math.round(m)} B`));
  rows.push(
    `${pad(c.file, 15)}${pad(String(text.length), 8)}${pad(fmt(r.timings[0]!.medianNs), 11)}${pad(fmt(r.timings[1]!.medianNs), 11)}${pad(`${ratio.toFixed(2)}x`, 8)}${pad(memText[0]!, 17)}${memText[1]}`,
  );
}
const geo = Math.exp(ratios.reduce((a, x) => a + Math.log(x), 0) / ratios.length);
rows.push(`geometric mean of the ratios: ${geo.toFixed(2)}x over ${ratios.length} files`);
{
  // Target 3: at least 1.5x the peer's speed on every file both parse, and no more heap per value.
  const slow = target.filter((t) => t.ratio < 1.5);
  const heavy = target.filter((t) => t.ours !== undefined && t.peer !== undefined && t.ours > t.peer);
  const worst = target.reduce((a, b) => (b.ratio < a.ratio ? b : a));
  rows.push(
    `target 3 (parse >= 1.5x the peer's speed, heap/value <= the peer's): speed met on ${target.length - slow.length} of ${target.length} files (below: ${slow.map((t) => `${t.file} ${t.ratio.toFixed(2)}x`).join(', ') || 'none'}; slowest ${worst.file} ${worst.ratio.toFixed(2)}x); heap met on ${target.length - heavy.length} of ${target.length} (above: ${heavy.map((t) => `${t.file} ${Math.round(t.ours!)} B against ${Math.round(t.peer!)} B`).join(', ') || 'none'}); load average ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );
}

rows.push('');
rows.push("read + parse of this process's stat (ratio = other / procspec)");
const peerFs = new Peer();
const read = compare([
  { name: 'procspec ProcFs.read', run: () => fs.read('proc/pid/stat', { pid: process.pid }) },
  { name: 'peer Procfs.processStat', run: () => peerFs.processStat!(process.pid) },
  { name: 'procspec reader only', run: () => readFileSync(`${self}/stat`) },
  { name: 'fs.readFileSync only', run: () => nodeReadFileSync(`${self}/stat`, 'utf8') },
]);
read.timings.forEach((t, i) => {
  rows.push(`${pad(t.name, 26)}${pad(fmt(t.medianNs), 11)}${read.ratios[i]!.toFixed(2)}x`);
});
rows.push(`(${read.rounds} rounds of ${read.callsPerRound} calls; heap figures need node --expose-gc)`);
process.stdout.write(`${rows.join('\n')}\n`);
