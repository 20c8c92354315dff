/**
 * The pieces a spec's walk is made of: samples and where they go (Sink),
 * walks of objects by their members, and walks of rows labelled by their
 * fields (or their position). families.ts puts them together from a model.
 */
import type { FieldModel } from '../runtime/model/model.js';
import { type FamilyDef, labelName } from './names.js';

/** One sample: its labels as printed between the braces (`cpu="0",mode="user"`, or empty) and its value. */
export interface Sample {
  readonly labels: string;
  readonly value: number | bigint;
  /** Divide the value by this when printing it (100 for a percentage exported as a ratio). */
  readonly div: number;
}

/** Families and their samples in the order they are printed: two arrays side by side. */
export class FamilyList implements Iterable<readonly [FamilyDef, readonly Sample[]]> {
  constructor(
    readonly defs: readonly FamilyDef[],
    readonly lists: readonly (readonly Sample[])[],
  ) {}

  /** The families of an iterable of entries (a Map), in its order. */
  static of(families: Iterable<readonly [FamilyDef, readonly Sample[]]>): FamilyList {
    if (families instanceof FamilyList) return families;
    const defs: FamilyDef[] = [];
    const lists: (readonly Sample[])[] = [];
    for (const [def, samples] of families) {
      defs.push(def);
      lists.push(samples);
    }
    return new FamilyList(defs, lists);
  }

  /** How many families. */
  get size(): number {
    return this.defs.length;
  }

  forEach(each: (samples: readonly Sample[], def: FamilyDef) => void): void {
    for (let i = 0; i < this.defs.length; i++) each(this.lists[i]!, this.defs[i]!);
  }

  *[Symbol.iterator](): IterableIterator<readonly [FamilyDef, readonly Sample[]]> {
    for (let i = 0; i < this.defs.length; i++) yield [this.defs[i]!, this.lists[i]!] as const;
  }
}

/**
 * A slot per family a collector has given, kept across scrapes: a sink
 * finds a family's list by its slot in an array rather than in a map made
 * for each scrape (whose growth was a quarter of what a scrape allocated).
 * Slots are given in the order families are first met.
 */
export class FamilySlots {
  private readonly index = new Map<FamilyDef, number>();
  readonly defs: FamilyDef[] = [];

  slot(def: FamilyDef): number {
    let k = this.index.get(def);
    if (k === undefined) {
      k = this.defs.length;
      this.index.set(def, k);
      this.defs.push(def);
    }
    return k;
  }
}

/** Where a walk puts the samples it finds: a list per family, in the order of their slots. */
export class Sink {
  private readonly slots: FamilySlots;
  /** Per slot, the family's samples (undefined: none). */
  private lists: (Sample[] | undefined)[];
  /** The table whose rows are being walked (its header's columns name per-column values). */
  header: Record<string, unknown> | undefined;

  /** `slots`: the collector's, kept between its sinks (a sink of its own by default). */
  constructor(slots: FamilySlots = new FamilySlots()) {
    this.slots = slots;
    this.lists = new Array<Sample[] | undefined>(slots.defs.length);
  }

  add(def: FamilyDef, labels: string, value: number | bigint, div: number): void {
    const k = this.slots.slot(def);
    const list = this.lists[k];
    // Most families have one sample: a list made with it holds one slot, where push would have made room for 17.
    if (list === undefined) this.lists[k] = [{ labels, value, div }];
    else list.push({ labels, value, div });
  }

  /** Each family with samples, in slot order. */
  forEach(each: (samples: Sample[], def: FamilyDef) => void): void {
    const defs = this.slots.defs;
    for (let k = 0; k < this.lists.length; k++) {
      const list = this.lists[k];
      if (list !== undefined && list.length > 0) each(list, defs[k]!);
    }
  }

  /** The families with samples, as a new map (for reading; the sink does not see changes to it). */
  get families(): Map<FamilyDef, Sample[]> {
    const out = new Map<FamilyDef, Sample[]>();
    this.forEach((samples, def) => void out.set(def, samples));
    return out;
  }

  /** How many families have samples. */
  get size(): number {
    let n = 0;
    for (const list of this.lists) if (list !== undefined && list.length > 0) n++;
    return n;
  }

  /** How many samples it holds. */
  get series(): number {
    let n = 0;
    for (const list of this.lists) if (list !== undefined) n += list.length;
    return n;
  }

  /** Keeps only the samples `keep` accepts. */
  filter(keep: (s: Sample) => boolean): void {
    for (let k = 0; k < this.lists.length; k++) {
      const list = this.lists[k];
      if (list === undefined) continue;
      const kept = list.filter(keep);
      if (kept.length !== list.length) this.lists[k] = kept.length === 0 ? undefined : kept;
    }
  }

  /** Drops every sample. */
  clear(): void {
    this.lists = [];
  }
}

/** Walks a value, adding the samples it holds under `labels`. */
export type Walk = (value: unknown, labels: string, sink: Sink) => void;

/** A member of an object: the walk of the value at its key. */
export interface Member {
  readonly key: string;
  readonly walk: Walk;
}

/** A label of a row taken from one of its fields. */
export interface RowLabel {
  readonly key: string;
  /** The member of a pair field the label is (io.stat's `device.major`), when it is one. */
  readonly sub?: string;
  readonly name: string;
}

export const isObject = (x: unknown): x is Record<string, unknown> => x !== null && typeof x === 'object' && !Array.isArray(x);

