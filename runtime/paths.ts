/**
 * Path patterns of specs (`/proc/[pid]/stat`): filling in parameters to get a
 * file under a root, and recognising which spec a file path belongs to (so a
 * saved copy named like the original, `…/1234/stat`, finds its spec).
 */
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


/**
 * Whether a spec's file belongs to one process (its paths name a [pid]):
 * such a file read once is once per process, never cached by path, since
 * the pid may later name another process.
 */
export function isPerProcess(spec: Pick<SpecModel, 'paths'>): boolean {
  return spec.paths.some((p) => p.includes('[pid]'));
}

/** Where a spec's files are read from: /proc, and the cgroup v2 hierarchy. */
export interface Roots {
  /** Folder that stands for /proc. */
  proc: string;
  /** Folder that stands for /sys/fs/cgroup (the cgroup v2 mount). */
  cgroup: string;
}

/**
 * Parameters that stand for a relative path of any depth rather than one
 * component: a cgroup (`system.slice/ssh.service`, empty for the root
 * cgroup) and a sysctl (`kernel/pid_max`).
 */
const MULTI = new Set(['cgroup', 'sysctl']);

/** A path pattern split once into literal text and parameter names. */
interface Template {
  root: keyof Roots;
  /** Alternating literal text and parameter names: [text, name, text, name, ..., text]. */
  pieces: string[];
  params: string[];
}

/** What path resolution needs of a spec (read or write-only). */
type PathSpec = Pick<SpecModel, 'id' | 'paths'>;

const templates = new WeakMap<PathSpec, Template[]>();

/** The spec's /proc and cgroup patterns (not the /proc/self ones), compiled once per spec. */
function templatesOf(spec: PathSpec): Template[] {
  let list = templates.get(spec);
  if (list === undefined) {
    list = [];
    for (const p of spec.paths) {
      if (p.startsWith('/proc/self/') || p.startsWith('/proc/thread-self/')) continue;
      const root: keyof Roots | undefined = p.startsWith('/proc/') ? 'proc' : p.startsWith('/sys/fs/cgroup/') ? 'cgroup' : undefined;
      if (root === undefined) continue;
      const pieces = p.slice(root === 'proc' ? '/proc'.length : '/sys/fs/cgroup'.length).split(/\[([a-z]+)\]/);
      list.push({ root, pieces, params: pieces.filter((_x, i) => i % 2 === 1) });
    }
    templates.set(spec, list);
  }
  return list;
}

function badParam(spec: PathSpec, name: string, text: string, why: string): never {
  throw new ProcfsError('not_found', `parameter ${name}=${JSON.stringify(text)} ${why}`, { spec: spec.id });
}

/** The text a parameter stands for in a path, checked so that it cannot leave its folder. */
function paramText(spec: PathSpec, name: string, text: string): string {
  if (!MULTI.has(name)) {
    if (text.includes('/') || text === '..' || text === '.' || text === '') badParam(spec, name, text, 'is not a single path component');
    return text;
  }
  const parts = text.split('/').filter((c) => c !== '');
  if (parts.some((c) => c === '..' || c === '.')) badParam(spec, name, text, 'may not hold . or .. components');
  if (parts.length === 0 && name !== 'cgroup') badParam(spec, name, text, 'is empty');
  return parts.join('/');
}

const trimRoot = (root: string): string => (root === '/' ? '' : root.length > 1 && root.endsWith('/') ? root.slice(0, -1) : root);

/**
 * The file of `spec` for these parameters, under `roots` (a string is the
 * folder that stands for /proc; cgroup files are then under /sys/fs/cgroup).
 * `pid` defaults to `self`; the pattern used is the first whose parameters
 * are all given, preferring one that uses them all.
 */
export function resolvePath(spec: PathSpec, roots: string | Roots, params: PathParams = {}): string {
  const r: Roots = typeof roots === 'string' ? { proc: roots, cgroup: '/sys/fs/cgroup' } : roots;
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
  let out = trimRoot(r[best.root]);
  const pieces = best.pieces;
  for (let i = 0; i < pieces.length; i++) {
    if (i % 2 === 0) out += pieces[i];
    else {
      const name = pieces[i]!;
      const v = params[name] ?? (name === 'pid' ? 'self' : undefined);
      const text = paramText(spec, name, String(v));
      // An empty cgroup is the root cgroup: drop the separator that would double.
      if (text === '' && out.endsWith('/') && pieces[i + 1]?.startsWith('/')) out = out.slice(0, -1);
      out += text;
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
  const multi = pat.findIndex((p) => /^\[([a-z]+)\]$/.test(p) && MULTI.has(p.slice(1, -1)));
  if (multi >= 0) return multiScore(pat, multi, comps);
  // `fs/xfs/stat` is not /proc/stat: a match may not sit inside another /proc folder.
  const parent = comps[comps.length - pat.length - 1];
  if (parent !== undefined && PROC_FOLDERS.has(parent)) return 0;
  const tail = comps.slice(comps.length - pat.length);
  for (let i = 0; i < pat.length; i++) {
    const p = pat[i]!;
    const c = tail[i]!;
    if (!componentMatches(p, c)) return 0;
  }
  return pat.length;
}

/** Whether a file name matches a pattern component, which may hold parameters (`[resource].pressure`). */
function componentMatches(p: string, c: string): boolean {
  if (!p.includes('[')) return p === c;
  const names: string[] = [];
  const source = p.replace(/\[([a-z]+)\]|[^[]+/g, (m, name: string | undefined) => {
    if (name === undefined) return m.replace(/[.*+?^${}()|\\]/g, '\\$&');
    names.push(name);
    return '([^/]+?)';
  });
  const m = new RegExp(`^${source}$`).exec(c);
  if (!m) return false;
  return names.every((name, i) => {
    const test = PARAM_TEST[name];
    const v = m[i + 1]!;
    return test ? test(v) : v.length > 0;
  });
}

/**
 * matchScore for a pattern with a parameter of any depth (`sys/[sysctl]`):
 * the literals after it match the file's last components, the literals
 * before it match the components just before the rightmost place that
 * leaves it at least one component.
 */
function multiScore(pat: string[], at: number, comps: string[]): number {
  const before = pat.slice(0, at);
  const after = pat.slice(at + 1);
  if (before.some((p) => p.startsWith('[')) || after.some((p) => p.startsWith('['))) return 0;
  const end = comps.length - after.length;
  for (let i = 0; i < after.length; i++) if (comps[end + i] !== after[i]) return 0;
  for (let start = end - 1; start >= before.length; start--) {
    if (before.every((p, i) => comps[start - before.length + i] === p)) return pat.length;
  }
  return 0;
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
