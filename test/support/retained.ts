/**
 * Run by scan.test.ts in a process of its own with --expose-gc: parses a
 * large mountinfo text `count` times, keeps one value of each parse (a mount
 * point of 33 characters, or with "none" a one-character string), and prints
 * how many bytes the heap grew by once everything else is collected.
 */
import { parseProcPidMountinfo } from '../../generated/parsers/proc/pid/mountinfo.js';

const [count, what] = [Number(process.argv[2] ?? 20), process.argv[3] ?? 'mountPoint'];
const lines: string[] = [];
for (let i = 0; i < 10000; i++)
  lines.push(`${100 + i} 1 0:${50 + (i % 900)} / /tmp/procspec-mounts-abcdef/${String(i).padStart(5, '0')} rw,relatime shared:${i} - tmpfs tmpfs rw,inode64`);
const bytes = Buffer.from(`${lines.join('\n')}\n`);
const gc = (globalThis as { gc?: () => void }).gc!;
// One parse first: compiled code and caches are not what is measured.
parseProcPidMountinfo(bytes);
gc();
const before = process.memoryUsage().heapUsed;
const kept: string[] = [];
for (let i = 0; i < count; i++) {
  const rows = parseProcPidMountinfo(bytes);
  kept.push(what === 'none' ? 'x' : rows[rows.length - 1]!.mountPoint);
}
gc();
gc();
process.stdout.write(`${JSON.stringify({ kept: kept.length, length: kept[0]!.length, grew: process.memoryUsage().heapUsed - before, text: bytes.length })}\n`);
