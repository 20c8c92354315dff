/**
 * Path patterns of specs (`/proc/[pid]/stat`): filling in parameters to get a
 * file under a root, and recognising which spec a file path belongs to (so a
 * saved copy named like the original, `…/1234/stat`, finds its spec).
 */
import { join } from 'node:path';
import type { SpecModel } from './model.js';
import { ProcfsError } from './errors.js';

/** Values for the bracketed parameters of a path pattern. */
export type PathParams = Record<string, string | number>;

/** The roots patterns are written under; a spec's file lives below one of them. */
const ROOTS = ['/proc', '/sys/fs/cgroup'];

function split(pattern: string): { root: string; parts: string[] } {
  for (const r of ROOTS) {
    if (pattern.startsWith(`${r}/`)) return { root: r, parts: pattern.slice(r.length + 1).split('/') };
  }
  return { root: '', parts: pattern.split('/').filter(Boolean) };
}


/** A /proc path pattern split once into literal text and parameter names. */
interface Template {
  /** Alternating literal text and parameter names: [text, name, text, name, ..., text]. */
  pieces: string[];
  params: string[];
}

const templates = new WeakMap<SpecModel, Template[]>();

/** The spec's /proc patterns (not the /proc/self ones), compiled once per spec. */
function templatesOf(spec: SpecModel): Template[] {
  let list = templates.get(spec);
  if (list === undefined) {
    list = spec.paths
      .filter((p) => p.startsWith('/proc/') && !p.startsWith('/proc/self/') && !p.startsWith('/proc/thread-self/'))
      .map((p) => {
        const pieces = p.slice('/proc'.length).split(/\[([a-z]+)\]/);
        return { pieces, params: pieces.filter((_x, i) => i % 2 === 1) };
      });
    templates.set(spec, list);
  }
  return list;
}

function checkComponent(spec: SpecModel, name: string, text: string): string {
  if (text.includes('/') || text === '..' || text === '.' || text === '') {
    throw new ProcfsError('not_found', `parameter ${name}=${JSON.stringify(text)} is not a single path component`, { spec: spec.id });
  }
  return text;
}

/**
 * The file of `spec` under `root` (which stands for /proc) for these
 * parameters. `pid` defaults to `self`; the pattern used is the first /proc
 * pattern whose parameters are all given, preferring one that uses them all.
 */
export function resolvePath(spec: SpecModel, root: string, params: PathParams = {}): string {
  const list = templatesOf(spec);
  let best: Template | undefined;
  let fallback: Template | undefined;
  for (const t of list) {
    if (!t.params.every((x) => params[x] !== undefined || x === 'pid')) continue;
    fallback ??= t;
    let usesAll = true;
    for (const k in params) {
      if (params[k] !== undefined && !t.params.includes(k)) usesAll = false;
    }
    if (usesAll) {
      best = t;
      break;
    }
  }
  best ??= fallback;
  if (best === undefined) {
    const need = list.map((t) => t.params.join(', ')).join(' or ');
    throw new ProcfsError('not_found', `spec ${spec.id} needs parameters ${need}`, { spec: spec.id });
  }
  let out = root.length > 1 && root.endsWith('/') ? root.slice(0, -1) : root === '/' ? '' : root;
  const pieces = best.pieces;
  for (let i = 0; i < pieces.length; i++) {
    if (i % 2 === 0) out += pieces[i];
    else {
      const name = pieces[i]!;
      const v = params[name] ?? (name === 'pid' ? 'self' : undefined);
      out += checkComponent(spec, name, String(v));
    }
  }
  return out;
}

/** Folders of /proc that hold files of their own (a file below one is not a top-level /proc file). */
const PROC_FOLDERS = new Set(['fs', 'xfs', 'nfsd', 'net', 'sys', 'driver', 'irq', 'bus', 'sysvipc', 'tty', 'pressure', 'stat', 'dev_snmp6', 'fdinfo', 'fd', 'ns', 'attr', 'acpi', 'scsi', 'ipv4', 'ipv6', 'vm', 'kernel']);

const PARAM_TEST: Record<string, (s: string) => boolean> = {
  pid: (s) => /^[0-9]+$/.test(s) || s === 'self' || s === 'thread-self',
  tid: (s) => /^[0-9]+$/.test(s),
  fd: (s) => /^[0-9]+$/.test(s),
  resource: (s) => s === 'cpu' || s === 'memory' || s === 'io' || s === 'irq',
};

/**
 * How well `file` matches `pattern`: the number of path components matched
 * from the end (0 when it does not match). A cgroup parameter at the start
 * of a pattern matches any folder.
 */
export function matchScore(pattern: string, file: string): number {
  const { parts } = split(pattern);
  const pat = parts[0] === '[cgroup]' ? parts.slice(1) : parts;
  const comps = file.split('/').filter(Boolean);
  if (comps.length < pat.length) return 0;
  // `fs/xfs/stat` is not /proc/stat: a match may not sit inside another /proc folder.
  const parent = comps[comps.length - pat.length - 1];
  if (parent !== undefined && PROC_FOLDERS.has(parent)) return 0;
  const tail = comps.slice(comps.length - pat.length);
  for (let i = 0; i < pat.length; i++) {
    const p = pat[i]!;
    const c = tail[i]!;
    const m = /^\[([a-z]+)\]$/.exec(p);
    if (m) {
      const test = PARAM_TEST[m[1]!];
      if (test ? !test(c) : c.length === 0) return 0;
    } else if (p !== c) return 0;
  }
  return pat.length;
}

/** The spec whose path patterns match `file` best, or undefined. */
export function specForPath<T extends { model: SpecModel }>(entries: readonly T[], file: string): T | undefined {
  let best: T | undefined;
  let score = 0;
  for (const e of entries) {
    for (const p of e.model.paths) {
      const s = matchScore(p, file);
      if (s > score) {
        score = s;
        best = e;
      }
    }
  }
  return best;
}
