/**
 * The raw view of `procspec parse --raw`: beside every field its spec names,
 * a sibling `<field>.raw` with what the kernel printed:
 *
 *   memTotal: 33378361344,
 *   "memTotal.raw": { key: "MemTotal", value: 32595860, unit: "kB" }
 *
 * `key` is the kernel's name of the field; `value` is the value in the unit
 * the kernel prints (kB, pages, sectors, ticks, jiffies, ns, us, ms, cs,
 * converted back with the page size, clock tick and HZ of the parse context;
 * an integer the kernel printed is rounded back to an integer),
 * or the kernel's own text of an enum value, a sentinel (`unlimited` -> `-1`)
 * or an address (the hex of an inet field); `unit` is there when the spec
 * gives one. A field holding a group of fields (a record, a pair, a section)
 * gets only `key`, and its own fields get their `.raw`. Keys the spec does
 * not name (`extra`, `extraTokens`, open-ended counters) are left as they are.
 */
import type { ParseContext } from '../runtime/core/context.js';
import type { FieldModel, LayoutModel, RecordModel, SpecModel, Unit, ValueModel } from '../runtime/model/model.js';
import { isObject } from './records.js';

/** The fields the objects of one level of a parsed value may hold, by TypeScript name. */
interface Scope {
  fields: Map<string, Node>;
  /** For shapes told apart by `kind` (variants): the scope of each. */
  kinds: Map<string, Scope>;
}

/** One property of a scope: the field that fills it, and the scope of the objects inside it. */
interface Node {
  field?: FieldModel;
  children?: Scope;
}

/** The kernel's name for a field and its value as the kernel printed it. */
export interface RawValue {
  key: string;
  value?: unknown;
  unit?: Unit;
}

const scope = (fields: [string, Node][] = []): Scope => ({ fields: new Map(fields), kinds: new Map() });

/** Fields of `a` then those of `b` not in `a`; kinds of both, each with the other side's fields. */
function merge(a: Scope, b: Scope): Scope {
  const out = scope([...a.fields, ...[...b.fields].filter(([k]) => !a.fields.has(k))]);
  for (const [k, s] of a.kinds) out.kinds.set(k, merge(s, scope([...b.fields])));
  for (const [k, s] of b.kinds) out.kinds.set(k, merge(out.kinds.get(k) ?? scope([...a.fields]), s));
  return out;
}

const fieldNode = (f: FieldModel, children = valueScope(f.value)): [string, Node] => [f.name, children ? { field: f, children } : { field: f }];

function valueScope(v: ValueModel): Scope | undefined {
  switch (v.kind) {
    case 'record':
      return recordScope(v.record);
    case 'pair':
      return scope([fieldNode(v.first), fieldNode(v.second)]);
    case 'list':
      return valueScope(v.of);
    default:
      return undefined;
  }
}

function recordScope(r: RecordModel): Scope {
  const fields = [...r.tokens.flatMap((t) => (t.kind === 'field' ? [t.field] : [])), ...(r.pairs?.fields ?? []), ...(r.columns?.fields ?? [])];
  return scope(fields.map((f) => fieldNode(f)));
}

function layoutScope(l: LayoutModel): Scope {
  switch (l.kind) {
    case 'line':
      return recordScope(l.record);
    case 'keyed': {
      const entries = scope(
        l.entries.map((e) => {
          const section = e.section ? layoutScope(e.section.layout) : undefined;
          if (e.indexed === undefined) return fieldNode(e.field, section ?? valueScope(e.field.value));
          const inner = section && e.section?.name !== undefined ? scope([[e.section.name, { children: section }]]) : scope();
          return fieldNode(e.field, merge(valueScope(e.field.value) ?? scope(), inner));
        }),
      );
      return l.header ? merge(recordScope(l.header), entries) : entries;
    }
    case 'table': {
      const rows = 'record' in l.rows ? recordScope(l.rows.record) : variantsScope(l.rows.variants.map((v) => [v.name, recordScope(v.shape)]));
      return l.header ? merge(recordScope(l.header), scope([['rows', { children: rows }]])) : rows;
    }
    case 'blocks':
      return l.header ? merge(recordScope(l.header), layoutScope(l.body)) : layoutScope(l.body);
    case 'variants':
      return variantsScope(l.variants.map((v) => [v.name, layoutScope(v.shape)]));
    case 'items':
      return scope();
    case 'binary':
      return recordScope(l.record);
    case 'tree': {
      // A node's children are rows of the same tree: the scope holds itself.
      const rows = 'record' in l.rows ? recordScope(l.rows.record) : variantsScope(l.rows.variants.map((v) => [v.name, recordScope(v.shape)]));
      rows.fields.set('children', { children: rows });
      return rows;
    }
  }
}

