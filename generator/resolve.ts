/**
 * The spec language's ways of writing a thing once, resolved into the
 * complete spec that the checker (check.ts) and everything after it read:
 *
 * - `extends: <spec id>` takes another spec's layout, and everything else
 *   the spec does not say itself; `override` changes fields of it, each
 *   named by its path of field names (`remote.address`).
 * - `fragments: {<name>: [fields]}` names lists of fields; an item
 *   `{include: <name>}` (or `{include: <name>, from: <spec id>}` for
 *   another spec's fragment) in a list of fields (`fields` or `tokens`)
 *   stands for them.
 * - `defaults: {...}` beside a list of `fields` (keyed, pairs, columns)
 *   completes each field of the list that does not write its own `type`.
 * - A field without `name` is named by its kernel name (names.ts,
 *   nameOfKernelName).
 *
 * The data made here has the origins (origin.ts) of what it was made of,
 * so errors found later name the file, line and column where the part at
 * fault is written. Errors of the mechanisms themselves (an unknown base
 * or fragment, a cycle, a field both included and written) are SpecErrors
 * located at the key that uses them.
 */
import { nameOfKernelName } from './names.js';
import { type Location, locate, locationOf, originOf, setOrigin } from './origin.js';
import { SpecError } from './spec-error.js';

type Obj = Record<string, unknown>;

/** A spec as written: parsed and checked against the schema, nothing resolved yet. */
export interface WrittenSpec {
  file: string;
  data: Obj;
}

/** Finds a spec by its id (`proc/net/tcp`), for `extends` and `from`: undefined when there is none. */
export type SpecLookup = (id: string) => WrittenSpec | undefined;

/** Keys of a spec that are about the file itself, never taken from the spec it extends. */
const OWN_KEYS = new Set(['extends', 'override', 'fragments']);

/** The fragment a field was written in, by field object (the innermost, for fragments that include fragments). */
const FRAGMENT = new WeakMap<object, string>();

/** The key of the kernel name a field without `name` is named after, by field object. */
const DERIVED = new WeakMap<object, 'key' | 'line' | 'raw'>();

/** When `field` was named by its kernel name: which key gave it. */
export function nameDerivedFrom(field: unknown): 'key' | 'line' | 'raw' | undefined {
  return field !== null && typeof field === 'object' ? DERIVED.get(field) : undefined;
}

/** The name a field without `name` gets: undefined when it has no kernel name either. */
export function derivedName(field: Obj): string | undefined {
  const kernel = field.key ?? field.line ?? field.raw;
  return typeof kernel === 'string' ? nameOfKernelName(kernel) : undefined;
}

const isObj = (x: unknown): x is Obj => x !== null && typeof x === 'object' && !Array.isArray(x);
const isInclude = (x: unknown): x is Obj => isObj(x) && x.include !== undefined;

function fail(at: Location, problem: string): never {
  throw new SpecError(at.file, at.line, at.path.join('.'), problem, at.column);
}

/** A copy of an object or array that keeps its origins (an object's or array's own location, and its keys'). */
function withOrigin<T extends object>(value: T, from: unknown, keys?: Map<string, Location>): T {
  const o = originOf(from);
  if (o) setOrigin(value, { self: o.self, keys: keys ?? new Map(o.keys) });
  return value;
}

/** What the resolution of one spec knows: how to find other specs, and the spec whose fragments an include without `from` names. */
interface Context {
  lookup: SpecLookup | undefined;
  /** The spec being resolved, for messages. */
  root: WrittenSpec;
  /** The spec whose `fragments` an `{include}` without `from` takes. */
  owner: WrittenSpec;
  /** The fragments being included, `file#name`, to refuse a cycle. */
  including: string[];
}

/** The spec `id` for `extends` or `from`, or an error at `at`. */
function find(ctx: Context, id: string, at: Location, what: string): WrittenSpec {
  if (!ctx.lookup) fail(at, `${what} names another spec, and this spec was loaded without the folder of specs (specs/) to find it in`);
  const spec = ctx.lookup(id);
  if (!spec) fail(at, `${what} names "${id}", and there is no spec of that id (specs/${id}.yaml)`);
  return spec;
}

