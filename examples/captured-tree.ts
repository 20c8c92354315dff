/**
 * Reading saved copies of /proc files, as they come from another machine:
 * copies a few live files into a folder laid out like a procfs root, then
 * reads them back with a ProcFs on that folder. A copy carries no page size
 * or clock tick of its own, so they are given (here 4096 and 100, x86-64's).
 *
 *   npx tsx examples/captured-tree.ts [folder]     (default: a temporary folder, removed at the end)
 *
 * Imports from '../runtime/index.js' to run from this checkout; a program
 * using the installed package writes `from 'procspec'` instead.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProcFs } from '../runtime/index.js';

const keep = process.argv[2];
const root = keep ?? mkdtempSync(join(tmpdir(), 'procspec-captured-'));
const pid = process.pid;

try {
  // The capture: byte-exact copies, this process's files under its pid, and `self` pointing there as in /proc.
  mkdirSync(join(root, String(pid)), { recursive: true });
  for (const file of ['meminfo', 'stat', 'loadavg', 'self/stat', 'self/status']) {
    const to = join(root, file.replace(/^self\//, `${pid}/`));
    writeFileSync(to, readFileSync(join('/proc', file)));
  }
  rmSync(join(root, 'self'), { force: true });
  symlinkSync(String(pid), join(root, 'self'));

  // The reading: the same calls as on the live /proc, with the units of the machine the copy came from.
  const saved = new ProcFs({ root, pageSize: 4096, clockTick: 100 });
  const mem = saved.read('proc/meminfo');
  const cpu = saved.read('proc/stat').cpu;
  const load = saved.read('proc/loadavg');
  const stat = saved.read('proc/pid/stat', { pid });
  const status = saved.read('proc/pid/status'); // pid defaults to self
  const gib = (bytes: number): string => `${(bytes / 2 ** 30).toFixed(2)} GiB`;
  const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

  console.log(`captured into ${root}`);
  console.log(`meminfo  total ${gib(mem.memTotal)}, available ${mem.memAvailable === undefined ? '-' : gib(mem.memAvailable)}`);
  console.log(`stat     CPU time since boot: ${(cpu.user + cpu.system).toFixed(0)} s busy, ${cpu.idle.toFixed(0)} s idle`);
  console.log(`loadavg  ${load.load1} ${load.load5} ${load.load15}, ${load.entities.running}/${load.entities.total} threads runnable`);
  console.log(`${pid}/stat    ${stat.comm} (${stat.state}), rss ${mib(stat.rss)}, ${(stat.utime + stat.stime).toFixed(2)} s of CPU`);
  console.log(`self/status  ${status.name}, ${status.threads} threads, VmRSS ${status.vmRss === undefined ? '-' : mib(status.vmRss)}`);
  // The page size matters: stat counts rss in pages, so the same file from a 64 KiB-page machine reads 16 times larger.
  const arm = new ProcFs({ root, pageSize: 65536, clockTick: 100 }).read('proc/pid/stat', { pid });
  console.log(`the same ${pid}/stat read with 64 KiB pages: rss ${mib(arm.rss)}`);
} finally {
  if (keep === undefined) rmSync(root, { recursive: true, force: true });
}
