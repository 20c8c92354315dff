/**
 * A spec's metric families and the walk that finds their samples in a parsed
 * value, compiled once from the spec's checked model (no code per spec).
 * The spec's `label:` markers decide where they are given; elsewhere:
 * - a number field is a family; its type is its measure (its own, else the
 *   record's it is in, else the spec's), a gauge when none says; a u64 only
 *   when it says its own measure (else an address, mask, id or inode);
 * - nested records add their names to the family name (`loadavg_entities_running`);
 * - sibling records marked with one label name (pressure's `some` and
 *   `full`: `stall`), or unmarked ones declared alike (a YAML anchor, label
 *   `kind`), are one set of families told apart by that label;
 * - the rows of a table, the blocks of a file and the lines of an indexed
 *   key are told apart by labels: the index (`cpu`), the fields marked as
 *   labels (softnet_stat's `cpu`, diskstats' `major`), the row's text
 *   fields not marked `label: false` (`iface`, `device`); when those do not
 *   tell rows apart (or there are none), also by their position, `index`;
 * - a per-column list (interrupts' counts per CPU) is labelled by the
 *   header's column name (`cpu`); repeated numbers marked `label: <name>`,
 *   by their position (buddyinfo's `order`);
 * - an enum that is not a row's label is a gauge per state (`state`), and
 *   so is a choice list, per choice the file lists;
 * - a read-once spec's objects and rows are `_info` series of value 1,
 *   labelled by their text;
 * - keys a spec expects but does not name (`others`) are families named by
 *   the kernel's key;
 * - left out: text outside rows of a sampled spec, masks and u64s without a
 *   measure, lists of numbers known only by their position, keys the spec
 *   does not expect (`extra`), sentinel words.
 */
import type { FieldModel, KeyedEntry, LayoutModel, RecordModel, SpecModel, Unit, ValueModel } from '../runtime/model/model.js';
import { baseUnit, type FamilyDef, familyName, helpText, labelName, type MetricType, rawName, snake, specFile, specStem } from './names.js';
import { isObject, joinLabels, labelPair, labelsOf, marked, type Member, objectWalk, type RowLabel, rowsWalk, textLabels, union, type Walk } from './walks.js';

/** A spec compiled for export. */
export interface SpecFamilies {
  readonly model: SpecModel;
  /** Its families by name (others' families join when first seen). */
  readonly families: Map<string, FamilyDef>;
  /** Walks a parsed value of the spec's file. */
  readonly walk: Walk;
  /** Fields left out because another field of the spec already has their family's name with another type or unit. */
  readonly conflicts: string[];
  /** Every label name its samples may carry (the collector's file parameter aside). */
  readonly labels: ReadonlySet<string>;
}

interface Ctx {
  readonly spec: SpecModel;
  readonly stem: string;
  readonly file: string;
  readonly families: Map<string, FamilyDef>;
  readonly conflicts: string[];
  /** Field names below the stem. */
  readonly path: readonly string[];
  /** Kernel names of the enclosing records, for help. */
  readonly raws: readonly string[];
  readonly measure: MetricType | undefined;
  /** The header record of the table being compiled, whose fields name per-column values. */
  readonly header?: RecordModel | undefined;
  /** The fields compiled are those of a row (their text labels the row rather than being left out). */
  readonly row: boolean;
  /** The spec is read once: its text is exported as `_info` series. */
  readonly info: boolean;
  readonly labels: Set<string>;
}

/** Notes the label names a walk gives. */
function track(ctx: Ctx, labels: readonly RowLabel[]): RowLabel[] {
  for (const l of labels) ctx.labels.add(l.name);
  return [...labels];
}

/** A read-once spec's `_info` family at a path: value 1, the text of the row or object as labels. */
function infoFamily(ctx: Ctx): FamilyDef | undefined {
  if (!ctx.info) return undefined;
  const help = `${ctx.spec.description.replace(/[.!?]?$/, '.')} Always 1: the text is in the labels. ${[ctx.file, ...ctx.raws].filter((r) => r !== '').join(' ')}.`;
  return family(ctx, [...ctx.path, 'info'], 'gauge', undefined, help, [...ctx.path, 'info'].join('.'));
}

/** The walk of a row's `_info` sample (1, with the row's labels), when the spec is read once; notes `index`, which rows may get. */
function rowInfo(ctx: Ctx): Walk | undefined {
  ctx.labels.add('index');
  const def = infoFamily(ctx);
  return def === undefined ? undefined : (_v, labels, sink) => sink.add(def, labels, 1, 1);
}

