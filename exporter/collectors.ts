/**
 * Which specs the exporter can collect, which it collects by default, and
 * how a collector finds its files at each collection. A collector (named
 * by its metric prefix: `meminfo`, `net_dev`, `pressure`, `cgroup_cpu_stat`)
 * is a sampled spec and one of its path patterns:
 * - a system-wide /proc file: no parameter, or one last parameter whose
 *   values are the names in a folder (`/proc/pressure/[resource]`, each
 *   file a label);
 * - a file of every cgroup v2 group down to a depth
 *   (`/sys/fs/cgroup/[cgroup]/cpu.stat`, label `cgroup`), its other
 *   parameters listed from the folder the spec's /proc pattern names
 *   (`[resource].pressure`: the names in /proc/pressure).
 * - a /sys file outside cgroup2 (`/sys/class/net/[iface]/speed`), each of
 *   its parameters listed from the folder it names (one read per object;
 *   off by default).
 * It is on by default when its file (for a cgroup collector: cgroup2) is
 * here, its spec says how its numbers move (a `measure`), and it is not in
 * OFF_BY_DEFAULT. Files of a process or named by a sysctl path are not
 * collected yet.
 */
import { existsSync, readdirSync } from 'node:fs';
import { fieldsOf, type SpecModel } from '../runtime/model/model.js';
import type { PathParams, registry } from '../runtime/index.js';
import { type CgroupTree, type Group, listGroups } from './cgroups.js';
import { listFolder } from './kernel-folders.js';
import { specFamilies, type SpecFamilies } from './families.js';
import { snake, specStem } from './names.js';
import { joinLabels, labelPair } from './walks.js';

type SpecEntry = (typeof registry)[number];

/** Specs that are collected only when asked for, and why (node_exporter leaves the same ones off). */
export const OFF_BY_DEFAULT: Readonly<Record<string, string>> = {
  'proc/interrupts': 'a series per interrupt line and CPU (node_exporter #497)',
  'proc/softirqs': 'a series per softirq type and CPU',
  'proc/zoneinfo': 'memory-management detail per zone',
  'proc/buddyinfo': 'memory-management detail per zone',
  'proc/pagetypeinfo': 'memory-management detail per zone and migrate type',
  'proc/slabinfo': 'a series per slab cache, and readable by root only',
  'proc/net/dev_snmp6/iface': 'net/snmp6 again for every interface',
  'proc/net/tcp': 'a row per socket',
  'proc/net/tcp6': 'a row per socket',
  'proc/net/udp': 'a row per socket',
  'proc/net/udp6': 'a row per socket',
  'proc/net/raw': 'a row per socket',
  'proc/net/raw6': 'a row per socket',
  'proc/net/unix': 'a row per socket',
  'proc/net/netlink': 'a row per socket',
  'proc/net/packet': 'a row per socket',
  'proc/net/netfilter/nfnetlink_queue': 'readable by root only (mode 0440), a row per queue',
  'proc/net/nf_conntrack': 'a row per tracked connection, and readable by root only (mode 0440)',
  'proc/net/nf_conntrack_expect': 'a row per expected connection, and readable by root only (mode 0440)',
  'proc/locks': 'a row per file lock',
  'proc/timer_list': 'a row per timer',
  'proc/sched_debug': 'a row per task',
  'proc/sys/fs/file-max': "the same value as sys_fs_file_nr's max",
  'proc/vmallocinfo': 'a row per vmalloc area, and readable by root only',
  'proc/keys': 'a row per key',
  'proc/net/rt_acct': 'a row per routing realm (256), mostly zero unless routes carry realms',
};

/** Parameters never listed from a folder: a path of any depth (cgroup, sysctl), a process or a thread. */
const UNLISTED = new Set(['cgroup', 'sysctl', 'pid', 'tid']);

/** A parameter whose values are the names in a folder of the procfs root (pressure's `resource`: /proc/pressure), labelled by its name. */
export interface ListedParam {
  readonly name: string;
  /** The folder below the procfs root (`pressure`). */
  readonly dir: string;
}

/**
 * Where a collector's files are: one /proc file, the same file in every
 * cgroup v2 group down to the depth, or a /sys pattern below the /sys root
 * (`class/net/[iface]/speed`) whose parameters are listed from folders.
 */
export type Place = { readonly kind: 'proc' } | { readonly kind: 'cgroup'; readonly file: string } | { readonly kind: 'sys'; readonly pattern: string };

/** Why /sys collectors are off by default. */
const SYS_OFF = 'a /sys file, read once per object it lists each scrape';

