/**
 * `procspec watch [SPEC... | summary] --interval 1s [--count N]`: samples
 * files (each named as every command names a spec: proc/meminfo, meminfo,
 * /proc/meminfo, pid/io:pid=1) and shows, for each number, its rate per
 * second when the spec says it is a counter, and its level when it is a gauge. A counter that went
 * backwards (reset, or a narrow counter that wrapped) is shown as a reset.
 * On a terminal: a table redrawn each interval; piped: one JSON line per
 * file per sample.
 */
import type { ProcFs } from '../runtime/index.js';
import { ProcfsError, readFileSync, registry, toJson } from '../runtime/index.js';
import { changes, leaves, type Change, type Leaf } from '../runtime/model/measures.js';
import type { PathParams } from '../runtime/model/paths.js';
import { clearScreen, dim, isTerminal, parseCount, parseInterval, sleep, table, yellow } from './terminal.js';
import { type Named, resolveSpec } from './resolve-spec.js';
import { UsageError } from './usage.js';

/** What `summary` watches: the files the summary is made from. */
export const SUMMARY_SOURCES = [
  'proc/loadavg',
  'proc/meminfo',
  'proc/stat',
  'proc/pressure:resource=cpu',
  'proc/pressure:resource=memory',
  'proc/pressure:resource=io',
  'proc/diskstats',
  'proc/net/dev',
];

interface Source {
  /** As given: `proc/net/dev`, `net/dev`, `pid/stat:pid=1`, `/proc/1/stat`. */
  label: string;
  id: string;
  params: PathParams;
  /** The file read, when the source was named by its path (read as it is, whatever --root says). */
  file?: string;
}

/** `k=v,k=v`: the parameters after a spec's name. */
const PARAMS = /^[^=,]+=[^,]*(,[^=,]+=[^,]*)*$/;

/**
 * A source as given: a spec named as every command names one (its id, a
 * short name or the path of a file, see resolve-spec.ts), a name followed by
 * its path parameters (`proc/pid/io:pid=1,tid=1`, `pid/io:pid=1`).
 */
function source(label: string, entries: readonly Named[]): Source {
  const colon = label.lastIndexOf(':');
  const withParams = colon > 0 && PARAMS.test(label.slice(colon + 1));
  const name = withParams ? label.slice(0, colon) : label;
  const params: Record<string, string | number> = {};
  for (const kv of withParams ? label.slice(colon + 1).split(',') : []) {
    const [k, v] = kv.split('=', 2) as [string, string];
    params[k] = /^\d+$/.test(v) ? Number(v) : v;
  }
  // A colon in a path is part of it (a cgroup named a:b); after a name it starts the parameters.
  if (!withParams && colon > 0 && !/^[/.]/.test(label)) throw new UsageError(`bad parameters in ${label}: use name:key=value,key=value (pid/io:pid=1)`);
  const { entry, file } = resolveSpec(name, entries);
  if (file !== undefined && withParams)
    throw new UsageError(`${label}: a file path names its file, with no parameters (give the spec's name with them: pid/io:pid=1)`);
  return { label, id: entry.id, params, ...(file !== undefined ? { file } : {}) };
}

export interface WatchOptions {
  interval: string;
  count?: string;
  match?: string;
  json?: boolean;
  /** Read in exact mode: 64-bit counters and sizes as bigints, printed with all their digits. */
  bigint?: boolean;
}

const fmt = (n: number | bigint): string => (typeof n === 'bigint' || Number.isInteger(n) ? String(n) : Math.abs(n) >= 100 ? n.toFixed(1) : n.toPrecision(4));

function render(label: string, cs: Change[], match: RegExp | undefined): string {
  const rows: string[][] = [];
  for (const c of cs) {
    if (match && !match.test(c.path)) continue;
    if ('reset' in c) rows.push([c.path, 'counter', fmt(c.value), yellow(`reset (was ${fmt(c.previous)})`)]);
    else if ('perSecond' in c) rows.push([c.path, 'counter', fmt(c.value), `${fmt(c.perSecond)}/s`]);
    else rows.push([c.path, c.measure, fmt(c.value), '']);
  }
  return `${label}\n${table(['value', 'kind', 'now', 'per second'], rows, [false, false, true, true])}`;
}

export async function watchCommand(fs: ProcFs, targets: string[], opts: WatchOptions): Promise<number> {
  // An unknown spec fails here, before any sampling.
  const sources = (targets.length === 0 || targets.includes('summary') ? SUMMARY_SOURCES : targets).map((t) => source(t, registry));
  const seconds = parseInterval(opts.interval);
  const count = parseCount(opts.count);
  const match = opts.match !== undefined ? pattern(opts.match) : undefined;
  const json = opts.json === true || !isTerminal();
  const digits = opts.bigint === true;

  const take = (): Map<string, { at: number; leaves: Leaf[] } | ProcfsError> => {
    const out = new Map<string, { at: number; leaves: Leaf[] } | ProcfsError>();
    for (const s of sources) {
      try {
        const value = s.file !== undefined ? fs.parse(s.id as never, readFileSync(s.file), s.file) : fs.read(s.id as never, s.params);
        out.set(s.label, { at: performance.now() / 1000, leaves: leaves(fs.entry(s.id).model, value) });
      } catch (err) {
        if (!(err instanceof ProcfsError)) throw err;
        out.set(s.label, err);
      }
    }
    return out;
  };

  let before = take();
  for (let n = 0; n < count; n++) {
    await sleep(seconds);
    const after = take();
    const time = new Date().toISOString();
    const screen: string[] = [];
    for (const s of sources) {
      const a = before.get(s.label);
      const b = after.get(s.label)!;
      if (b instanceof ProcfsError) {
        if (json) process.stdout.write(`${toJson({ time, source: s.label, error: { code: b.code, message: b.message } }, 0, digits)}\n`);
        else screen.push(`${s.label}\n  ${b.message}`);
        continue;
      }
      const cs = a === undefined || a instanceof ProcfsError ? changes([], b.leaves, 0) : changes(a.leaves, b.leaves, b.at - a.at);
      const interval = a === undefined || a instanceof ProcfsError ? 0 : b.at - a.at;
      if (json) {
        const rates: Record<string, number> = {};
        const gauges: Record<string, number | bigint> = {};
        const unclassified: Record<string, number | bigint> = {};
        const resets: { path: string; from: number | bigint; to: number | bigint }[] = [];
        for (const c of cs) {
          if (match && !match.test(c.path)) continue;
          if ('reset' in c) resets.push({ path: c.path, from: c.previous, to: c.value });
          else if ('perSecond' in c) rates[c.path] = c.perSecond;
          else if (c.measure === 'gauge') gauges[c.path] = c.value;
          else unclassified[c.path] = c.value;
        }
        process.stdout.write(`${toJson({ time, source: s.label, interval, rates, gauges, resets, unclassified }, 0, digits)}\n`);
      } else screen.push(render(s.label, cs, match));
    }
    if (!json) process.stdout.write(`${clearScreen()}${dim(`procspec watch, every ${opts.interval}, ${time}`)}\n\n${screen.join('\n\n')}\n`);
    before = after;
  }
  return 0;
}

/** The --match pattern; one that is not a regular expression is a bad option (exit 2), not a crash. */
function pattern(text: string): RegExp {
  try {
    return new RegExp(text);
  } catch (err) {
    throw new UsageError(`bad --match ${JSON.stringify(text)}: ${(err as Error).message}`);
  }
}
