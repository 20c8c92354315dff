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
    let list = this.families.get(def);
    if (list === undefined) this.families.set(def, (list = []));
    list.push({ labels, value, div });
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
  readonly name: string;
}

export const isObject = (x: unknown): x is Record<string, unknown> => x !== null && typeof x === 'object' && !Array.isArray(x);

/** `name="value"`, the value escaped as both formats escape it. */
export function labelPair(name: string, value: string): string {
  return `${name}="${value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')}"`;
}

export const joinLabels = (a: string, b: string): string => (a === '' ? b : b === '' ? a : `${a},${b}`);

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

/** Text fields (strings, addresses, enum words) that label a row; `kind`, which names the row's shape, is not one. */
export function textLabels(fields: readonly FieldModel[]): RowLabel[] {
  const out = new Map<string, RowLabel>();
  for (const f of fields) {
    const k = f.value.kind;
    if ((k === 'string' || k === 'inet' || k === 'enum') && f.name !== 'kind' && !out.has(f.name)) out.set(f.name, { key: f.name, name: labelName(f.name) });
  }
  return [...out.values()];
}

function labelValue(x: unknown): string | undefined {
  return typeof x === 'string' ? x : typeof x === 'number' || typeof x === 'bigint' ? String(x) : undefined;
}

/**
 * The walk of a list of rows: each row labelled by `labels` (an index, its
 * text fields); when they leave two rows alike (or there are none), every
 * row also gets its position as `index`.
 */
export function rowsWalk(members: readonly Member[], rowLabels: readonly RowLabel[]): Walk {
  const walk = objectWalk(members);
  return (v, labels, sink) => {
    if (!Array.isArray(v)) return;
    const names: string[] = [];
    for (const row of v) {
      let s = '';
      if (isObject(row)) {
        for (const l of rowLabels) {
          const t = labelValue(row[l.key]);
          if (t !== undefined) s = joinLabels(s, labelPair(l.name, t));
        }
      }
      names.push(s);
    }
    const positional = rowLabels.length === 0 || new Set(names).size !== names.length;
    for (let i = 0; i < v.length; i++) {
      const own = positional ? joinLabels(names[i]!, labelPair('index', String(i))) : names[i]!;
      walk(v[i], joinLabels(labels, own), sink);
    }
  };
}
