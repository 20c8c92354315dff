/**
 * `procspec top`: processes sorted by CPU use, from the refresh mode of the
 * process table (files kept open between samples, rates from the change).
 * On a terminal: a table redrawn each interval; piped: one JSON line per
 * sample.
 */
import type { ProcFs } from '../runtime/index.js';
import { ProcfsError, toJson } from '../runtime/index.js';
import { clearScreen, dim, isTerminal, mib, parseCount, parseInterval, sleep, table } from './terminal.js';
import { UsageError } from './usage.js';

export interface TopOptions {
  interval: string;
  count?: string;
  limit: string;
  sort: string;
  json?: boolean;
  /** Exact mode: rss and the fault counters read as bigints (rates still numbers), rssBytes written with all its digits. */
  bigint?: boolean;
}

const SORTS = ['cpu', 'rss', 'faults'] as const;

export async function topCommand(fs: ProcFs<boolean>, opts: TopOptions): Promise<number> {
  const seconds = parseInterval(opts.interval);
  const count = parseCount(opts.count);
  const limit = Number(opts.limit);
  if (!Number.isInteger(limit) || limit <= 0) throw new UsageError(`bad --limit ${opts.limit}: a positive whole number`);
  if (!SORTS.includes(opts.sort as (typeof SORTS)[number])) throw new UsageError(`unknown sort ${opts.sort}: one of ${SORTS.join(', ')}`);
  const json = opts.json === true || !isTerminal();
  // Only stat is re-read for every process; the command line only for the rows shown.
  const monitor = fs.monitor({ groups: ['base', 'cpu', 'memory'] });
  try {
    monitor.sample();
    for (let n = 0; n < count; n++) {
      await sleep(seconds);
      const s = await monitor.sampleAsync();
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
          startTicks: r.startTicks,
        }));
      const key =
        opts.sort === 'rss'
          ? (x: (typeof rows)[number]) => Number(x.rssBytes)
          : opts.sort === 'faults'
            ? (x: (typeof rows)[number]) => x.minorFaultsPerSecond + x.majorFaultsPerSecond
            : (x: (typeof rows)[number]) => x.cpuPercent;
      rows.sort((a, b) => key(b) - key(a) || a.pid - b.pid);
      const top = rows.slice(0, limit).map(({ startTicks, ...r }) => ({ ...r, command: commandOf(fs, r.pid, startTicks, r.comm) }));
      const time = new Date().toISOString();
      const total = rows.reduce((t, r) => t + r.cpuPercent, 0);
      if (json) {
        process.stdout.write(
          `${toJson({ time, interval: s.interval, processes: s.rows.length, started: s.started, ended: s.ended, cpuPercentAll: total, top }, 0, opts.bigint === true)}\n`,
        );
        continue;
      }
      const body = table(
        ['PID', 'CPU%', 'RSS MiB', 'MINFLT/s', 'THR', 'S', 'COMMAND'],
        top.map((r) => [
          String(r.pid),
          r.cpuPercent.toFixed(1),
          mib(Number(r.rssBytes)),
          r.minorFaultsPerSecond.toFixed(0),
          String(r.threads),
          r.state,
          r.command.slice(0, 80),
        ]),
        [true, true, true, true, true, false, false],
      );
      const head = dim(
        `procspec top, every ${opts.interval}, ${time}: ${s.rows.length} processes (${s.started} started, ${s.ended} ended), all together ${total.toFixed(1)}% of one CPU`,
      );
      process.stdout.write(`${clearScreen()}${head}\n\n${body}\n`);
    }
  } finally {
    monitor.close();
  }
  return 0;
}

/**
 * The command line of a process shown, read when it is shown: `[comm]` for a
 * kernel thread or a process without one, and for a process that ended or
 * whose pid names another process by the time it is read.
 */
function commandOf(fs: ProcFs<boolean>, pid: number, startTicks: number, comm: string): string {
  try {
    const argv = fs.read('proc/pid/cmdline', { pid });
    if (argv.length > 0 && fs.isSameProcess(pid, startTicks)) return argv.join(' ');
  } catch (err) {
    if (!(err instanceof ProcfsError)) throw err;
  }
  return `[${comm}]`;
}
