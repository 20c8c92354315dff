/**
 * `procspec ps`: a ps-like table of processes from the process table, with
 * chosen columns, sorting, a tree view and JSON. Only the files the chosen
 * columns need are read.
 */
import { toJson, type Group, type ProcFs, type ProcessRow } from '../runtime/index.js';
import { alignedLines, mib } from './terminal.js';
import { UsageError } from './usage.js';

type Row = ProcessRow<Group>;

interface Column {
  /** Header text. */
  title: string;
  /** Groups whose files hold the column's value. */
  groups: Group[];
  value: (r: Row) => string | number | undefined;
  /** Right-aligned (numbers). */
  right?: boolean;
}

const STATE: Record<string, string> = {
  running: 'R',
  sleeping: 'S',
  disk_sleep: 'D',
  zombie: 'Z',
  stopped: 'T',
  tracing_stop: 't',
  paging: 'W',
  dead: 'X',
  dead_task: 'x',
  wakekill: 'K',
  parked: 'P',
  idle: 'I',
};

const mibOf = (bytes: number | undefined): string | undefined => (bytes === undefined ? undefined : mib(bytes));

/** The columns `--columns` may name. */
export const COLUMNS: Record<string, Column> = {
  // As procps: PID is the process (thread group), TID the thread, the same on a process's own row.
  pid: { title: 'PID', groups: [], value: (r) => r.tgid, right: true },
  tid: { title: 'TID', groups: [], value: (r) => r.pid, right: true },
  tgid: { title: 'TGID', groups: [], value: (r) => r.tgid, right: true },
  ppid: { title: 'PPID', groups: ['base'], value: (r) => r.ppid, right: true },
  pgid: { title: 'PGID', groups: ['base'], value: (r) => r.pgid, right: true },
  sid: { title: 'SID', groups: ['base'], value: (r) => r.sid, right: true },
  state: { title: 'S', groups: ['base'], value: (r) => (r.state === undefined ? undefined : STATE[r.state]) },
  comm: { title: 'COMMAND', groups: ['base'], value: (r) => r.comm },
  utime: { title: 'USER(s)', groups: ['cpu'], value: (r) => r.utime?.toFixed(2), right: true },
  stime: { title: 'SYS(s)', groups: ['cpu'], value: (r) => r.stime?.toFixed(2), right: true },
  time: {
    title: 'TIME(s)',
    groups: ['cpu'],
    value: (r) => (r.utime === undefined || r.stime === undefined ? undefined : (r.utime + r.stime).toFixed(2)),
    right: true,
  },
  threads: { title: 'THR', groups: ['cpu'], value: (r) => r.threads, right: true },
  nice: { title: 'NI', groups: ['cpu'], value: (r) => r.nice, right: true },
  rss: { title: 'RSS(MiB)', groups: ['memory'], value: (r) => mibOf(r.rss), right: true },
  vsz: { title: 'VSZ(MiB)', groups: ['memory'], value: (r) => mibOf(r.vsize), right: true },
  uid: { title: 'UID', groups: ['credentials'], value: (r) => r.credentials?.uid.effective, right: true },
  args: {
    title: 'ARGS',
    groups: ['cmdline'],
    value: (r) => (r.cmdline === undefined ? undefined : r.cmdline.length > 0 ? r.cmdline.join(' ') : `[${r.comm ?? ''}]`),
  },
};

export interface PsOptions {
  columns: string;
  sort?: string;
  tree?: boolean;
  json?: boolean;
  threads?: boolean;
  pid?: string;
}

/** Sort key of a column value: numbers by value, the rest as text; `-name` sorts descending. */
function sorter(spec: string): (a: Row, b: Row) => number {
  const desc = spec.startsWith('-');
  const col = COLUMNS[desc ? spec.slice(1) : spec];
  if (!col) throw new UsageError(`unknown sort column ${spec}`);
  return (a, b) => {
    const x = col.value(a);
    const y = col.value(b);
    const nx = Number(x);
    const ny = Number(y);
    const c = !Number.isNaN(nx) && !Number.isNaN(ny) ? nx - ny : String(x ?? '').localeCompare(String(y ?? ''));
    return desc ? -c : c;
  };
}

