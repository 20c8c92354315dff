/**
 * `procspec summary`: one snapshot of the system that needs no manual to
 * read. Names say what they mean; every size is in bytes and every time in
 * seconds; the snapshot carries its format version, when it started and
 * ended, the kernel, and the files it was read from (each read once, in a
 * fixed order). Output: a readable text (default), JSON (--json), or
 * Name=value lines a shell can `source` (--shell).
 */
import type { ProcFs } from '../runtime/index.js';
import { ProcfsError, toJson } from '../runtime/index.js';

/**
 * Version of the summary's format: the major number changes only when a
 * value is removed or changes meaning, the minor when one is added.
 */
export const SUMMARY_FORMAT = { name: 'procspec-summary', version: '1.0' } as const;

const GiB = 1024 ** 3;
/** A size for reading (a bigint of exact mode too: rounded to a double here, for display). */
const fmtBytes = (size: number | bigint): string => {
  const n = Number(size);
  return n >= GiB ? `${(n / GiB).toFixed(2)} GiB` : n >= 1024 ** 2 ? `${(n / 1024 ** 2).toFixed(1)} MiB` : `${(n / 1024).toFixed(0)} KiB`;
};
const fmtSeconds = (s: number): string => {
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  return `${d > 0 ? `${d}d ` : ''}${h}h ${m}m (${s.toFixed(0)} s)`;
};

/** The snapshot: built once, then written in the format asked for. */
export function snapshot(fs: ProcFs<boolean>): Record<string, unknown> {
  const problems: { source: string; code: string; message: string }[] = [];
  const sources: string[] = [];
  const startedAt = new Date();
  const t0 = performance.now();
  /** Reads one file (once); a file the kernel does not offer is listed under problems, not fatal. */
  const read = <T>(id: string, params: Record<string, string> = {}): T | undefined => {
    const path = fs.path(id as never, params);
    sources.push(path);
    try {
      return fs.read(id as never, params) as T;
    } catch (err) {
      if (!(err instanceof ProcfsError)) throw err;
      problems.push({ source: path, code: err.code, message: err.message });
      return undefined;
    }
  };
  // biome-ignore lint/suspicious/noExplicitAny: the snapshot is walked by key names the summary chooses at run time
  type R = Record<string, any>;
  const version = read<R>('proc/version');
  const uptime = read<R>('proc/uptime');
  const load = read<R>('proc/loadavg');
  const stat = read<R>('proc/stat');
  const mem = read<R>('proc/meminfo');
  const pressure = Object.fromEntries(['cpu', 'memory', 'io'].map((r) => [r, read<R>('proc/pressure', { resource: r })]));
  const disks = read<R[]>('proc/diskstats');
  const net = read<R[]>('proc/net/dev');
  const endedAt = new Date();
  const cpuTimes = (t: R) => ({
    userSeconds: t.user,
    niceSeconds: t.nice,
    systemSeconds: t.system,
    idleSeconds: t.idle,
    iowaitSeconds: t.iowait,
    irqSeconds: t.irq,
    softirqSeconds: t.softirq,
    stealSeconds: t.steal,
  });
  const psi = (p: R | undefined) =>
    p && {
      someAvg10Percent: p.some?.avg10,
      someAvg60Percent: p.some?.avg60,
      someAvg300Percent: p.some?.avg300,
      someStalledSeconds: p.some?.total,
      ...(p.full ? { fullAvg10Percent: p.full.avg10, fullAvg60Percent: p.full.avg60, fullAvg300Percent: p.full.avg300, fullStalledSeconds: p.full.total } : {}),
    };
  return {
    format: SUMMARY_FORMAT,
    snapshot: { startedAt: startedAt.toISOString(), endedAt: endedAt.toISOString(), readSeconds: (performance.now() - t0) / 1000 },
    root: fs.root,
    sources,
    kernel: version && { name: version.sysname, release: version.release, build: version.build, builtBy: version.builder, compiler: version.compiler },
    uptimeSeconds: uptime?.uptime,
    load: load && {
      average1Minute: load.load1,
      average5Minutes: load.load5,
      average15Minutes: load.load15,
      runnableThreads: load.entities?.running,
      threads: load.entities?.total,
    },
    cpu: stat && {
      count: stat.cpus.length,
      sinceBoot: cpuTimes(stat.cpu),
      contextSwitches: stat.ctxt,
      processesCreated: stat.processes,
      threadsRunnable: stat.procsRunning,
      threadsBlockedOnIo: stat.procsBlocked,
      bootedAt: new Date(stat.btime * 1000).toISOString(),
    },
    memory: mem && {
      totalBytes: mem.memTotal,
      freeBytes: mem.memFree,
      availableBytes: mem.memAvailable,
      buffersBytes: mem.buffers,
      cachedBytes: mem.cached,
      dirtyBytes: mem.dirty,
      swapTotalBytes: mem.swapTotal,
      swapFreeBytes: mem.swapFree,
    },
    pressure: Object.fromEntries(Object.entries(pressure).map(([k, v]) => [k, psi(v)])),
    disks: disks
      ?.filter((d) => d.readBytes + d.writeBytes > 0)
      .map((d) => ({
        name: d.device,
        readBytes: d.readBytes,
        writtenBytes: d.writeBytes,
        readsCompleted: d.readsCompleted,
        writesCompleted: d.writesCompleted,
        busySeconds: d.ioTime,
      })),
    networkInterfaces: net?.flatMap((n) =>
      n.kind === 'stats' ? [{ name: n.iface, receivedBytes: n.rxBytes, sentBytes: n.txBytes, receivedPackets: n.rxPackets, sentPackets: n.txPackets }] : [],
    ),
    problems,
  };
}

