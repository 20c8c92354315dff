/** `procspec summary`: the live machine at a glance, every size in bytes and time in seconds. */
import type { ProcFs } from '../runtime/index.js';
import { ProcfsError, toJson } from '../runtime/index.js';

const GiB = 1024 ** 3;
const fmtBytes = (n: number): string =>
  n >= GiB ? `${(n / GiB).toFixed(2)} GiB` : n >= 1024 ** 2 ? `${(n / 1024 ** 2).toFixed(1)} MiB` : `${(n / 1024).toFixed(0)} KiB`;
const fmtSeconds = (s: number): string => {
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  return `${d > 0 ? `${d}d ` : ''}${h}h ${m}m (${s.toFixed(0)} s)`;
};

/** Reads one part of the summary; a file the kernel does not offer is reported, not fatal. */
function attempt<T>(what: string, problems: string[], fn: () => T): T | undefined {
  try {
    return fn();
  } catch (err) {
    if (!(err instanceof ProcfsError)) throw err;
    problems.push(`${what}: ${err.message}`);
    return undefined;
  }
}

export function summary(fs: ProcFs, json: boolean): number {
  const problems: string[] = [];
  const started = new Date();
  const version = attempt('version', problems, () => fs.read('proc/version'));
  const uptime = attempt('uptime', problems, () => fs.read('proc/uptime'));
  const load = attempt('loadavg', problems, () => fs.read('proc/loadavg'));
  const mem = attempt('meminfo', problems, () => fs.read('proc/meminfo'));
  const stat = attempt('stat', problems, () => fs.read('proc/stat'));
  const pressure = Object.fromEntries(
    ['cpu', 'memory', 'io'].map((r) => [r, attempt(`pressure/${r}`, problems, () => fs.read('proc/pressure', { resource: r }))]),
  );
  const disks = attempt('diskstats', problems, () => fs.read('proc/diskstats'));
  const net = attempt('net/dev', problems, () => fs.read('proc/net/dev'));
  const data = {
    root: fs.root,
    started: started.toISOString(),
    kernel: version?.release,
    uptimeSeconds: uptime?.uptime,
    load: load ? [load.load1, load.load5, load.load15] : undefined,
    cpus: stat?.cpus.length,
    memory: mem ? { totalBytes: mem.memTotal, availableBytes: mem.memAvailable, swapTotalBytes: mem.swapTotal, swapFreeBytes: mem.swapFree } : undefined,
    pressure: Object.fromEntries(Object.entries(pressure).map(([k, v]) => [k, v ? { someAvg10: v.some?.avg10, fullAvg10: v.full?.avg10 } : undefined])),
    disks: disks?.filter((d) => d.readBytes + d.writeBytes > 0).map((d) => ({ name: d.device, readBytes: d.readBytes, writtenBytes: d.writeBytes })),
    interfaces: net?.flatMap((n) => (n.kind === 'stats' ? [{ name: n.iface, receivedBytes: n.rxBytes, sentBytes: n.txBytes }] : [])),
    problems,
  };
  if (json) {
    process.stdout.write(`${toJson(data)}\n`);
    return 0;
  }
  const lines: string[] = [];
  lines.push(`procspec summary of ${fs.root}`);
  if (data.kernel) lines.push(`  kernel     ${data.kernel}`);
  if (data.uptimeSeconds !== undefined) lines.push(`  uptime     ${fmtSeconds(data.uptimeSeconds)}`);
  if (data.cpus !== undefined && stat) {
    const t = stat.cpu;
    const busy = t.user + t.nice + t.system + (t.irq ?? 0) + (t.softirq ?? 0) + (t.steal ?? 0);
    lines.push(`  cpus       ${data.cpus}, ${((100 * busy) / (busy + t.idle + (t.iowait ?? 0))).toFixed(1)}% busy since boot`);
  }
  if (data.load) lines.push(`  load       ${data.load.map((x) => x.toFixed(2)).join(' ')} (1, 5, 15 min)`);
  if (mem) {
    lines.push(`  memory     ${fmtBytes(mem.memTotal)} total, ${mem.memAvailable !== undefined ? fmtBytes(mem.memAvailable) : '?'} available`);
    lines.push(`  swap       ${fmtBytes(mem.swapTotal)} total, ${fmtBytes(mem.swapFree)} free`);
  }
  for (const [r, p] of Object.entries(data.pressure)) {
    if (p) lines.push(`  pressure   ${r.padEnd(6)} some ${p.someAvg10?.toFixed(2) ?? '-'}%${p.fullAvg10 !== undefined ? `, full ${p.fullAvg10.toFixed(2)}%` : ''} (10 s average)`);
  }
  for (const d of data.disks ?? []) lines.push(`  disk       ${d.name.padEnd(10)} read ${fmtBytes(d.readBytes)}, written ${fmtBytes(d.writtenBytes)}`);
  for (const n of data.interfaces ?? []) lines.push(`  net        ${n.name.padEnd(10)} received ${fmtBytes(n.receivedBytes)}, sent ${fmtBytes(n.sentBytes)}`);
  for (const p of problems) lines.push(`  (not read) ${p}`);
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}
