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

/** Where a walk puts the samples it finds: a list per family. */
export class Sink {
  readonly families = new Map<FamilyDef, Sample[]>();
  /** The table whose rows are being walked (its header's columns name per-column values). */
  header: Record<string, unknown> | undefined;

  add(def: FamilyDef, labels: string, value: number | bigint, div: number): void {
    const list = this.families.get(def);
    // Most families have one sample: a list made with it holds one slot, where push would have made room for 17.
    if (list === undefined) this.families.set(def, [{ labels, value, div }]);
    else list.push({ labels, value, div });
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
