/**
 * Run in a pid namespace of its own (unshare --pid --fork --mount-proc), where
 * the kernel's last pid moves only with the tasks this process tree creates:
 * starts 40 sleeping children (more than one batch of the native reader),
 * then lists and samples them, and prints as JSON how many tasks the
 * listings and samples created (the last pid's move), how many samples
 * re-read their tasks without listing the root, and the sleeping children
 * the last sample found.
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
fs.processes({ groups: ['base'], threads: 1 });
monitor.sample();
const before = lastPid();
let unlisted = 0;
let sleeping = 0;
for (let i = 0; i < 10; i++) {
  fs.processes({ groups: ['base', 'cmdline'], threads: 1 });
  const s = monitor.sample();
  if (!s.listed) unlisted++;
  sleeping = s.rows.filter((r) => r.comm === 'sleep').length;
}
const created = lastPid() - before;
monitor.close();
for (const k of kids) k.kill('SIGKILL');
console.log(JSON.stringify({ created, unlisted, sleeping }));