/**
 * An object's walk: its members, labelled by the fields the spec marks as
 * labels; for a read-once spec, also its `_info` sample labelled by its text.
 */
function objectLabelledWalk(members: readonly Member[], fields: readonly FieldModel[], ctx: Ctx): Walk {
  const walk = objectWalk(members);
  const own = track(ctx, textLabels(fields.filter(marked)));
  const def = infoFamily(ctx);
  const text = def === undefined ? [] : track(ctx, textLabels(fields));
  if (own.length === 0 && def === undefined) return walk;
  return (v, labels, sink) => {
    if (!isObject(v)) return;
    const l = joinLabels(labels, labelsOf(v, own));
    walk(v, l, sink);
    if (def !== undefined && text.length > 0) sink.add(def, joinLabels(labels, labelsOf(v, text)), 1, 1);
  };
}

/** A list of numbers the spec labels by position (`label: order`): one family, each item labelled by its position. */
function positionWalk(f: FieldModel, name: string, unit: Unit | undefined, ctx: Ctx): Walk | undefined {
  const def = numberFamily(f, ctx, unit);
  if (def === undefined) return undefined;
  ctx.labels.add(name);
  const div = unit === 'percent' ? 100 : 1;
  return (x, labels, sink) => {
    if (!Array.isArray(x)) return;
    x.forEach((y, i) => {
      if (typeof y === 'number' || typeof y === 'bigint') sink.add(def, joinLabels(labels, labelPair(name, String(i))), y, div);
    });
  };
}

/**
 * An enum that is not a row's label: one gauge per state the spec lists,
 * labelled `state`, 1 for the current one and 0 for the others (as
 * node_exporter's systemd and mdadm states).
 */
function stateWalk(f: FieldModel, values: readonly { name: string }[], ctx: Ctx): Walk | undefined {
  const parts = [...ctx.path, f.name];
  if (!/state$/i.test(f.name)) parts.push('state');
  const help = `${helpText(f.description, ctx.file, [...ctx.raws, rawName(f)], undefined)} One series per state: 1 for the current one, else 0.`;
  const def = family(ctx, parts, 'gauge', undefined, help, [...ctx.path, f.name].join('.'));
  if (def === undefined) return undefined;
  ctx.labels.add('state');
  const pairs = values.map((v) => ({ name: v.name, pair: labelPair('state', v.name) }));
  return (x, labels, sink) => {
    if (typeof x !== 'string') return;
    for (const p of pairs) sink.add(def, joinLabels(labels, p.pair), x === p.name ? 1 : 0, 1);
  };
}

/**
 * A choice list (`[madvise] always never`): one gauge per choice the file
 * lists, labelled `state`, 1 for the selected one and 0 for the others (all
 * 0 when none is selected), as an enum's states are.
 */
function choiceWalk(f: FieldModel, ctx: Ctx): Walk | undefined {
  const parts = [...ctx.path, f.name];
  if (!/state$/i.test(f.name)) parts.push('state');
  const help = `${helpText(f.description, ctx.file, [...ctx.raws, rawName(f)], undefined)} One series per choice the file lists: 1 for the selected one, else 0.`;
  const def = family(ctx, parts, 'gauge', undefined, help, [...ctx.path, f.name].join('.'));
  if (def === undefined) return undefined;
  ctx.labels.add('state');
  return (x, labels, sink) => {
    if (!isObject(x) || !Array.isArray(x.choices)) return;
    for (const c of x.choices) if (typeof c === 'string') sink.add(def, joinLabels(labels, labelPair('state', c)), c === x.selected ? 1 : 0, 1);
  };
}

/** The family of a number field, made once per name; undefined (and noted) when the name is taken by another type or unit. */
function family(ctx: Ctx, parts: readonly string[], type: MetricType, unit: Unit | undefined, help: string, what: string): FamilyDef | undefined {
  const u = baseUnit(unit);
  const { name, base } = familyName([ctx.stem, ...parts], type, u);
  const known = ctx.families.get(name);
  if (known !== undefined) {
    if (known.type === type && known.unit === u) return known;
    ctx.conflicts.push(`${ctx.spec.id} ${what}: ${name} is already a ${known.type} in ${known.unit || 'no unit'}`);
    return undefined;
  }
  const def: FamilyDef = { name, base, type, unit: u, help };
  ctx.families.set(name, def);
  return def;
}

