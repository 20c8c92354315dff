/**
 * Prints available memory and memory pressure once a second.
 *
 *   npx tsx examples/memory-watch.ts [samples]     (default 5)
 *
 * Imports from '../runtime/index.js' to run from this checkout; a program
 * using the installed package writes `from 'procspec'` instead.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ProcFs, ProcfsError } from '../runtime/index.js';

const samples = Number(process.argv[2] ?? 5);
if (!Number.isInteger(samples) || samples < 1) {
  console.error('usage: memory-watch.ts [samples]');
  process.exit(2);
}

const proc = new ProcFs();
const gib = (bytes: number): string => `${(bytes / 2 ** 30).toFixed(2)} GiB`;

/** Share of the last 10 seconds in which some (or all) tasks stalled waiting for memory. */
function pressure(): string {
  try {
    const p = proc.read('proc/pressure', { resource: 'memory' });
    return `some ${p.some?.avg10.toFixed(2) ?? '-'}%, full ${p.full?.avg10.toFixed(2) ?? '-'}% (10 s)`;
  } catch (err) {
    // Kernels before 4.20, or booted with psi=0, have no pressure files.
    if (err instanceof ProcfsError && (err.code === 'not_found' || err.code === 'unsupported')) return 'not available';
    throw err;
  }
}

for (let i = 0; i < samples; i++) {
  if (i > 0) await sleep(1000);
  const m = proc.read('proc/meminfo'); // sizes in bytes
  // MemAvailable appeared in 3.14; before it, free + page cache + buffers is the usual estimate.
  const available = m.memAvailable ?? m.memFree + m.cached + m.buffers;
  const time = new Date().toTimeString().slice(0, 8);
  const share = ((100 * available) / m.memTotal).toFixed(1);
  console.log(`${time}  available ${gib(available)} of ${gib(m.memTotal)} (${share}%)  pressure ${pressure()}`);
}
