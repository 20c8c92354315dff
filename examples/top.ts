/**
 * A top-like listing: the 10 processes using the most CPU, once a second.
 * The refresh mode (ProcFs.monitor) keeps each process's stat and cmdline
 * open between samples and gives CPU % from the change since the last one.
 *
 *   npx tsx examples/top.ts [samples]     (default 5)
 *
 * Imports from '../runtime/index.js' to run from this checkout; a program
 * using the installed package writes `from 'procspec'` instead.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ProcFs, type MonitorRow, type Rates } from '../runtime/index.js';

const samples = Number(process.argv[2] ?? 5);
if (!Number.isInteger(samples) || samples < 1) {
  console.error('usage: top.ts [samples]');
  process.exit(2);
}

type Row = MonitorRow<'base' | 'cpu' | 'memory' | 'cmdline'>;

/** The command line, or `[comm]` for kernel threads and processes whose cmdline may not be read. */
const command = (r: Row): string => (r.cmdline !== undefined && r.cmdline.length > 0 ? r.cmdline.join(' ') : `[${r.comm}]`);

const proc = new ProcFs();
const top = proc.monitor({ groups: ['base', 'cpu', 'memory', 'cmdline'] });
try {
  top.sample(); // the baseline: rates need a previous sample
  for (let i = 0; i < samples; i++) {
    await sleep(1000);
    const s = await top.sampleAsync(); // the kept files are re-read in the thread pool
    const load = proc.read('proc/loadavg');
    const busiest = s.rows
      .filter((r): r is Row & { rates: Rates } => r.rates !== undefined)
      .sort((a, b) => b.rates.cpuPercent - a.rates.cpuPercent || b.utime + b.stime - (a.utime + a.stime))
      .slice(0, 10);
    console.log(
      `\n${new Date().toTimeString().slice(0, 8)}  ${s.rows.length} processes (${s.started} new, ${s.ended} ended)  ` +
        `load ${load.load1.toFixed(2)} ${load.load5.toFixed(2)} ${load.load15.toFixed(2)}  ${s.openFiles} files kept open`,
    );
    console.log('    PID   %CPU    RSS MiB  STATE       TIME  COMMAND');
    for (const r of busiest) {
      const cpu = r.rates.cpuPercent.toFixed(1).padStart(6);
      const rss = (r.rss / 2 ** 20).toFixed(1).padStart(10);
      const time = (r.utime + r.stime).toFixed(2).padStart(9); // seconds of CPU since the process started
      console.log(`${String(r.pid).padStart(7)} ${cpu} ${rss}  ${r.state.padEnd(10)} ${time}  ${command(r).slice(0, 60)}`);
    }
  }
} finally {
  top.close();
}
