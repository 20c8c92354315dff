/**
 * Run in a pid namespace of its own (unshare --pid --fork --mount-proc), where
 * the kernel's last pid moves only with the tasks this process tree creates:
 * starts 40 sleeping children (more than one batch of the native reader),
 * then lists and samples them, and prints as JSON how many tasks the
 * listings and samples created (the last pid's move), the sleeping children
 * the last sample found, and, of the samples taken while no task was
 * created anywhere since the monitor last listed the root (the kernel's
 * task counter in /proc/stat, which is the whole machine's, read before and
 * after the sample), how many there were and how many listed the root all
 * the same. Other processes of the machine (tests running beside this one)
 * move that counter: samples go on until 10 such still ones, or 200 samples.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { ProcFs } from '../../runtime/index.js';

const fs = new ProcFs();
const kids = Array.from({ length: 40 }, () => spawn('sleep', ['30'], { stdio: 'ignore' }));
const lastPid = (): number => Number(readFileSync('/proc/sys/kernel/ns_last_pid', 'utf8'));
while (fs.processes({ groups: ['base'] }).rows.filter((r) => r.comm === 'sleep').length < 40) await new Promise((r) => setTimeout(r, 20));
const monitor = fs.monitor({ groups: ['base', 'cmdline'], threads: 1 });
// Warm: the first calls may start the reader's helper threads (once for the process).
const forks = (): number => Number(/^processes (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'))![1]);
fs.processes({ groups: ['base'], threads: 1 });
const a0 = forks();
monitor.sample();
/** The counter when the monitor last listed the root, when known exactly (it did not move during that sample). */
let atListing: number | undefined = forks() === a0 ? a0 : undefined;
const before = lastPid();
let still = 0;
let listedWhenStill = 0;
let sleeping = 0;
for (let i = 0; i < 200 && still < 10; i++) {
  fs.processes({ groups: ['base', 'cmdline'], threads: 1 });
  const a = forks();
  const s = monitor.sample();
  const b = forks();
  if (a === b && a === atListing) {
    still++;
    if (s.listed) listedWhenStill++;
  }
  if (s.listed) atListing = a === b ? a : undefined;
  sleeping = s.rows.filter((r) => r.comm === 'sleep').length;
}
const created = lastPid() - before;
monitor.close();
for (const k of kids) k.kill('SIGKILL');
console.log(JSON.stringify({ created, still, listedWhenStill, sleeping }));