/** Resolves a written spec into the complete spec: bases, fragments, defaults and names. */
export function resolveSpec(spec: WrittenSpec, lookup?: SpecLookup): Obj {
  return resolveWithBases(spec, lookup, []);
}

function resolveWithBases(spec: WrittenSpec, lookup: SpecLookup | undefined, chain: WrittenSpec[]): Obj {
  const d = spec.data;
  const ctx: Context = { lookup, root: spec, owner: spec, including: [] };
  const at = (...path: (string | number)[]): Location => locate(d, path, spec.file);
  if (d.extends === undefined) {
    if (d.override !== undefined) fail(at('override'), '"override" changes fields of the spec named by "extends", and this spec extends none');
    const out: Obj = {};
    const keys = new Map<string, Location>();
    for (const [k, v] of Object.entries(d)) {
      if (OWN_KEYS.has(k)) continue;
      out[k] = resolveValue(v, 'other', ctx);
      keys.set(k, at(k));
    }
    return withOrigin(out, d, keys);
  }
  const id = d.extends as string;
  const base = find(ctx, id, at('extends'), '"extends"');
  if (base.file === spec.file || chain.some((c) => c.file === base.file)) {
    const names = [...chain, spec, base].map((s) => s.file);
    fail(at('extends'), `"extends" makes a cycle: ${names.join(' -> ')}`);
  }
  if (d.layout !== undefined) fail(at('layout'), `a spec that extends another takes its layout: change its fields with "override"`);
  if (d.access === 'write' || base.data.access === 'write') fail(at('extends'), 'a write-only spec neither extends another nor is extended: it has no layout');
  const resolvedBase = resolveWithBases(base, lookup, [...chain, spec]);
  const out: Obj = {};
  const keys = new Map<string, Location>();
  for (const [k, v] of Object.entries(resolvedBase)) {
    if (d[k] !== undefined) continue;
    out[k] = v;
    keys.set(k, locationOf(resolvedBase, k)!);
  }
  for (const [k, v] of Object.entries(d)) {
    if (OWN_KEYS.has(k)) continue;
    out[k] = resolveValue(v, 'other', ctx);
    keys.set(k, at(k));
  }
  withOrigin(out, d, keys);
  const override = d.override as Obj | undefined;
  if (override !== undefined) {
    for (const [path, changes] of Object.entries(override)) {
      // Found again for each change: a change to a field replaces it, and the fields inside it with it.
      const fields = fieldsByPath(out.layout as Obj);
      const target = fields.get(path);
      if (target === undefined) {
        const known = [...fields.keys()];
        const shown = known.length > 12 ? `${known.slice(0, 12).join(', ')}, ...` : known.join(', ');
        fail(at('override', path), `"${path}" names no field of ${id} (its fields: ${shown})`);
      }
      if (target === null) fail(at('override', path), `"${path}" names more than one field of ${id}`);
      const field = target.container[target.key as never] as Obj;
      const merged: Obj = { ...field };
      const mergedKeys = new Map(originOf(field)?.keys ?? []);
      const resolvedChanges = resolveValue(changes, 'other', ctx) as Obj;
      for (const [k, v] of Object.entries(resolvedChanges)) {
        merged[k] = v;
        mergedKeys.set(k, at('override', path, k));
      }
      withOrigin(merged, field, mergedKeys);
      if (DERIVED.has(field)) DERIVED.set(merged, DERIVED.get(field)!);
      (target.container as Obj)[target.key] = merged;
    }
  }
  return out;
}

type Role = 'field' | 'other';

/**
 * A resolved copy of `value`: includes expanded and defaults applied in
 * lists of fields, and names given to fields without one. `role` says
 * whether `value` is a field (an item of `fields` or `tokens`, or a
 * `first`, `second` or `item`).
 */
