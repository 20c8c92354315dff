/**
 * `procspec audit [--root DIR]`: how far the specs are from the kernel in
 * front of them (the live one, or a captured tree): files present that no
 * spec covers, keys and tokens the specs do not name (they landed in
 * `extra` / `extraTokens`), and fields a spec says this kernel version
 * prints but the file lacks. Exit code 1 when there is any drift: this is
 * how a new kernel is followed.
 */
import { existsSync, lstatSync, readdirSync, type Stats } from 'node:fs';
import { join, relative } from 'node:path';
import type { ProcFs } from '../runtime/index.js';
import { compareKernel, ProcfsError, registry, specForPath, toJson, writers } from '../runtime/index.js';
import type { FieldModel, LayoutModel } from '../runtime/model/model.js';

/** Files no spec is meant for: binary, blocking or not a text interface (read by other means or not at all). */
const NOT_TEXT = new Set([
  'kcore',
  'kmsg',
  'kpagecount',
  'kpageflags',
  'kpagecgroup',
  'pagemap',
  'mem',
  'auxv',
  'sysrq-trigger',
  'ioports',
  'iomem',
  'self/mem',
  'self/pagemap',
  'self/clear_refs',
  'self/syscall',
  'self/stack',
]);

/** Folders below the root whose files an audit looks at (pid folders are represented by self). */
const FOLDERS = ['', 'self', 'net', 'pressure', 'sysvipc', 'fs', 'driver', 'tty', 'irq', 'bus', 'scsi'];

/** Files under the root that no spec (read or write) covers. */
function unspecified(root: string): string[] {
  const all = [...registry, ...writers] as readonly { model: { paths: string[] } }[];
  const out: string[] = [];
  for (const folder of FOLDERS) {
    const dir = join(root, folder);
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names) {
      if (/^\d+$/.test(name)) continue;
      const path = join(dir, name);
      let st: Stats;
      try {
        st = lstatSync(path);
      } catch {
        continue; // gone since the listing
      }
      if (!st.isFile()) continue;
      const rel = relative(root, path);
      if (NOT_TEXT.has(rel)) continue;
      if (specForPath(all as never, join('/proc', rel)) === undefined) out.push(rel);
    }
  }
  return out.sort();
}

/** Paths of `extra` and `extraTokens` in a parsed value: what the kernel printed and the spec does not name. */
function unknownKeys(v: unknown, path = ''): string[] {
  if (Array.isArray(v)) return v.flatMap((x, i) => unknownKeys(x, `${path}[${i}]`));
  if (v === null || typeof v !== 'object') return [];
  const out: string[] = [];
  for (const [k, x] of Object.entries(v)) {
    if (k === 'extra' && x !== null && typeof x === 'object') out.push(...Object.keys(x).map((key) => `${path === '' ? '' : `${path}.`}extra.${key}`));
    else if (k === 'extraTokens' && Array.isArray(x)) out.push(`${path === '' ? '' : `${path}.`}extraTokens (${x.length})`);
    else out.push(...unknownKeys(x, path === '' ? k : `${path}.${k}`));
  }
  return out;
}

/** The fields of a keyed or one-line layout (where presence can be told from the top-level value). */
function topFields(l: LayoutModel): FieldModel[] {
  if (l.kind === 'keyed') return l.entries.filter((e) => !e.indexed && !e.repeated).map((e) => e.field);
  if (l.kind === 'line') return l.record.tokens.flatMap((t) => (t.kind === 'field' ? [t.field] : []));
  return [];
}

export interface AuditReport {
  root: string;
  kernel?: string;
  /** Files present that no spec covers. */
  unspecified: string[];
  /** Per spec: keys and tokens its file printed that it does not name. */
  unknown: { spec: string; file: string; keys: string[] }[];
  /** Per spec: fields it says this kernel prints that the file lacks. */
  missing: { spec: string; file: string; fields: string[] }[];
  /** Specs whose file is here but could not be read or parsed. */
  failed: { spec: string; file: string; code: string; message: string }[];
  /** Specs checked against a file. */
  checked: number;
}

export function audit(fs: ProcFs): AuditReport {
  const root = fs.root;
  const kernel = (() => {
    try {
      return fs.kernel();
    } catch {
      return undefined;
    }
  })();
  const pid = existsSync(join(root, 'self')) ? 'self' : readdirSync(root).find((n) => /^\d+$/.test(n));
  const params: Record<string, string | number> = {
    pid: pid ?? 'self',
    tid: pid ?? 'self',
    fd: 0,
    ns: 'net',
    iface: 'lo',
    sysctl: 'kernel/ostype',
    resource: 'cpu',
  };
  const report: AuditReport = {
    root,
    ...(kernel ? { kernel: kernel.release } : {}),
    unspecified: unspecified(root),
    unknown: [],
    missing: [],
    failed: [],
    checked: 0,
  };
  for (const e of registry) {
    if (!e.model.paths.some((p) => p.startsWith('/proc/'))) continue;
    let file: string;
    try {
      file = fs.path(e.id as never, params);
    } catch {
      continue; // a parameter this audit cannot fill
    }
    if (!file.startsWith(root) || !existsSync(file)) continue;
    let value: unknown;
    try {
      value = fs.read(e.id as never, params);
    } catch (err) {
      if (!(err instanceof ProcfsError)) throw err;
      // A file this user may not read says nothing about drift.
      if (err.code !== 'permission') report.failed.push({ spec: e.id, file, code: err.code, message: err.message });
      continue;
    }
    report.checked++;
    const keys = unknownKeys(value);
    if (keys.length > 0) report.unknown.push({ spec: e.id, file, keys });
    if (kernel !== undefined && value !== null && typeof value === 'object' && !Array.isArray(value)) {
      const fields = topFields(e.model.layout).filter(
        (f) =>
          f.since !== undefined &&
          !f.configDependent &&
          compareKernel(kernel, f.since) >= 0 &&
          (f.until === undefined || compareKernel(kernel, f.until) < 0) &&
          (value as Record<string, unknown>)[f.name] === undefined,
      );
      if (fields.length > 0) report.missing.push({ spec: e.id, file, fields: fields.map((f) => `${f.raw} (since ${f.since})`) });
    }
  }
  return report;
}

export const drifted = (r: AuditReport): boolean => r.unspecified.length + r.unknown.length + r.missing.length + r.failed.length > 0;

export function auditCommand(fs: ProcFs, json: boolean): number {
  const r = audit(fs);
  if (json) process.stdout.write(`${toJson(r)}\n`);
  else {
    const lines = [`procspec audit of ${r.root}${r.kernel ? ` (kernel ${r.kernel})` : ''}: ${r.checked} files checked against their specs`];
    lines.push(`files no spec covers: ${r.unspecified.length}`, ...r.unspecified.map((f) => `  ${f}`));
    lines.push(
      `keys or tokens the specs do not name: ${r.unknown.length} files`,
      ...r.unknown.map((u) => `  ${u.spec}: ${u.keys.slice(0, 12).join(', ')}${u.keys.length > 12 ? `, … (${u.keys.length})` : ''}`),
    );
    lines.push(`fields this kernel should print but the file lacks: ${r.missing.length} files`, ...r.missing.map((m) => `  ${m.spec}: ${m.fields.join(', ')}`));
    if (r.failed.length > 0) lines.push(`files that did not parse: ${r.failed.length}`, ...r.failed.map((f) => `  ${f.spec}: ${f.message}`));
    lines.push(drifted(r) ? 'drift: yes (exit 1)' : 'drift: none');
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  return drifted(r) ? 1 : 0;
}