/** A shell variable name from a path of keys: letters, digits and underscores, not starting with a digit. */
const shellName = (path: string[]): string =>
  path
    .join('_')
    .replace(/[^A-Za-z0-9_]/g, '_')
    .replace(/^([0-9])/, '_$1');

/** A value as a shell word: bare when it is plain, else single-quoted (a quote inside written as '\''). */
const shellWord = (v: unknown): string => {
  const s = typeof v === 'string' ? v : String(v);
  return /^[A-Za-z0-9_.:/+-]*$/.test(s) && s !== '' ? s : `'${s.replace(/'/g, `'\\''`)}'`;
};

/** Name=value lines for `source`: nested names joined with underscores, list items by their name or index. */
export function shellLines(data: unknown): string[] {
  const out: string[] = [];
  const walk = (x: unknown, path: string[]): void => {
    if (x === undefined || x === null) return;
    if (Array.isArray(x)) {
      out.push(`${shellName([...path, 'count'])}=${x.length}`);
      x.forEach((y, i) => {
        const name = y !== null && typeof y === 'object' && typeof (y as { name?: unknown }).name === 'string' ? (y as { name: string }).name : String(i);
        walk(y, [...path, name]);
      });
    } else if (typeof x === 'object') {
      for (const [k, y] of Object.entries(x)) walk(y, [...path, k]);
    } else out.push(`${shellName(path)}=${shellWord(x)}`);
  };
  walk(data, []);
  return out;
}

/** Writes the snapshot; with `digits` (summary --bigint, a ProcFs in exact mode) JSON writes its bigints as numbers with all their digits. */
export function summary(fs: ProcFs<boolean>, as: 'text' | 'json' | 'shell', digits = false): number {
  // biome-ignore lint/suspicious/noExplicitAny: as above, a snapshot walked by key names
  const data = snapshot(fs) as Record<string, any>;
  if (as === 'json') {
    process.stdout.write(`${toJson(data, 2, digits)}\n`);
    return 0;
  }
  if (as === 'shell') {
    process.stdout.write(`${shellLines(data).join('\n')}\n`);
    return 0;
  }
  const lines: string[] = [];
  lines.push(
    `procspec summary of ${data.root} (format ${data.format.version}, read in ${(data.snapshot.readSeconds * 1000).toFixed(1)} ms at ${data.snapshot.startedAt})`,
  );
  if (data.kernel) lines.push(`  kernel     ${data.kernel.release}`);
  if (data.uptimeSeconds !== undefined) lines.push(`  uptime     ${fmtSeconds(data.uptimeSeconds)}`);
  if (data.cpu) {
    const t = data.cpu.sinceBoot;
    const busy = t.userSeconds + t.niceSeconds + t.systemSeconds + (t.irqSeconds ?? 0) + (t.softirqSeconds ?? 0) + (t.stealSeconds ?? 0);
    lines.push(`  cpus       ${data.cpu.count}, ${((100 * busy) / (busy + t.idleSeconds + (t.iowaitSeconds ?? 0))).toFixed(1)}% busy since boot`);
  }
  if (data.load)
    lines.push(
      `  load       ${[data.load.average1Minute, data.load.average5Minutes, data.load.average15Minutes].map((x: number) => x.toFixed(2)).join(' ')} (1, 5, 15 min)`,
    );
  if (data.memory) {
    const m = data.memory;
    lines.push(`  memory     ${fmtBytes(m.totalBytes)} total, ${m.availableBytes !== undefined ? fmtBytes(m.availableBytes) : '?'} available`);
    lines.push(`  swap       ${fmtBytes(m.swapTotalBytes)} total, ${fmtBytes(m.swapFreeBytes)} free`);
  }
  for (const [r, p] of Object.entries(data.pressure as Record<string, Record<string, number> | undefined>)) {
    if (p)
      lines.push(
        `  pressure   ${r.padEnd(6)} some ${p.someAvg10Percent?.toFixed(2) ?? '-'}%${p.fullAvg10Percent !== undefined ? `, full ${p.fullAvg10Percent.toFixed(2)}%` : ''} (10 s average)`,
      );
  }
  for (const d of data.disks ?? []) lines.push(`  disk       ${d.name.padEnd(10)} read ${fmtBytes(d.readBytes)}, written ${fmtBytes(d.writtenBytes)}`);
  for (const n of data.networkInterfaces ?? [])
    lines.push(`  net        ${n.name.padEnd(10)} received ${fmtBytes(n.receivedBytes)}, sent ${fmtBytes(n.sentBytes)}`);
  for (const p of data.problems) lines.push(`  (not read) ${p.message}`);
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}
