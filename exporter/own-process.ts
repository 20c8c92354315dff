/**
 * The `process` collector: the exporter's own process, under the names
 * every Prometheus client library gives it (`process_cpu_seconds_total`,
 * `process_resident_memory_bytes`, ...), so the dashboards and alerts
 * written for other exporters work on this one. It reads the exporter's
 * own files with procspec's parsers, always from /proc (the procfs of the
 * exporter's own pid namespace, whatever root the other collectors read).
 */
import { readdirSync } from 'node:fs';
import { ProcFs } from '../runtime/index.js';
import type { OwnCollector } from './collect.js';
import { ownFamily } from './names.js';
import type { Sink } from './walks.js';

const fam = ownFamily;

export const PROCESS_FAMILIES = {
  cpu: fam('process_cpu_seconds', 'counter', 'seconds', 'CPU time the exporter has used in user and kernel mode. /proc/self/stat utime + stime.'),
  resident: fam('process_resident_memory_bytes', 'gauge', 'bytes', 'Memory of the exporter resident in RAM. /proc/self/stat rss.'),
  virtual: fam('process_virtual_memory_bytes', 'gauge', 'bytes', "Size of the exporter's virtual address space. /proc/self/stat vsize."),
  virtualMax: fam(
    'process_virtual_memory_max_bytes',
    'gauge',
    'bytes',
    "Soft limit on the exporter's address space (+Inf when unlimited). /proc/self/limits Max address space.",
  ),
  start: fam(
    'process_start_time_seconds',
    'gauge',
    'seconds',
    'When the exporter started, in seconds since the Unix epoch. /proc/self/stat starttime after /proc/stat btime.',
  ),
  openFds: fam('process_open_fds', 'gauge', '', 'File descriptors the exporter has open. Entries of /proc/self/fd.'),
  maxFds: fam('process_max_fds', 'gauge', '', "Soft limit on the exporter's open file descriptors (+Inf when unlimited). /proc/self/limits Max open files."),
} as const;

/** A soft limit as a sample value: +Inf for unlimited. */
const limitValue = (soft: unknown): number | bigint | undefined =>
  soft === 'unlimited' ? Number.POSITIVE_INFINITY : typeof soft === 'number' || typeof soft === 'bigint' ? soft : undefined;

export class ProcessCollector implements OwnCollector {
  readonly name = 'process';
  readonly id = 'process';
  private readonly fs = new ProcFs({ keepOpen: true });
  /** Boot time (seconds since the epoch), read once: it does not change while the system runs. */
  private btime: number | undefined;

  async collect(sink: Sink): Promise<{ error?: string }> {
    const pid = process.pid;
    // Read on this thread: files of the exporter's own process, which the kernel prints at once (whatever could hold
    // this process's locks is this process), where each async read or listing was a hop to the thread pool and back.
    const stat = this.fs.read('proc/pid/stat', { pid });
    const limits = this.fs.read('proc/pid/limits', { pid });
    const fds = readdirSync('/proc/self/fd');
    this.btime ??= this.fs.read('proc/stat').btime;
    const F = PROCESS_FAMILIES;
    sink.add(F.cpu, '', stat.utime + stat.stime, 1);
    sink.add(F.resident, '', stat.rss, 1);
    sink.add(F.virtual, '', stat.vsize, 1);
    if (this.btime !== undefined) sink.add(F.start, '', this.btime + stat.starttime, 1);
    // The directory's own descriptor, open while it is listed, is one of the entries.
    sink.add(F.openFds, '', fds.length, 1);
    for (const [limit, def] of [
      ['Max address space', F.virtualMax],
      ['Max open files', F.maxFds],
    ] as const) {
      const v = limitValue(limits.find((r) => r.limit === limit)?.soft);
      if (v !== undefined) sink.add(def, '', v, 1);
    }
    return {};
  }

  close(): void {
    this.fs.dropCache();
  }
}