function resolveValue(value: unknown, role: Role, ctx: Context, listKey?: string): unknown {
  if (Array.isArray(value)) {
    const fieldList = listKey === 'fields' || listKey === 'tokens';
    return fieldList
      ? resolveFieldList(value, ctx)
      : withOrigin(
          value.map((v) => resolveValue(v, 'other', ctx)),
          value,
        );
  }
  if (!isObj(value)) return value;
  const out: Obj = {};
  const keys = new Map<string, Location>();
  const o = originOf(value);
  for (const [k, v] of Object.entries(value)) {
    if (k === 'defaults') continue;
    const childRole: Role = k === 'first' || k === 'second' || k === 'item' ? 'field' : 'other';
    out[k] = resolveValue(v, childRole, ctx, k);
    const loc = o?.keys.get(k);
    if (loc) keys.set(k, loc);
  }
  withOrigin(out, value, keys);
  if (value.defaults !== undefined && Array.isArray(out.fields)) {
    out.fields = applyDefaults(out.fields, value.defaults as Obj);
  }
  if (role === 'field' && out.literal === undefined && out.name === undefined) {
    const from = out.key !== undefined ? 'key' : out.line !== undefined ? 'line' : out.raw !== undefined ? 'raw' : undefined;
    if (from !== undefined) {
      out.name = nameOfKernelName(String(out[from]));
      const loc = keys.get(from);
      if (loc) keys.set('name', loc);
      DERIVED.set(out, from);
    }
  }
  return out;
}

/** One item of a list of fields after includes: where it entered the list, and the fragment it came from. */
interface Item {
  value: unknown;
  site: Location;
  /** `fragment "ip6" of specs/proc/net/snmp6.yaml`, for an included field. */
  via?: string;
}

/** The identities of a field in its list: its key or line, its raw name, its name. */
function identities(x: unknown): string[] {
  if (!isObj(x)) return [];
  const out: string[] = [];
  if (typeof x.key === 'string') out.push(`${x.indexed !== undefined ? 'indexed key' : 'key'} "${x.key}"`);
  if (typeof x.line === 'string') out.push(`line "${x.line}"`);
  if (typeof x.raw === 'string') out.push(`raw name "${x.raw}"`);
  if (typeof x.name === 'string') out.push(`name "${x.name}"`);
  return out;
}

function resolveFieldList(list: unknown[], ctx: Context): unknown[] {
  const items: Item[] = [];
  const here = originOf(list);
  list.forEach((x, i) => {
    const site = here?.keys.get(String(i)) ?? here?.self ?? { file: ctx.root.file, line: 1, column: 1, path: [] };
    if (isInclude(x)) {
      for (const v of expand(x, ctx)) items.push({ value: v, site, via: isObj(v) ? FRAGMENT.get(v) : undefined });
    } else {
      items.push({ value: resolveValue(x, 'field', ctx), site });
    }
  });
  // A field both included and written (or included twice) is refused: it would be two fields of one key or name.
  const seen = new Map<string, Item>();
  for (const item of items) {
    for (const id of identities(item.value)) {
      const first = seen.get(id);
      if (first && (first.via !== undefined || item.via !== undefined)) {
        const at = (it: Item): Location => (it.via === undefined ? it.site : (locationOf(it.value) ?? it.site));
        const where = (it: Item): string => {
          const l = at(it);
          return `${it.via === undefined ? 'written at' : `in ${it.via} at`} ${l.file}:${l.line}:${l.column}`;
        };
        fail(item.site, `the ${id} is ${where(first)} and ${where(item)}: a field is written once`);
      }
      if (!first) seen.set(id, item);
    }
  }
  const out = items.map((it) => it.value);
  const keys = new Map<string, Location>();
  items.forEach((it, i) => {
    keys.set(String(i), it.via === undefined ? it.site : (locationOf(it.value) ?? it.site));
  });
  return withOrigin(out, list, keys);
}

/** The fields an `{include, from?}` item stands for, resolved where the fragment is written. */
function expand(x: Obj, ctx: Context): unknown[] {
  const name = x.include as string;
  const owner = x.from === undefined ? ctx.owner : find(ctx, x.from as string, locate(x, ['from'], ctx.owner.file), '"from"');
  const fragments = owner.data.fragments as Obj | undefined;
  const list = fragments?.[name];
  const at = locate(x, ['include'], ctx.owner.file);
  if (!Array.isArray(list)) {
    const known = Object.keys(fragments ?? {});
    fail(at, `no fragment "${name}" in ${owner.file}${known.length > 0 ? ` (its fragments: ${known.join(', ')})` : ' (it has no "fragments")'}`);
  }
  const tag = `${owner.file}#${name}`;
  if (ctx.including.includes(tag)) fail(at, `fragment "${name}" includes itself: ${[...ctx.including, tag].join(' -> ')}`);
  const fields = resolveFieldList(list, { ...ctx, owner, including: [...ctx.including, tag] });
  for (const f of fields) if (isObj(f) && !FRAGMENT.has(f)) FRAGMENT.set(f, `fragment "${name}"`);
  return fields;
}