/** Each variant's scope under its name, and all their fields (first wins) for objects without a known `kind`. */
function variantsScope(variants: [string, Scope][]): Scope {
  const all = variants.reduce((acc, [, s]) => merge(acc, scope([...s.fields])), scope());
  for (const [name, s] of variants) all.kinds.set(name, s);
  return all;
}

/** How many of the kernel's units make one normalised unit (byte or second). */
function kernelPerNormalised(unit: Unit | undefined, ctx: ParseContext): number {
  switch (unit) {
    case 'kB':
      return 1 / 1024;
    case 'pages':
      return 1 / ctx.pageSize;
    case 'sectors':
      return 1 / 512;
    case 'ticks':
      return ctx.clockTick;
    case 'jiffies':
      return ctx.hz;
    case 'ns':
      return 1e9;
    case 'us':
      return 1e6;
    case 'ms':
      return 1e3;
    case 'cs':
      return 100;
    default:
      return 1;
  }
}

/** A normalised value back in the kernel's unit and spelling. */
function kernelValue(v: ValueModel, x: unknown, ctx: ParseContext): unknown {
  // A key repeated on several lines, or indexed (`cpu0`, `cpu1`), holds one value per line.
  if (Array.isArray(x) && v.kind !== 'list') return x.map((el) => kernelValue(v, el, ctx));
  switch (v.kind) {
    case 'integer':
    case 'u64': {
      const sentinel = v.sentinels.find((s) => s.name === x);
      if (sentinel) return sentinel.raw;
      if (v.kind === 'u64') return x;
      const factor = kernelPerNormalised(v.unit, ctx);
      if (typeof x === 'bigint') {
        // A size read in exact mode: divided back by the bytes per unit, exactly.
        const per = 1 / factor;
        return factor === 1 || !Number.isInteger(per) ? x : x / BigInt(per);
      }
      if (typeof x !== 'number') return x;
      return factor === 1 ? x : Math.round(x * factor);
    }
    case 'float': {
      const factor = kernelPerNormalised(v.unit, ctx);
      // Clean the last bit of binary noise a scaling adds (0.007 * 1000 = 7.000000000000001).
      return factor === 1 || typeof x !== 'number' ? x : Number((x * factor).toPrecision(15));
    }
    case 'enum':
      return v.values.find((e) => e.name === x)?.raw ?? x;
    case 'list':
      return Array.isArray(x) ? x.map((el) => kernelValue(v.of, el, ctx)) : x;
    default:
      return x;
  }
}

function rawOf(node: Node & { field: FieldModel }, name: string, x: unknown, parent: Record<string, unknown>, ctx: ParseContext): RawValue {
  const f = node.field;
  if (node.children !== undefined) return { key: f.raw };
  const value = f.value.kind === 'inet' && typeof parent[`${name}Raw`] === 'string' ? parent[`${name}Raw`] : kernelValue(f.value, x, ctx);
  const unit =
    f.value.kind === 'integer' || f.value.kind === 'float' ? f.value.unit : f.value.kind === 'list' && 'unit' in f.value.of ? f.value.of.unit : undefined;
  return unit !== undefined ? { key: f.raw, value, unit } : { key: f.raw, value };
}

function annotate(x: unknown, s: Scope, ctx: ParseContext): unknown {
  if (Array.isArray(x)) return x.map((el) => annotate(el, s, ctx));
  if (!isObject(x)) return x;
  const level = typeof x.kind === 'string' ? (s.kinds.get(x.kind) ?? s) : s;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(x)) {
    const node = level.fields.get(k);
    out[k] = node?.children ? annotate(v, node.children, ctx) : v;
    if (node?.field) out[`${k}.raw`] = rawOf(node as Node & { field: FieldModel }, k, v, x, ctx);
  }
  return out;
}

/** `value` (what the spec's parser returned) with a `<field>.raw` beside each field the spec names. */
export function withRaw(value: unknown, spec: SpecModel, ctx: ParseContext): unknown {
  return annotate(value, layoutScope(spec.layout), ctx);
}