/**
 * Label texts made so far, kept so that a scrape hands printing the very
 * strings the last one did: V8 keeps a string's hash in the string, so the
 * line-start lookup by labels (exposition.ts) then hashes nothing, and no
 * label text is built, joined or flattened again. Bounded: past MAX_TEXTS
 * entries (label values of processes or sockets come and go) it starts over.
 */
const pairs = new Map<string, Map<string, string>>();
const joins = new Map<string, Map<string, string>>();
let texts = 0;
const MAX_TEXTS = 100_000;

/** The text kept for (a, b) in `cache`, or undefined. */
const keptText = (cache: Map<string, Map<string, string>>, a: string, b: string): string | undefined => cache.get(a)?.get(b);

/** Keeps `t` as the text of (a, b) in `cache`; `t`. */
function keep(cache: Map<string, Map<string, string>>, a: string, b: string, t: string): string {
  if (texts >= MAX_TEXTS) {
    pairs.clear();
    joins.clear();
    texts = 0;
  }
  let inner = cache.get(a);
  if (inner === undefined) cache.set(a, (inner = new Map()));
  inner.set(b, t);
  texts++;
  return t;
}

/** `name="value"`, the value escaped as both formats escape it. */
export function labelPair(name: string, value: string): string {
  return keptText(pairs, name, value) ?? keep(pairs, name, value, `${name}="${value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')}"`);
}

/** Two label texts joined with a comma (either may be empty). */
export const joinLabels = (a: string, b: string): string => (a === '' ? b : b === '' ? a : (keptText(joins, a, b) ?? keep(joins, a, b, `${a},${b}`)));

export function objectWalk(members: readonly Member[]): Walk {
  return (v, labels, sink) => {
    if (!isObject(v)) return;
    for (const m of members) {
      const x = v[m.key];
      if (x !== undefined) m.walk(x, labels, sink);
    }
  };
}

/** Members by key: the first that names a key keeps it (variants of a row or a layout share most of their fields). */
export function union(lists: readonly (readonly Member[])[]): Member[] {
  const out = new Map<string, Member>();
  for (const list of lists) for (const m of list) if (!out.has(m.key)) out.set(m.key, m);
  return [...out.values()];
}

/** Whether a field is a label by its spec's marker (`label: true` or a name) rather than a value. */
export const marked = (f: FieldModel): boolean => f.label === true || typeof f.label === 'string';

/**
 * The label a field gives its row, if any: a field the spec marks
 * (`label: true`, or `label: <name>`), else a text field (string, address,
 * enum word) not marked `label: false`; `kind`, which names the row's shape,
 * is not one.
 */
export function rowLabel(f: FieldModel): RowLabel | undefined {
  if (f.value.kind === 'record' || f.value.kind === 'list' || f.label === false) return undefined;
  if (typeof f.label === 'string') return { key: f.name, name: f.label };
  const k = f.value.kind;
  if (f.label === true || ((k === 'string' || k === 'inet' || k === 'enum') && f.name !== 'kind')) return { key: f.name, name: labelName(f.name) };
  return undefined;
}

/** The labels of a row's fields, each name once. */
export function textLabels(fields: readonly FieldModel[]): RowLabel[] {
  const out = new Map<string, RowLabel>();
  for (const f of fields) {
    if (f.value.kind === 'pair') {
      // A pair's marked members label the row each (a device's major and minor numbers).
      for (const m of [f.value.first, f.value.second]) {
        const l = marked(m) ? rowLabel(m) : undefined;
        if (l !== undefined && !out.has(`${f.name}.${m.name}`)) out.set(`${f.name}.${m.name}`, { key: f.name, sub: m.name, name: l.name });
      }
      continue;
    }
    const l = rowLabel(f);
    if (l !== undefined && !out.has(l.key)) out.set(l.key, l);
  }
  return [...out.values()];
}

/** A row's (or an object's) labels from its fields, as printed between braces. */
export function labelsOf(v: Record<string, unknown>, rowLabels: readonly RowLabel[]): string {
  let s = '';
  for (const l of rowLabels) {
    const x = v[l.key];
    const t = labelValue(l.sub === undefined ? x : isObject(x) ? x[l.sub] : undefined);
    if (t !== undefined) s = joinLabels(s, labelPair(l.name, t));
  }
  return s;
}

function labelValue(x: unknown): string | undefined {
  return typeof x === 'string' ? x : typeof x === 'number' || typeof x === 'bigint' ? String(x) : undefined;
}

/**
 * The walk of a list of rows: each row labelled by `labels` (an index, its
 * text fields); when they leave two rows alike (or there are none), every
 * row also gets its position as `index`. `each` is given every row with
 * its labels (a row's `_info` sample).
 */
export function rowsWalk(members: readonly Member[], rowLabels: readonly RowLabel[], each?: Walk): Walk {
  const walk = objectWalk(members);
  return (v, labels, sink) => {
    if (!Array.isArray(v)) return;
    const names = v.map((row) => (isObject(row) ? labelsOf(row, rowLabels) : ''));
    const positional = rowLabels.length === 0 || new Set(names).size !== names.length;
    for (let i = 0; i < v.length; i++) {
      const own = positional ? joinLabels(names[i]!, labelPair('index', String(i))) : names[i]!;
      walk(v[i], joinLabels(labels, own), sink);
      each?.(v[i], joinLabels(labels, own), sink);
    }
  };
}