/** `fields` with each field that does not write its own type completed by `defaults` (the schema says which keys they may give). */
function applyDefaults(fields: unknown[], defaults: Obj): unknown[] {
  const out = fields.map((f) => {
    // A field that writes its own type describes its value itself, and an entry that opens a section has none.
    if (!isObj(f) || f.type !== undefined || f.line !== undefined || f.literal !== undefined) return f;
    const o = originOf(f);
    const merged: Obj = { ...f };
    const keys = new Map(o?.keys ?? []);
    for (const [k, v] of Object.entries(defaults)) {
      if (merged[k] !== undefined) continue;
      merged[k] = v;
      if (o) keys.set(k, { ...o.self, path: [...o.self.path, k] });
    }
    if (DERIVED.has(f)) DERIVED.set(merged, DERIVED.get(f)!);
    if (FRAGMENT.has(f)) FRAGMENT.set(merged, FRAGMENT.get(f)!);
    return withOrigin(merged, f, keys);
  });
  return withOrigin(out, fields);
}

/** Where a field sits: the object or array that holds it, and its key there. */
interface Slot {
  container: Obj | unknown[];
  key: string | number;
}

/**
 * Every field of a resolved layout by its path of names, dot-joined: a
 * field's own fields (a record's tokens, pairs and columns, a pair's first
 * and second, a section's layout) follow its name (`local.address`); a
 * variant's fields follow the variant's name. null for a path that names
 * two fields.
 */
export function fieldsByPath(layout: Obj): Map<string, Slot | null> {
  const out = new Map<string, Slot | null>();
  const add = (path: string, slot: Slot): void => {
    out.set(path, out.has(path) ? null : slot);
  };
  const field = (container: Obj | unknown[], key: string | number, prefix: string): void => {
    const f = (container as Obj)[key as string];
    if (!isObj(f) || f.literal !== undefined || typeof f.name !== 'string') return;
    const path = `${prefix}${f.name}`;
    add(path, { container, key });
    if (f.first !== undefined) field(f, 'first', `${path}.`);
    if (f.second !== undefined) field(f, 'second', `${path}.`);
    record(f, `${path}.`);
    if (isObj(f.section) && isObj(f.section.layout)) layoutFields(f.section.layout, `${path}.`);
  };
  const list = (xs: unknown, prefix: string): void => {
    if (Array.isArray(xs)) for (let i = 0; i < xs.length; i++) field(xs, i, prefix);
  };
  const record = (r: unknown, prefix: string): void => {
    if (!isObj(r)) return;
    list(r.tokens, prefix);
    if (isObj(r.pairs)) list(r.pairs.fields, prefix);
    if (isObj(r.columns)) list(r.columns.fields, prefix);
  };
  const layoutFields = (l: Obj, prefix: string): void => {
    if (l.line !== undefined) record(l.line, prefix);
    if (isObj(l.keyed)) {
      record(l.keyed.header, prefix);
      list(l.keyed.fields, prefix);
    }
    if (isObj(l.table)) {
      const t = l.table;
      record(t.header, prefix);
      record(t, prefix);
      if (Array.isArray(t.rows)) for (const v of t.rows) if (isObj(v)) record(v, `${prefix}${String(v.variant)}.`);
    }
    if (isObj(l.blocks)) {
      record(l.blocks.header, prefix);
      if (isObj(l.blocks.body)) layoutFields(l.blocks.body, prefix);
    }
    if (Array.isArray(l.variants)) for (const v of l.variants) if (isObj(v) && isObj(v.layout)) layoutFields(v.layout, `${prefix}${String(v.variant)}.`);
    if (isObj(l.items)) field(l.items, 'item', prefix);
  };
  if (isObj(layout)) layoutFields(layout, '');
  return out;
}