export interface CollectorDef {
  /** The name in flags and URL parameters: its metric prefix (`net_dev`, `cgroup_cpu_stat`). */
  readonly name: string;
  readonly id: string;
  readonly entry: SpecEntry;
  readonly families: SpecFamilies;
  readonly place: Place;
  /** The parameter listed from a folder, when its path has one. */
  readonly param?: ListedParam;
  /** Why it is off by default, when it is. */
  readonly off?: string;
}

const paramsOf = (p: string): string[] => [...p.matchAll(/\[([a-z]+)\]/g)].map((m) => m[1]!);

/** The parameters a spec's /proc patterns list from a folder: the last component of a pattern (`resource` in /proc/pressure/[resource]). */
function listedParams(model: SpecModel): Map<string, ListedParam> {
  const out = new Map<string, ListedParam>();
  for (const p of model.paths) {
    const last = /^\/proc\/([^[\]]+)\/\[([a-z]+)\]$/.exec(p);
    if (last !== null && !UNLISTED.has(last[2]!) && !out.has(last[2]!)) out.set(last[2]!, { name: last[2]!, dir: last[1]! });
  }
  return out;
}

interface Pattern {
  readonly name: string;
  readonly place: Place;
  readonly param?: ListedParam;
  /** The path its help names. */
  readonly path: string;
}

