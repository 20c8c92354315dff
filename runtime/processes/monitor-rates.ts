/**
 * The refresh mode's rates: how fast a process used CPU, faulted and did
 * I/O since the previous sample, from the change of its counters.
 */
import { difference } from '../model/measures.js';
import type { Stat } from './groups.js';

/** Rates of one process since the previous sample (absent on its first sample). */
export interface Rates {
  /** CPU time used per wall-clock time, in percent of one CPU (200 is two CPUs busy). */
  cpuPercent: number;
  minorFaultsPerSecond: number;
  majorFaultsPerSecond: number;
  /** Bytes per second fetched from storage (with the io group). */
  readBytesPerSecond?: number;
  /** Bytes per second sent to storage (with the io group). */
  writeBytesPerSecond?: number;
}

/** Counters of a process at its previous sample, for its rates; bigints in exact mode, subtracted exactly. */
export interface Counters {
  /** When they were read, in seconds (performance.now() / 1000); below 0: not yet. */
  at: number;
  /** utime + stime, in seconds. */
  cpu: number;
  minflt: number | bigint;
  majflt: number | bigint;
  /** Bytes of the io group (undefined without it, or when it was denied). */
  readBytes: number | bigint | undefined;
  writeBytes: number | bigint | undefined;
}

/** The counters of a row's io group that rates are taken of. */
export interface IoCounters {
  readBytes: number | bigint;
  writeBytes: number | bigint;
}

/**
 * The rates of a process since the counters in `w`, now that it has read
 * `s` (and `io`, with the io group) at `now` (seconds, as Counters.at):
 * undefined on its first sample or when no time has passed. `w` is then
 * set to the counters of now (one object per process, kept).
 */
export function stepRates(w: Counters, s: Stat, io: IoCounters | undefined, now: number): Rates | undefined {
  const cpu = s.utime + s.stime;
  let rates: Rates | undefined;
  if (w.at >= 0 && now > w.at) {
    const dt = now - w.at;
    // Counters read as bigints are subtracted as bigints; only the difference becomes a number.
    rates = {
      cpuPercent: ((cpu - w.cpu) / dt) * 100,
      minorFaultsPerSecond: difference(s.minflt, w.minflt) / dt,
      majorFaultsPerSecond: difference(s.majflt, w.majflt) / dt,
    };
    if (io !== undefined && w.readBytes !== undefined) rates.readBytesPerSecond = difference(io.readBytes, w.readBytes) / dt;
    if (io !== undefined && w.writeBytes !== undefined) rates.writeBytesPerSecond = difference(io.writeBytes, w.writeBytes) / dt;
  }
  w.at = now;
  w.cpu = cpu;
  w.minflt = s.minflt;
  w.majflt = s.majflt;
  w.readBytes = io?.readBytes;
  w.writeBytes = io?.writeBytes;
  return rates;
}
