/**
 * Which specs the exporter can collect and which it collects by default.
 * A spec is a collector (named by its metric prefix: `meminfo`, `net_dev`,
 * `pressure`) when it is sampled and has a system-wide /proc file: one path
 * without parameters, or with one last parameter whose values are the names
 * in a folder (`/proc/pressure/[resource]`, each file a label). It is on by
 * default when its file exists here, its spec says how its numbers move
 * (a `measure`), and it is not in OFF_BY_DEFAULT. Files of a process, of a
 * cgroup or named by a sysctl path are not collected yet.
 */
import { existsSync, readdirSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { fieldsOf, type SpecModel } from '../runtime/model/model.js';
import type { PathParams, registry } from '../runtime/index.js';
import { specFamilies, type SpecFamilies } from './families.js';
import { specStem } from './names.js';

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
  'proc/locks': 'a row per file lock',
  'proc/timer_list': 'a row per timer',
  'proc/sched_debug': 'a row per task',
};

/** Parameters never listed from a folder: a path of any depth (cgroup, sysctl), a process or a thread. */
const UNLISTED = new Set(['cgroup', 'sysctl', 'pid', 'tid']);

export interface CollectorDef {
  /** The name in flags and URL parameters: the spec's metric prefix (`net_dev`). */
  readonly name: string;
  readonly id: string;
  readonly entry: SpecEntry;
  readonly families: SpecFamilies;
  /** The parameter whose values are the names in a folder of the procfs root (`pressure` for resource), labelled by its name. */
  readonly param?: { readonly name: string; readonly dir: string };
  /** Why it is off by default, when it is. */
  readonly off?: string;
}

/** Why a spec cannot be collected, or its system-wide pattern's parameter (null: none). */
function systemPattern(model: SpecModel): { param: { name: string; dir: string } | null } | { why: string } {
  const why = new Set<string>();
  for (const p of model.paths) {
    if (p.startsWith('/proc/self/') || p.startsWith('/proc/thread-self/')) continue;
    const params = [...p.matchAll(/\[([a-z]+)\]/g)].map((m) => m[1]!);
    if (!p.startsWith('/proc/')) {
      for (const x of params) why.add(x);
      continue;
    }
    if (params.length === 0) return { param: null };
    const last = /^\/proc\/(.+)\/\[([a-z]+)\]$/.exec(p);
    if (params.length === 1 && last !== null && !UNLISTED.has(last[2]!)) return { param: { name: last[2]!, dir: last[1]! } };
    for (const x of params) if (UNLISTED.has(x) || params.length > 1) why.add(x);
  }
  return { why: `its files are named by ${[...why].map((x) => `[${x}]`).join(', ') || 'a path outside /proc'}: the exporter does not list those yet` };
}

/** Whether a spec says how any of its numbers move. */
function classified(model: SpecModel): boolean {
  return model.measure !== undefined || fieldsOf(model).some((f) => f.measure !== undefined);
}

/** The collectors of a registry, and the specs that are not, with the reason. */
export function collectorsOf(entries: readonly SpecEntry[]): { collectors: CollectorDef[]; not: Map<string, string> } {
  const collectors: CollectorDef[] = [];
  const not = new Map<string, string>();
  for (const e of entries) {
    const p = systemPattern(e.model);
    if ('why' in p) {
      not.set(e.id, p.why);
      continue;
    }
    const off =
      OFF_BY_DEFAULT[e.id] ??
      (e.model.sampling === 'once'
        ? 'read once: its text is an _info series'
        : classified(e.model)
          ? undefined
          : 'its spec gives its numbers no measure (counter or gauge)');
    collectors.push({
      name: specStem(e.id),
      id: e.id,
      entry: e,
      families: specFamilies(e.model),
      ...(p.param !== null ? { param: p.param } : {}),
      ...(off !== undefined ? { off } : {}),
    });
  }
  return { collectors, not };
}

const trim = (root: string): string => (root.endsWith('/') && root.length > 1 ? root.slice(0, -1) : root);

/** Whether a collector's file (or folder of files) exists under a procfs root. */
export function presentUnder(c: CollectorDef, root: string): boolean {
  if (c.param !== undefined) {
    try {
      return readdirSync(`${trim(root)}/${c.param.dir}`).length > 0;
    } catch {
      return false;
    }
  }
  const fixed = c.entry.model.paths.find((p) => p.startsWith('/proc/') && !p.includes('['));
  return fixed !== undefined && existsSync(`${trim(root)}${fixed.slice('/proc'.length)}`);
}

/** The collectors on by default under a root: not off, and present. */
export function defaultCollectors(all: readonly CollectorDef[], root: string): CollectorDef[] {
  return all.filter((c) => c.off === undefined && presentUnder(c, root));
}

/** The reads of one collection: one without parameters, or one per name in the collector's folder (sorted), with its label. */
export async function filesOf(c: CollectorDef, root: string): Promise<{ params: PathParams | undefined; label: string }[]> {
  if (c.param === undefined) return [{ params: undefined, label: '' }];
  const names = (await readdir(`${trim(root)}/${c.param.dir}`)).sort();
  return names.map((n) => ({ params: { [c.param!.name]: n }, label: n }));
}

/** A collector by its name or its spec id; undefined when there is none. */
export function findCollector(all: readonly CollectorDef[], name: string): CollectorDef | undefined {
  return all.find((c) => c.name === name || c.id === name);
}