/** Rows in tree order (children under their parent, depth first), each with its depth. */
function treeOrder(rows: Row[]): { row: Row; depth: number }[] {
  const byPid = new Map(rows.map((r) => [r.pid, r]));
  const kids = new Map<number, Row[]>();
  const roots: Row[] = [];
  for (const r of rows) {
    const parent = r.ppid;
    if (parent !== undefined && parent !== r.pid && byPid.has(parent)) {
      const list = kids.get(parent) ?? [];
      list.push(r);
      kids.set(parent, list);
    } else roots.push(r);
  }
  const out: { row: Row; depth: number }[] = [];
  const visit = (r: Row, depth: number): void => {
    out.push({ row: r, depth });
    for (const k of kids.get(r.pid) ?? []) visit(k, depth + 1);
  };
  for (const r of roots) visit(r, 0);
  return out;
}

export function psCommand(fs: ProcFs, opts: PsOptions): number {
  const names = opts.columns
    .split(',')
    .map((c) => c.trim())
    .filter(Boolean);
  const cols = names.map((n) => {
    const c = COLUMNS[n];
    if (!c) throw new UsageError(`unknown column ${n} (one of ${Object.keys(COLUMNS).join(', ')})`);
    return c;
  });
  const groups = new Set<Group>(cols.flatMap((c) => c.groups));
  if (opts.tree) groups.add('base');
  const select =
    opts.pid !== undefined
      ? opts.threads
        ? { threadsOf: Number(opts.pid) }
        : { pid: Number(opts.pid) }
      : opts.threads
        ? { all: 'threads' as const }
        : { all: 'processes' as const };
  const listing = fs.processes({ groups: [...groups], select });
  let rows = listing.rows as Row[];
  if (opts.sort) rows = [...rows].sort(sorter(opts.sort));
  const ordered = opts.tree ? treeOrder(rows) : rows.map((row) => ({ row, depth: 0 }));
  if (opts.json) {
    const out = ordered.map(({ row, depth }) => {
      const o: Record<string, unknown> = Object.fromEntries(names.map((n) => [n, COLUMNS[n]!.value(row)]));
      o.startTicks = row.startTicks;
      if (opts.tree) o.depth = depth;
      if (row.denied) o.denied = row.denied;
      return o;
    });
    const failed = (listing.failed ?? []).map((f) => ({ pid: f.pid, error: f.error.message }));
    process.stdout.write(
      `${toJson({ processes: out, gone: listing.gone, denied: listing.denied, ...(failed.length ? { failed } : {}), ...(listing.hidden ? { hidden: listing.hidden } : {}) })}\n`,
    );
    return 0;
  }
  const cells = ordered.map(({ row, depth }) =>
    cols.map((c, i) => {
      const v = c.value(row);
      const text = v === undefined ? (row.denied ? '?' : '-') : String(v);
      return opts.tree && (names[i] === 'comm' || names[i] === 'args') ? `${'  '.repeat(depth)}${depth > 0 ? '\\_ ' : ''}${text}` : text;
    }),
  );
  const lines = alignedLines(
    cols.map((c) => c.title),
    cells,
    cols.map((c) => c.right === true),
  );
  if (listing.gone > 0)
    lines.push(
      fs.root === '/proc'
        ? `(${listing.gone} processes ended while being read)`
        : `(${listing.gone} process folders without a stat file: not in this copy, or ended while being read)`,
    );
  for (const f of listing.failed ?? []) lines.push(`(process ${f.pid} left out: ${f.error.message})`);
  if (listing.hidden) lines.push(`(/proc is mounted with ${listing.hidden}: other users' processes are hidden)`);
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}