function numberWalk(def: FamilyDef, unit: Unit | undefined): Walk {
  const div = unit === 'percent' ? 100 : 1;
  return (x, labels, sink) => {
    if (typeof x === 'number' || typeof x === 'bigint') sink.add(def, labels, x, div);
  };
}

const child = (ctx: Ctx, f: FieldModel): Ctx => ({
  ...ctx,
  path: [...ctx.path, f.name],
  raws: [...ctx.raws, rawName(f)],
  measure: f.measure ?? ctx.measure,
  row: false,
});

function numberFamily(f: FieldModel, ctx: Ctx, unit: Unit | undefined): FamilyDef | undefined {
  const help = helpText(f.description, ctx.file, [...ctx.raws, rawName(f)], unit);
  return family(ctx, [...ctx.path, f.name], f.measure ?? ctx.measure ?? 'gauge', unit, help, [...ctx.path, f.name].join('.'));
}

/** The walk of a field's value, or undefined when nothing in it is exported. */
function valueWalk(f: FieldModel, v: ValueModel, ctx: Ctx): Walk | undefined {
  switch (v.kind) {
    case 'integer':
    case 'float': {
      if (marked(f)) return undefined;
      const def = numberFamily(f, ctx, v.unit);
      return def === undefined ? undefined : numberWalk(def, v.unit);
    }
    case 'u64': {
      // A u64 is an address, mask, id or inode unless it says its own measure (a limit, a maximum).
      if (marked(f) || f.measure === undefined) return undefined;
      const def = numberFamily(f, ctx, undefined);
      return def === undefined ? undefined : numberWalk(def, undefined);
    }
    case 'enum':
      return marked(f) || (ctx.row && f.label !== false) ? undefined : stateWalk(f, v.values, ctx);
    case 'choice':
      return marked(f) ? undefined : choiceWalk(f, ctx);
    case 'record': {
      const c = child(ctx, f);
      return objectLabelledWalk(recordMembers(v.record, c), recordFields(v.record), c);
    }
    case 'pair': {
      const c = child(ctx, f);
      return objectWalk(fieldMembers([v.first, v.second], c));
    }
    case 'list': {
      if (typeof f.label === 'string' && (v.of.kind === 'integer' || v.of.kind === 'float')) return positionWalk(f, f.label, v.of.unit, ctx);
      if (v.of.kind !== 'record') return undefined;
      const c: Ctx = { ...child(ctx, f), row: true };
      return rowsWalk(recordMembers(v.of.record, c), track(c, textLabels(recordFields(v.of.record))), rowInfo(c));
    }
    default:
      return undefined;
  }
}

function fieldMember(f: FieldModel, ctx: Ctx): Member | undefined {
  const walk = valueWalk(f, f.value, ctx);
  return walk === undefined ? undefined : { key: f.name, walk };
}

/** What a record field declares: its fields and their descriptions, the same for fields written with one YAML anchor. */
const signature = (f: FieldModel): string => (f.value.kind === 'record' ? JSON.stringify(f.value.record) : '');

/** How many fields declare each record signature: records declared alike share their families. */
function alikeCounts(fields: readonly FieldModel[]): Map<string, number> {
  const count = new Map<string, number>();
  for (const f of fields) {
    const s = signature(f);
    if (s !== '') count.set(s, (count.get(s) ?? 0) + 1);
  }
  return count;
}

/**
 * The member of one of several sibling fields. A record declared like
 * another of them is one set of families with it, its samples labelled
 * `kind` with its name.
 */
function siblingMember(f: FieldModel, ctx: Ctx, alike: ReadonlyMap<string, number>): Member | undefined {
  const s = signature(f);
  // Records the spec labels (`label: stall`) share their families by that label; unmarked ones declared alike, by `kind`.
  const name = typeof f.label === 'string' ? f.label : s !== '' && alike.get(s)! > 1 ? 'kind' : undefined;
  if (name !== undefined && f.value.kind === 'record') {
    const walk = objectWalk(recordMembers(f.value.record, { ...ctx, measure: f.measure ?? ctx.measure, row: false }));
    ctx.labels.add(name);
    const label = labelPair(name, snake(f.name));
    return { key: f.name, walk: (x, labels, sink) => walk(x, joinLabels(labels, label), sink) };
  }
  return fieldMember(f, ctx);
}