/** The collectors a spec makes (its system-wide pattern, its cgroup pattern), or why it makes none. */
function patternsOf(model: SpecModel): Pattern[] | { why: string } {
  const why = new Set<string>();
  const listed = listedParams(model);
  const out: Pattern[] = [];
  let sys: Pattern | undefined;
  for (const p of model.paths) {
    if (p.startsWith('/proc/self/') || p.startsWith('/proc/thread-self/')) continue;
    const params = paramsOf(p);
    const cgroup = /^\/sys\/fs\/cgroup\/\[cgroup\]\/([^/]+)$/.exec(p);
    if (cgroup !== null) {
      // Its other parameters must be listed by a /proc pattern of the same spec (one at most, labelled by its name).
      const rest = params.filter((x) => x !== 'cgroup');
      const param = rest.length === 1 ? listed.get(rest[0]!) : undefined;
      if (rest.length === 0 || (rest.length === 1 && param !== undefined)) {
        const file = cgroup[1]!;
        out.push({ name: `cgroup_${snake(file.replace(/\[[a-z]+\]/g, ''))}`, place: { kind: 'cgroup', file }, path: p, ...(param ? { param } : {}) });
      } else for (const x of rest) why.add(x);
      continue;
    }
    if (!p.startsWith('/proc/')) {
      // A cgroup v1 controller's file (/sys/fs/cgroup/memory/[cgroup]/...): the groups walked are cgroup2's, whose files differ.
      const pattern = sysOf(p);
      if (/^\/sys\/fs\/cgroup\/[^[/]+\/\[cgroup\]\//.test(p)) why.add('v1');
      else if (pattern !== undefined) sys ??= { name: specStem(model.id), place: { kind: 'sys', pattern }, path: p };
      else for (const x of params) why.add(x);
      continue;
    }
    if (out.some((x) => x.place.kind === 'proc')) continue;
    if (params.length === 0) out.push({ name: specStem(model.id), place: { kind: 'proc' }, path: p });
    else if (params.length === 1 && listed.has(params[0]!) && p.endsWith(`/[${params[0]}]`))
      out.push({ name: specStem(model.id), place: { kind: 'proc' }, path: p, param: listed.get(params[0]!)! });
    else for (const x of params) if (UNLISTED.has(x) || params.length > 1) why.add(x);
  }
  // A file the kernel prints under /proc too is read there.
  if (sys !== undefined && !out.some((x) => x.place.kind === 'proc')) out.push(sys);
  if (out.length > 0) return out;
  if (why.has('v1')) return { why: 'a cgroup v1 file: the cgroup collectors walk the cgroup2 tree only' };
  return { why: `its files are named by ${[...why].map((x) => `[${x}]`).join(', ') || 'a path outside /proc'}: the exporter does not list those yet` };
}

/**
 * The pattern below the /sys root of a /sys path outside cgroup2 whose
 * parameters can be listed (each within one path component, none of any
 * depth), or undefined.
 */
function sysOf(p: string): string | undefined {
  if (!p.startsWith('/sys/') || p.startsWith('/sys/fs/cgroup/')) return undefined;
  const rest = p.slice('/sys/'.length);
  for (const part of rest.split('/')) {
    const names = paramsOf(part);
    if (names.length > 1 || names.some((x) => UNLISTED.has(x))) return undefined;
  }
  return rest;
}

/** Whether a spec says how any of its numbers move. */
function classified(model: SpecModel): boolean {
  return model.measure !== undefined || fieldsOf(model).some((f) => f.measure !== undefined);
}

/**
 * The families of a cgroup collector: the spec's, named from a view of its
 * model that has the collector's name as its id and the cgroup file as its
 * one path, so that the families are `procspec_cgroup_pressure_...` and
 * their help names the cgroup file (the families are compiled from a model).
 */
function familiesOf(model: SpecModel, pattern: Pattern): SpecFamilies {
  if (pattern.place.kind === 'proc') return specFamilies(model);
  return specFamilies({ ...model, id: pattern.name, paths: [pattern.path] });
}

/** The collectors of a registry, and the specs that are none, with the reason. */
export function collectorsOf(entries: readonly SpecEntry[]): { collectors: CollectorDef[]; not: Map<string, string> } {
  const collectors: CollectorDef[] = [];
  const not = new Map<string, string>();
  for (const e of entries) {
    const patterns = patternsOf(e.model);
    if (!Array.isArray(patterns)) {
      not.set(e.id, patterns.why);
      continue;
    }
    const off =
      OFF_BY_DEFAULT[e.id] ??
      (patterns.every((p) => p.place.kind === 'sys') ? SYS_OFF : undefined) ??
      (e.model.sampling === 'once'
        ? 'read once: its text is an _info series'
        : classified(e.model)
          ? undefined
          : 'its spec gives its numbers no measure (counter or gauge)');
    for (const p of patterns)
      collectors.push({
        name: p.name,
        id: e.id,
        entry: e,
        families: familiesOf(e.model, p),
        place: p.place,
        ...(p.param !== undefined ? { param: p.param } : {}),
        ...(off !== undefined ? { off } : {}),
      });
  }
  return { collectors, not };
}

const trim = (root: string): string => (root.endsWith('/') && root.length > 1 ? root.slice(0, -1) : root);

/** Where the collectors of an exporter find their files: the procfs root, the /sys root, and the cgroup2 tree with the depth listed. */
export interface Places {
  readonly procRoot: string;
  /** The folder that stands for /sys (its files other than cgroup2's). */
  readonly sysRoot: string;
  readonly cgroup: CgroupTree;
  /** Levels below the root group whose groups are collected (0: the root group only). */
  readonly cgroupDepth: number;
}

/** Whether a collector's file (or folder of files, or cgroup2 for a cgroup collector) exists. */
export function presentUnder(c: CollectorDef, places: Places): boolean {
  if (c.place.kind === 'cgroup') return 'root' in places.cgroup;
  if (c.place.kind === 'sys') return sysObjects(c.place.pattern, places.sysRoot, (dir) => readdirSync(dir)).length > 0;
  const root = places.procRoot;
  if (c.param !== undefined) {
    try {
      return readdirSync(`${trim(root)}/${c.param.dir}`).length > 0;
    } catch {
      return false;
    }
  }
  const file = fixedFile(c, root);
  return file !== undefined && existsSync(file);
}

/** Where a collector's one /proc file is under a procfs root; undefined for one whose files are named by a parameter. */
export function fixedFile(c: CollectorDef, procRoot: string): string | undefined {
  const fixed = c.entry.model.paths.find((p) => p.startsWith('/proc/') && !p.includes('['));
  return fixed === undefined ? undefined : `${trim(procRoot)}${fixed.slice('/proc'.length)}`;
}

/** The collectors on by default: not off, and present. */
export function defaultCollectors(all: readonly CollectorDef[], places: Places): CollectorDef[] {
  return all.filter((c) => c.off === undefined && presentUnder(c, places));
}

/** A parameter within a path component: the text before and after it. */
const PARAM_IN_PART = /^(.*)\[([a-z]+)\](.*)$/;

/**
 * The objects a /sys pattern names under `sysRoot`: the values of its
 * parameters, each listed from the folder its component is in (sorted),
 * whose file is there. A parameter within a name (`cpu[cpu]`,
 * `hugepages-[size]kB`) stands for a number, as the kernel numbers such
 * objects, so `cpufreq` is not a cpu. Folders that cannot be listed give none.
 */
export function sysObjects(pattern: string, sysRoot: string, list: (dir: string) => string[]): PathParams[] {
  let level: { dir: string; params: Record<string, string> }[] = [{ dir: trim(sysRoot), params: {} }];
  const parts = pattern.split('/');
  for (const part of parts) {
    const m = PARAM_IN_PART.exec(part);
    if (m === null) {
      level = level.map((x) => ({ dir: `${x.dir}/${part}`, params: x.params }));
      continue;
    }
    const [, before, name, after] = m as unknown as [string, string, string, string];
    const next: typeof level = [];
    for (const x of level) {
      let names: string[];
      try {
        names = list(x.dir);
      } catch {
        continue;
      }
      for (const n of [...names].sort()) {
        if (n.length <= before.length + after.length || !n.startsWith(before) || !n.endsWith(after)) continue;
        const v = n.slice(before.length, n.length - after.length);
        if ((before !== '' || after !== '') && !/^[0-9]+$/.test(v)) continue;
        next.push({ dir: `${x.dir}/${n}`, params: { ...x.params, [name]: v } });
      }
    }
    level = next;
  }
  return level.filter((x) => existsSync(x.dir)).map((x) => x.params);
}

/** One read of a collection. */
export interface FileRead {
  readonly params: PathParams | undefined;
  /** Its labels (`resource="cpu"`, `cgroup="/system.slice",resource="io"`), in the text of the exposition. */
  readonly labels: string;
  /** What it reads, for messages and to join a read still pending (`cpu`, `/system.slice io`); '' for a collector's one file. */
  readonly what: string;
  /** A file that may be gone when read (its group was removed since it was listed): then it is skipped, not an error. */
  readonly mayVanish: boolean;
  /** A /sys attribute the kernel may refuse for this object (a link's speed while it is down: EINVAL): then it is left out, not an error. */
  readonly mayLack?: boolean;
}

/**
 * The folders and the cgroup tree of one collection, each listed once
 * however many collectors ask (eight cgroup collectors share one walk).
 * `folders` counts the folders listed.
 */
export class Listing {
  private readonly dirs = new Map<string, Promise<string[]>>();
  private readonly sysDirs = new Map<string, string[]>();
  private tree: Promise<Group[]> | undefined;
  readonly counts = { folders: 0 };
  constructor(readonly places: Places) {}

  /**
   * The names in a folder of /sys, listed once per collection. Listed in
   * one call: sysfs folders answer at once (no file system below them can
   * hang), and a pattern lists folders level by level.
   */
  listedSync(dir: string): string[] {
    let names = this.sysDirs.get(dir);
    if (names === undefined) {
      this.counts.folders++;
      this.sysDirs.set(dir, (names = readdirSync(dir)));
    }
    return names;
  }

  /** The names in a folder below the procfs root, sorted; a mounted procfs's in one call (kernel-folders.ts). */
  folder(dir: string): Promise<string[]> {
    let p = this.dirs.get(dir);
    if (p === undefined) {
      this.counts.folders++;
      this.dirs.set(dir, (p = listFolder(`${trim(this.places.procRoot)}/${dir}`).then((entries) => entries.map((e) => e.name).sort())));
    }
    return p;
  }

  /** The cgroup v2 groups down to the depth; none without cgroup2 (the exporter said why once, at its start). */
  groups(): Promise<Group[]> {
    const tree = this.places.cgroup;
    this.tree ??= 'root' in tree ? listGroups(tree.root, this.places.cgroupDepth, this.counts) : Promise.resolve([]);
    return this.tree;
  }
}

/**
 * The reads of one collection, with their labels: one without parameters;
 * one per name in the collector's folder (sorted); for a cgroup collector,
 * one per group and value of its listed parameter whose file the group
 * holds, labelled `cgroup` (the path from the root group, `/` for it).
 */
export async function filesOf(c: CollectorDef, listing: Listing): Promise<FileRead[]> {
  const param = c.param;
  const values = param === undefined ? [undefined] : await listing.folder(param.dir);
  if (c.place.kind === 'sys') {
    const sysRoot = listing.places.sysRoot;
    const objects = sysObjects(c.place.pattern, sysRoot, (dir) => listing.listedSync(dir));
    return objects.map((params) => {
      let labels = '';
      for (const k in params) labels = joinLabels(labels, labelPair(k, String(params[k])));
      return { params, labels, what: Object.values(params).join(' '), mayVanish: true, mayLack: true };
    });
  }
  if (c.place.kind === 'proc')
    return values.map((v) =>
      v === undefined || param === undefined
        ? { params: undefined, labels: '', what: '', mayVanish: false }
        : { params: { [param.name]: v }, labels: labelPair(param.name, v), what: v, mayVanish: false },
    );
  const file = c.place.file;
  const names = values.map((v) => ({ v, name: v === undefined ? file : file.replace(`[${param!.name}]`, v) }));
  const out: FileRead[] = [];
  for (const g of await listing.groups()) {
    const label = labelPair('cgroup', `/${g.path}`);
    for (const { v, name } of names) {
      if (!g.files.has(name)) continue;
      if (v === undefined || param === undefined) out.push({ params: { cgroup: g.path }, labels: label, what: `/${g.path}`, mayVanish: true });
      else out.push({ params: { cgroup: g.path, [param.name]: v }, labels: `${label},${labelPair(param.name, v)}`, what: `/${g.path} ${v}`, mayVanish: true });
    }
  }
  return out;
}

/** A collector by its name or its spec id; undefined when there is none. */
export function findCollector(all: readonly CollectorDef[], name: string): CollectorDef | undefined {
  return all.find((c) => c.name === name || c.id === name);
}
