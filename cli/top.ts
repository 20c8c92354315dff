/**
 * `procspec top`: processes sorted by CPU use, from the refresh mode of the
 * process table (files kept open between samples, rates from the change).
 * On a terminal: a table redrawn each interval; piped: one JSON line per
 * sample.
 */
import type { ProcFs } from '../runtime/index.js';
import { toJson } from '../runtime/index.js';
import { clearScreen, dim, isTerminal, parseInterval, sleep, table } from './terminal.js';

export interface TopOptions {
  interval: string;
  count?: string;
  limit: string;
  sort: string;
  json?: boolean;
}

const SORTS = ['cpu', 'rss', 'faults'] as const;

export async function topCommand(fs: ProcFs, opts: TopOptions): Promise<number> {
  const seconds = parseInterval(opts.interval);
  const count = opts.count === undefined ? Infinity : Number(opts.count);
  if (!(count > 0)) throw new Error(`bad --count ${opts.count}: a positive whole number`);
  const limit = Number(opts.limit);
  if (!Number.isInteger(limit) || limit <= 0) throw new Error(`bad --limit ${opts.limit}: a positive whole number`);
  if (!SORTS.includes(opts.sort as (typeof SORTS)[number])) throw new Error(`unknown sort ${opts.sort}: one of ${SORTS.join(', ')}`);
  const json = opts.json === true || !isTerminal();
  const monitor = fs.monitor({ groups: ['base', 'cpu', 'memory', 'cmdline'] });
  try {
    monitor.sample();
    for (let n = 0; n < count; n++) {
      await sleep(seconds);
      const s = monitor.sample();
      const rows = s.rows
        .filter((r) => r.rates !== undefined)
        .map((r) => ({
          pid: r.pid,
          comm: r.comm,
          state: r.state,
          cpuPercent: r.rates!.cpuPercent,
          rssBytes: r.rss,
          minorFaultsPerSecond: r.rates!.minorFaultsPerSecond,
          majorFaultsPerSecond: r.rates!.majorFaultsPerSecond,
          threads: r.threads,
          command: r.cmdline && r.cmdline.length > 0 ? r.cmdline.join(' ') : `[${r.comm}]`,
        }));
      const key = opts.sort === 'rss' ? (x: (typeof rows)[number]) => x.rssBytes : opts.sort === 'faults' ? (x: (typeof rows)[number]) => x.minorFaultsPerSecond + x.majorFaultsPerSecond : (x: (typeof rows)[number]) => x.cpuPercent;
      rows.sort((a, b) => key(b) - key(a) || a.pid - b.pid);
      const top = rows.slice(0, limit);
      const time = new Date().toISOString();
      const total = rows.reduce((t, r) => t + r.cpuPercent, 0);
      if (json) {
        process.stdout.write(`${toJson({ time, interval: s.interval, processes: s.rows.length, started: s.started, ended: s.ended, cpuPercentAll: total, top }, 0)}\n`);
        continue;
      }
      const body = table(
        ['PID', 'CPU%', 'RSS MiB', 'MINFLT/s', 'THR', 'S', 'COMMAND'],
        top.map((r) => [String(r.pid), r.cpuPercent.toFixed(1), (r.rssBytes / 1048576).toFixed(1), r.minorFaultsPerSecond.toFixed(0), String(r.threads), r.state, r.command.slice(0, 80)]),
        [true, true, true, true, true, false, false],
      );
      const head = dim(`procspec top, every ${opts.interval}, ${time}: ${s.rows.length} processes (${s.started} started, ${s.ended} ended), all together ${total.toFixed(1)}% of one CPU`);
      process.stdout.write(`${clearScreen()}${head}\n\n${body}\n`);
    }
  } finally {
    monitor.close();
  }
  return 0;
}