function fieldMembers(fields: readonly FieldModel[], ctx: Ctx): Member[] {
  const alike = alikeCounts(fields);
  const out: Member[] = [];
  for (const f of fields) {
    const m = siblingMember(f, ctx, alike);
    if (m !== undefined) out.push(m);
  }
  return out;
}

/** A per-column list (one value per column of the table's header): labelled by the header's column. */
function perColumnMember(f: FieldModel, column: string, ctx: Ctx): Member | undefined {
  const v = f.value.kind === 'list' ? f.value.of : f.value;
  if (v.kind !== 'integer' && v.kind !== 'float') return undefined;
  const def = numberFamily(f, ctx, v.unit);
  if (def === undefined) return undefined;
  const head = ctx.header ? recordFields(ctx.header).find((h) => h.name === column) : undefined;
  const name = labelName(head ? rawName(head) : column);
  ctx.labels.add(name);
  const div = v.unit === 'percent' ? 100 : 1;
  return {
    key: f.name,
    walk: (x, labels, sink) => {
      if (!Array.isArray(x)) return;
      const cols = sink.header?.[column];
      const named = Array.isArray(cols) && cols.length === x.length;
      x.forEach((y, i) => {
        if (typeof y === 'number' || typeof y === 'bigint') sink.add(def, named ? joinLabels(labels, labelPair(name, String(cols[i]))) : labels, y, div);
      });
    },
  };
}

/** Keys a spec expects without naming them (`others`): a family per key, named by the kernel's key, made when first seen. */
function othersMember(others: { name: string; description: string }, ctx: Ctx): Member {
  const made = new Map<string, FamilyDef | undefined>();
  const type = ctx.measure ?? 'gauge';
  return {
    key: others.name,
    walk: (x, labels, sink) => {
      if (!isObject(x)) return;
      for (const k in x) {
        const y = x[k];
        if (typeof y !== 'number' && typeof y !== 'bigint') continue;
        let def = made.get(k);
        if (!made.has(k)) {
          def = family(ctx, [...ctx.path, k], type, undefined, helpText(others.description, ctx.file, [...ctx.raws, k], undefined), k);
          made.set(k, def);
        }
        if (def !== undefined) sink.add(def, labels, y, 1);
      }
    },
  };
}

/** Every field a record declares (tokens, pairs, columns). */
function recordFields(r: RecordModel): FieldModel[] {
  const out: FieldModel[] = [];
  for (const t of r.tokens) if (t.kind === 'field') out.push(t.field);
  if (r.pairs) out.push(...r.pairs.fields);
  if (r.columns) out.push(...r.columns.fields);
  return out;
}

function recordMembers(r: RecordModel, ctx: Ctx): Member[] {
  const out: Member[] = [];
  const plain: FieldModel[] = [];
  for (const t of r.tokens) {
    if (t.kind !== 'field') continue;
    const v = t.field.value;
    if (t.perColumn !== undefined) {
      const m = perColumnMember(t.field, t.perColumn, ctx);
      if (m !== undefined) out.push(m);
    } else if (t.repeat && typeof t.field.label === 'string' && (v.kind === 'integer' || v.kind === 'float')) {
      const walk = positionWalk(t.field, t.field.label, v.unit, ctx);
      if (walk !== undefined) out.push({ key: t.field.name, walk });
    } else plain.push(t.field);
  }
  if (r.pairs) plain.push(...r.pairs.fields);
  if (r.columns) plain.push(...r.columns.fields);
  out.push(...fieldMembers(plain, ctx));
  if (r.columns?.others) out.push(othersMember(r.columns.others, ctx));
  return out;
}

/** The members of a keyed layout: its header's fields, its entries (indexed ones as labelled rows), what it expects unnamed. */
function keyedMembers(layout: Extract<LayoutModel, { kind: 'keyed' }>, ctx: Ctx): Member[] {
  const out: Member[] = layout.header ? recordMembers(layout.header, ctx) : [];
  const plain = (e: KeyedEntry): boolean => e.indexed === undefined && e.repeated !== true && e.section === undefined;
  const alike = alikeCounts(layout.entries.filter(plain).map((e) => e.field));
  for (const e of layout.entries) {
    const m = plain(e) ? siblingMember(e.field, ctx, alike) : entryMember(e, ctx);
    if (m !== undefined) out.push(m);
  }
  if (layout.others) out.push(othersMember(layout.others, ctx));
  return out;
}

