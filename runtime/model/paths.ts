/**
 * Path patterns of specs (`/proc/[pid]/stat`): filling in parameters to get a
 * file under a root, and recognising which spec a file path belongs to: a
 * live /proc or /sys path, or a saved copy named like the original
 * (`…/1234/stat`). The rule is at specForPath.
 */
import type { SpecModel } from './model.js';
import { existsSync } from 'node:fs';
import { ProcfsError } from '../core/errors.js';

/** Values for the bracketed parameters of a path pattern. */
export type PathParams = Record<string, string | number>;

/** The roots patterns are written under; a spec's file lives below one of them (cgroup v2 files: see rootOf). */
const ROOTS = ['/proc', '/sys'];

/** The root a pattern is written under: a cgroup v2 file is a parameter `[cgroup]` right below /sys/fs/cgroup, any other /sys file is under /sys. */
function rootOf(pattern: string): '/proc' | '/sys/fs/cgroup' | '/sys' | undefined {
  if (pattern.startsWith('/sys/fs/cgroup/[')) return '/sys/fs/cgroup';
  return ROOTS.find((r) => pattern.startsWith(`${r}/`)) as '/proc' | '/sys' | undefined;
}

/**
 * Whether a spec's file belongs to one process (its paths name a [pid]):
 * such a file read once is once per process, never cached by path, since
 * the pid may later name another process.
 */
export function isPerProcess(spec: Pick<SpecModel, 'paths'>): boolean {
  return spec.paths.some((p) => p.includes('[pid]'));
}

/** Where a spec's files are read from: /proc, the cgroup v2 hierarchy and /sys. */
export interface Roots {
  /** Folder that stands for /proc. */
  proc: string;
  /** Folder that stands for /sys/fs/cgroup (the cgroup v2 mount), or a function that finds it, called only for a cgroup file. */
  cgroup: string | (() => string);
  /** Folder that stands for /sys (its files other than cgroup v2's). Default: `sys` beside the /proc folder (/sys for /proc, /host/sys for /host/proc). */
  sys?: string;
}

/** The folder named `sys` beside a /proc folder: a host's /proc and /sys are mounted, and a saved tree keeps them, side by side. */
export function sysBeside(procRoot: string): string {
  const p = trimRoot(procRoot);
  const cut = p.lastIndexOf('/');
  return cut < 0 ? 'sys' : `${p.slice(0, cut)}/sys`;
}

/**
 * Parameters that stand for a relative path of any depth rather than one
 * component: a cgroup (`system.slice/ssh.service`, empty for the root
 * cgroup) and a sysctl (`kernel/pid_max`).
 */
const MULTI = new Set(['cgroup', 'sysctl']);

/** A path pattern split once into literal text and parameter names. */
interface Template {
  root: 'proc' | 'cgroup' | 'sys';
  /** Alternating literal text and parameter names: [text, name, text, name, ..., text]. */
  pieces: string[];
  params: string[];
}

/** What path resolution needs of a spec (read or write-only). */
type PathSpec = Pick<SpecModel, 'id' | 'paths'>;

const templates = new WeakMap<PathSpec, Template[]>();

const ROOT_NAME = { '/proc': 'proc', '/sys/fs/cgroup': 'cgroup', '/sys': 'sys' } as const;

