/**
 * What tells one process incarnation from another: a pid is reused once its
 * process has been reaped, (pid, start time in clock ticks since boot) is not.
 */
import { parseProcPidStat } from '../../generated/parsers/proc/pid/stat.js';
import { contextOf } from '../core/context.js';
import { ProcfsError } from '../core/errors.js';
import { readFileSync } from '../reading/read.js';

/** What identifies one process incarnation: a pid is reused, (pid, startTicks) is not. */
export interface Identity {
  /** Process id (for a thread row: the thread's id). */
  pid: number;
  /** Thread group (process) id: equal to pid for a process row. */
  tgid: number;
  /** Start time in clock ticks since boot (stat field 22), which tells incarnations of a pid apart. */
  startTicks: number;
}

/**
 * Start time in clock ticks since boot from stat's starttime as parsed (in
 * seconds: ticks / clockTick), rounded back to the whole ticks the kernel wrote.
 */
export const startTicksOf = (starttime: number, clockTick: number): number => Math.round(starttime * clockTick);

/**
 * Whether `pid` still names the incarnation that started at `startTicks`
 * (a pid is reused once its process has been reaped).
 */
export function isSameProcess(root: string, pid: number, startTicks: number, clockTick: number): boolean {
  try {
    const stat = parseProcPidStat(readFileSync(`${root}/${pid}/stat`), contextOf({ clockTick }));
    return startTicksOf(stat.starttime, clockTick) === startTicks;
  } catch (err) {
    if (err instanceof ProcfsError && err.code === 'not_found') return false;
    throw err;
  }
}