/** An indexed, repeated or section entry. */
function entryMember(e: KeyedEntry, ctx: Ctx): Member | undefined {
  const f = e.field;
  const c = child(ctx, f);
  if (e.section !== undefined && e.indexed === undefined) {
    const walk = layoutWalk(e.section.layout, c);
    return walk === undefined ? undefined : { key: f.name, walk };
  }
  if (f.value.kind !== 'record') return undefined;
  const rc: Ctx = { ...c, row: true };
  const members = recordMembers(f.value.record, rc);
  if (e.section?.name !== undefined) {
    const walk = layoutWalk(e.section.layout, { ...c, path: [...c.path, e.section.name], raws: [...c.raws, e.section.name] });
    if (walk !== undefined) members.push({ key: e.section.name, walk });
  }
  const labels = textLabels(recordFields(f.value.record));
  if (e.indexed !== undefined) labels.unshift({ key: e.indexed.name, name: labelName(e.indexed.name) });
  return { key: f.name, walk: rowsWalk(members, track(rc, labels), rowInfo(rc)) };
}

/** The members of a layout whose value is an object (line, keyed, variants of those); none for the others. */
function objectMembers(layout: LayoutModel, ctx: Ctx): Member[] {
  switch (layout.kind) {
    case 'line':
      return recordMembers(layout.record, ctx);
    case 'keyed':
      return keyedMembers(layout, ctx);
    case 'variants':
      return union(layout.variants.map((v) => objectMembers(v.shape, ctx)));
    default:
      return [];
  }
}

/** The fields of an object layout's own level (a block's name, zone or driver are among them). */
function objectFields(layout: LayoutModel): FieldModel[] {
  if (layout.kind === 'line') return recordFields(layout.record);
  if (layout.kind === 'keyed')
    return [
      ...(layout.header ? recordFields(layout.header) : []),
      ...layout.entries.filter((e) => !e.indexed && !e.repeated && !e.section).map((e) => e.field),
    ];
  if (layout.kind === 'variants') return layout.variants.flatMap((v) => objectFields(v.shape));
  return [];
}

function layoutWalk(layout: LayoutModel, ctx: Ctx): Walk | undefined {
  switch (layout.kind) {
    case 'table': {
      const tctx: Ctx = { ...ctx, header: layout.header, row: true };
      const shapes = 'record' in layout.rows ? [layout.rows.record] : layout.rows.variants.map((v) => v.shape);
      const rows = rowsWalk(union(shapes.map((r) => recordMembers(r, tctx))), track(tctx, textLabels(shapes.flatMap(recordFields))), rowInfo(tctx));
      if (layout.header === undefined) return rows;
      const head = objectWalk(recordMembers(layout.header, ctx));
      return (v, labels, sink) => {
        if (!isObject(v)) return;
        head(v, labels, sink);
        const outer = sink.header;
        sink.header = v;
        rows(v.rows, labels, sink);
        sink.header = outer;
      };
    }
    case 'blocks': {
      const bctx: Ctx = { ...ctx, row: true };
      const members = union([layout.header ? recordMembers(layout.header, bctx) : [], objectMembers(layout.body, bctx)]);
      const labels = textLabels([...(layout.header ? recordFields(layout.header) : []), ...objectFields(layout.body)]);
      return rowsWalk(members, track(bctx, labels), rowInfo(bctx));
    }
    case 'binary': {
      // Records of a binary file are rows, as a table's without a header (rt_acct's realms).
      const tctx: Ctx = { ...ctx, row: true };
      return rowsWalk(recordMembers(layout.record, tctx), track(tctx, textLabels(recordFields(layout.record))), rowInfo(tctx));
    }
    case 'items':
    case 'tree':
      return undefined;
    default:
      return objectLabelledWalk(objectMembers(layout, ctx), objectFields(layout), ctx);
  }
}

const compiled = new WeakMap<SpecModel, SpecFamilies>();

/** The families of a spec and the walk of its values, compiled once per model. */
export function specFamilies(model: SpecModel): SpecFamilies {
  let out = compiled.get(model);
  if (out !== undefined) return out;
  const families = new Map<string, FamilyDef>();
  const conflicts: string[] = [];
  const labels = new Set<string>();
  const ctx: Ctx = {
    spec: model,
    stem: specStem(model.id),
    file: specFile(model),
    families,
    conflicts,
    path: [],
    raws: [],
    measure: model.measure,
    row: false,
    info: model.sampling === 'once',
    labels,
  };
  const walk = layoutWalk(model.layout, ctx) ?? (() => {});
  out = { model, families, walk, conflicts, labels };
  compiled.set(model, out);
  return out;
}