/** The spec's /proc, cgroup and /sys patterns (not the /proc/self ones), compiled once per spec. */
function templatesOf(spec: PathSpec): Template[] {
  let list = templates.get(spec);
  if (list === undefined) {
    list = [];
    for (const p of spec.paths) {
      if (p.startsWith('/proc/self/') || p.startsWith('/proc/thread-self/')) continue;
      const root = rootOf(p);
      if (root === undefined) continue;
      const pieces = p.slice(root.length).split(/\[([a-z]+)\]/);
      list.push({ root: ROOT_NAME[root], pieces, params: pieces.filter((_x, i) => i % 2 === 1) });
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
 * folder that stands for /proc; cgroup files are then under /sys/fs/cgroup,
 * other /sys files under the `sys` folder beside it).
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
  // A file the kernel moved (sched_debug, to debugfs in 5.13): of several patterns without parameters, the first whose file is there.
  if (best !== undefined && best.params.length === 0) {
    const fixed = list.filter((t) => t.params.length === 0);
    if (fixed.length > 1) best = fixed.find((t) => existsSync(fileOf(t, r, spec, params))) ?? best;
  }
  if (best === undefined) {
    const need = list.map((t) => t.params.join(', ')).join(' or ');
    throw new ProcfsError('not_found', `spec ${spec.id} needs parameters ${need}`, { spec: spec.id });
  }
  return fileOf(best, r, spec, params);
}

/** The file of pattern `best` under roots `r` with `params`. */
function fileOf(best: Template, r: Roots, spec: PathSpec, params: PathParams): string {
  const base = best.root === 'proc' ? r.proc : best.root === 'sys' ? (r.sys ?? sysBeside(r.proc)) : typeof r.cgroup === 'string' ? r.cgroup : r.cgroup();
  let out = trimRoot(base);
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

// ---------------------------------------------------------------------------
// The spec of a file path

/** Folders of /proc that hold files of their own (a file below one is not a top-level /proc file). */
const PROC_FOLDERS = new Set([
  'fs',
  'xfs',
  'nfsd',
  'net',
  'sys',
  'driver',
  'irq',
  'bus',
  'sysvipc',
  'tty',
  'pressure',
  'stat',
  'dev_snmp6',
  'fdinfo',
  'fd',
  'ns',
  'attr',
  'acpi',
  'scsi',
  'ipv4',
  'ipv6',
  'vm',
  'kernel',
]);

const PARAM_TEST: Record<string, (s: string) => boolean> = {
  pid: (s) => /^[0-9]+$/.test(s) || s === 'self' || s === 'thread-self',
  tid: (s) => /^[0-9]+$/.test(s),
  fd: (s) => /^[0-9]+$/.test(s),
  // The names in /proc/[pid]/ns: net, mnt, pid_for_children...
  ns: (s) => /^[a-z][a-z_]*$/.test(s),
  resource: (s) => s === 'cpu' || s === 'memory' || s === 'io' || s === 'irq',
};

/** One component of a path pattern. */
type Part =
  /** A fixed name: `stat`, `net`, the root's `proc`. */
  | { kind: 'fixed'; text: string }
  /** A name holding parameters: `[pid]`, `[resource].pressure`. */
  | { kind: 'named'; re: RegExp; names: string[] }
  /** A parameter of any depth (`[cgroup]`, which may be empty, and `[sysctl]`). */
  | { kind: 'deep'; empty: boolean };

interface Compiled {
  parts: Part[];
  /** How many leading parts are the root (/proc and /sys: 1, /sys/fs/cgroup: 3), which a saved copy need not keep. */
  root: number;
  /** A /proc pattern. */
  proc: boolean;
  /** A cgroup pattern: its /sys/fs/cgroup stands for the cgroup2 mount. */
  cgroup: boolean;
}

const compiled = new Map<string, Compiled>();

function compile(pattern: string): Compiled {
  let c = compiled.get(pattern);
  if (c === undefined) {
    const root = rootOf(pattern);
    c = {
      parts: pattern.split('/').filter(Boolean).map(partOf),
      root: root === undefined ? 0 : root.split('/').length - 1,
      proc: root === '/proc',
      cgroup: root === '/sys/fs/cgroup',
    };
    compiled.set(pattern, c);
  }
  return c;
}

function partOf(comp: string): Part {
  if (!comp.includes('[')) return { kind: 'fixed', text: comp };
  const whole = /^\[([a-z]+)\]$/.exec(comp)?.[1];
  if (whole !== undefined && MULTI.has(whole)) return { kind: 'deep', empty: whole === 'cgroup' };
  const names: string[] = [];
  const source = comp.replace(/\[([a-z]+)\]|[^[]+/g, (m, name: string | undefined) => {
    if (name === undefined) return m.replace(/[.*+?^${}()|\\]/g, '\\$&');
    names.push(name);
    return '([^/]+?)';
  });
  return { kind: 'named', re: new RegExp(`^${source}$`), names };
}

/** Whether a file name matches a fixed or named part. */
function partMatches(p: Exclude<Part, { kind: 'deep' }>, c: string): boolean {
  if (p.kind === 'fixed') return p.text === c;
  const m = p.re.exec(c);
  if (!m) return false;
  return p.names.every((name, i) => {
    const test = PARAM_TEST[name];
    const v = m[i + 1]!;
    return test ? test(v) : v.length > 0;
  });
}

/** How specific a match of a path by a pattern is (see specForPath). */
export interface MatchScore {
  /** Components matched by a fixed name. */
  fixed: number;
  /** Components matched by a name holding a parameter. */
  named: number;
  /** Components taken by a parameter of any depth. */
  deep: number;
}

/** Whether match `a` is more specific than `b`: more fixed names, then more named ones, then less taken by a parameter of any depth. */
export function moreSpecific(a: MatchScore, b: MatchScore): boolean {
  if (a.fixed !== b.fixed) return a.fixed > b.fixed;
  if (a.named !== b.named) return a.named > b.named;
  return a.deep < b.deep;
}

/** The best match of parts[i..] with all of comps[j..], or undefined. */
function matchWhole(parts: Part[], i: number, comps: string[], j: number, s: MatchScore): MatchScore | undefined {
  if (i === parts.length) return j === comps.length ? s : undefined;
  const p = parts[i]!;
  if (p.kind === 'deep') {
    let best: MatchScore | undefined;
    for (let k = p.empty ? 0 : 1; j + k <= comps.length; k++) {
      const m = matchWhole(parts, i + 1, comps, j + k, { ...s, deep: s.deep + k });
      if (m !== undefined && (best === undefined || moreSpecific(m, best))) best = m;
    }
    return best;
  }
  if (j >= comps.length || !partMatches(p, comps[j]!)) return undefined;
  return matchWhole(parts, i + 1, comps, j + 1, p.kind === 'fixed' ? { ...s, fixed: s.fixed + 1 } : { ...s, named: s.named + 1 });
}

/** A match of a saved copy's last components with every part of the pattern below its root, or undefined. */
function matchTail(c: Compiled, comps: string[]): MatchScore | undefined {
  const s: MatchScore = { fixed: 0, named: 0, deep: 0 };
  let j = comps.length - 1;
  for (let i = c.parts.length - 1; i >= c.root; i--) {
    const p = c.parts[i]!;
    if (p.kind === 'deep') {
      // A cgroup right below the root takes the folders left (copies of cgroup files are kept under any folder);
      // a parameter after a fixed name (sys/[sysctl]) needs that name, which only a path that keeps its root has.
      if (i !== c.root || (j < 0 && !p.empty)) return undefined;
      s.deep = j + 1;
      return s;
    }
    if (j < 0 || !partMatches(p, comps[j]!)) return undefined;
    if (p.kind === 'fixed') s.fixed++;
    else s.named++;
    j--;
  }
  // `fs/xfs/stat` is not /proc/stat: a match may not sit inside another /proc folder.
  if (c.proc && j >= 0 && PROC_FOLDERS.has(comps[j]!)) return undefined;
  return s;
}

/** What matching needs to know of the machine a path is from. */
export interface MatchOptions {
  /**
   * Where cgroup2 is mounted on this machine (a live path is read there),
   * or null when it is not (cgroup v1 only). Given, an absolute path below
   * it is matched to the cgroup patterns only, and one below /sys/fs/cgroup
   * but outside it (a cgroup v1 file) to the other /sys patterns only: those
   * that name a v1 controller's folder (`/sys/fs/cgroup/memory/[cgroup]/…`).
   * Absent: /sys/fs/cgroup/… is matched to both, the pattern that names more
   * folders winning (`cpu/x/cpu.stat` is v1's), so a folder below it that no
   * v1 pattern names (`unified`) is a cgroup.
   */
  cgroup2?: string | null;
}

/** A file path split once for matching against every pattern. */
interface Reading {
  comps: string[];
  /** Indices of `proc` and `sys` components, where the kernel's path may begin. */
  anchors: number[];
  /** A live cgroup path: the components below the cgroup2 mount. */
  live?: string[];
  /** A live path below /sys/fs/cgroup outside the cgroup2 mount: a cgroup v1 file, which no cgroup2 pattern matches. */
  v1?: true;
}

const isUnder = (comps: string[], dir: string[]): boolean => comps.length > dir.length && dir.every((x, i) => comps[i] === x);

function readingOf(file: string, opts: MatchOptions): Reading {
  const comps = file.split('/').filter((x) => x !== '' && x !== '.');
  if (file.startsWith('/') && opts.cgroup2 !== undefined) {
    const mount = opts.cgroup2?.split('/').filter(Boolean);
    if (mount !== undefined && mount.length > 0 && isUnder(comps, mount)) return { comps, anchors: [], live: comps.slice(mount.length) };
    // A cgroup v1 file is matched as any live /sys file is, from its root: only its controller's patterns name its folder.
    if (isUnder(comps, ['sys', 'fs', 'cgroup'])) return { comps, anchors: [0], v1: true };
  }
  const anchors: number[] = [];
  comps.forEach((x, i) => {
    if (x === 'proc' || x === 'sys') anchors.push(i);
  });
  return { comps, anchors };
}

function scoreOf(c: Compiled, r: Reading): MatchScore | undefined {
  if (r.live !== undefined) {
    if (!c.cgroup) return undefined;
    return matchWhole(c.parts, c.root, r.live, 0, { fixed: c.root, named: 0, deep: 0 });
  }
  if (r.v1 === true && c.cgroup) return undefined;
  if (r.anchors.length === 0) return matchTail(c, r.comps);
  let best: MatchScore | undefined;
  for (const a of r.anchors) {
    const m = matchWhole(c.parts, 0, r.comps, a, { fixed: 0, named: 0, deep: 0 });
    if (m !== undefined && (best === undefined || moreSpecific(m, best))) best = m;
  }
  return best;
}

/** How specifically `pattern` matches `file` (see specForPath), or undefined when it does not. */
export function matchScore(pattern: string, file: string, opts: MatchOptions = {}): MatchScore | undefined {
  return scoreOf(compile(pattern), readingOf(file, opts));
}

/**
 * The spec whose path patterns match `file` most specifically, or undefined.
 *
 * - A path with a `proc` or `sys` component is read from there as the
 *   kernel's /proc/… or /sys/… path (`/proc/1/stat`, `copy/proc/net/dev`):
 *   a pattern must match all of it. So a /sys file no spec names
 *   (/sys/devices/virtual/misc/stat) matches none, rather than the spec of a /proc file
 *   with the same last components.
 * - A live cgroup path, when `opts.cgroup2` is given, is matched below the
 *   cgroup2 mount, and one outside it to the cgroup v1 patterns (see MatchOptions).
 * - Any other path (a saved copy: `saved/1234/stat`) is matched by its last
 *   components, which must match every part of a pattern below its root
 *   (`/proc`, `/sys/fs/cgroup`, `/sys`); a cgroup there takes the folders left
 *   (`cg/user.slice/io.pressure`).
 *
 * Of several matches the most specific wins: more components matched by a
 * fixed name (`/proc/sys/kernel/pid_max` beats `/proc/sys/[sysctl]`), then
 * more by a name holding a parameter (`saved/1234/stat` is `[pid]/stat`
 * rather than `stat`), then fewer taken by a parameter of any depth.
 */
export function specForPath<T extends { model: Pick<SpecModel, 'paths'> }>(entries: readonly T[], file: string, opts: MatchOptions = {}): T | undefined {
  const r = readingOf(file, opts);
  let best: T | undefined;
  let score: MatchScore | undefined;
  for (const e of entries) {
    for (const p of e.model.paths) {
      const s = scoreOf(compile(p), r);
      if (s !== undefined && (score === undefined || moreSpecific(s, score))) {
        score = s;
        best = e;
      }
    }
  }
  return best;
}
