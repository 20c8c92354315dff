/**
 * CPU and memory of a server process and the processes under it, for the
 * exporter benchmarks: `procspec serve` serves from a child node started
 * with V8 flags (bin/procspec.js), so the process a benchmark spawned is
 * only the parent, and both are counted.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { ProcFs } from '../dist/runtime/index.js';

const TICK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

const procfs = new ProcFs();

/** The processes under `pid` (children, their children, ...). */
export const descendants = (pid: number): number[] =>
  procfs.processes({ groups: ['base'], select: { childrenOf: pid } }).rows.flatMap((r) => [r.pid, ...descendants(r.pid)]);

/** CPU seconds (user + system, all threads) a process and the processes under it have used, from /proc/PID/stat (counted in clock ticks of 10 ms). */
export function cpuSeconds(pid: number): number {
  let ticks = 0;
  for (const p of [pid, ...descendants(pid)]) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'latin1');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // Fields 14 and 15 of stat(5) (utime, stime) are 12 and 13 after the command's closing parenthesis.
      ticks += Number(f[11]) + Number(f[12]);
    } catch {
      // ended between the listing and the read
    }
  }
  return ticks / TICK;
}

/** Whether the kernel keeps per-thread run times (CONFIG_SCHED_INFO). */
const SCHEDSTAT = existsSync('/proc/self/schedstat');

/**
 * CPU seconds a process and the processes under it have run, to the nanosecond: the sum of every
 * thread's run time in /proc/PID/task/TID/schedstat. utime and stime charge a whole 10 ms tick to
 * whatever runs when the tick comes, which puts a fifth of noise on 20 scrapes of a few
 * milliseconds. A thread that ended is not counted (none of the exporters benchmarked ends threads
 * while serving); without schedstat (a kernel built without CONFIG_SCHED_INFO) the ticks are taken.
 */
export function runSeconds(pid: number): number {
  if (!SCHEDSTAT) return cpuSeconds(pid);
  let ns = 0;
  for (const p of [pid, ...descendants(pid)]) {
    let tasks: string[];
    try {
      tasks = readdirSync(`/proc/${p}/task`);
    } catch {
      continue; // ended between the listing and the read
    }
    for (const t of tasks) {
      try {
        ns += Number(readFileSync(`/proc/${p}/task/${t}/schedstat`, 'latin1').split(' ')[0]);
      } catch {
        // the thread ended between the listing and the read
      }
    }
  }
  return ns / 1e9;
}

/** Resident memory (MiB) of a process and the processes under it, from /proc/PID/status. */
export function rssMiB(pid: number): number {
  let kib = 0;
  for (const p of [pid, ...descendants(pid)]) {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${p}/status`, 'latin1'));
    kib += Number(m?.[1] ?? 0);
  }
  return kib / 1024;
}
