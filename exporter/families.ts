/**
 * A spec's metric families and the walk that finds their samples in a parsed
 * value, compiled once from the spec's checked model (no code per spec):
 * - a number field is a family; its type is its measure (its own, else the
 *   record's it is in, else the spec's), a gauge when none says;
 * - nested records add their names to the family name (`loadavg_entities_running`);
 * - sibling records declared alike (same fields, same descriptions: a YAML
 *   anchor, pressure's `some` and `full`) are one family, told apart by a
 *   label `kind` (their name);
 * - the rows of a table, the blocks of a file and the lines of an indexed
 *   key are told apart by labels: the index (`cpu`), the row's text fields
 *   (`iface`, `device`); when those do not tell rows apart (or there are
 *   none), also by their position, label `index`;
 * - a per-column list (interrupts' counts per CPU) is labelled by the
 *   header's column name (`cpu`);
 * - keys a spec expects but does not name (`others`) are families named by
 *   the kernel's key;
 * - left out: text outside rows, enums, addresses and masks (u64, mask),
 *   lists of numbers known only by their position, keys the spec does not
 *   expect (`extra`), sentinel words.
 */
import type { FieldModel, KeyedEntry, LayoutModel, RecordModel, SpecModel, Unit, ValueModel } from '../runtime/model/model.js';
import { baseUnit, type FamilyDef, familyName, helpText, labelName, type MetricType, rawName, snake, specFile, specStem } from './names.js';
import { isObject, joinLabels, labelPair, type Member, objectWalk, rowsWalk, textLabels, union, type Walk } from './walks.js';

/** A spec compiled for export. */
export interface SpecFamilies {
  readonly model: SpecModel;
  /** Its families by name (others' families join when first seen). */
  readonly families: Map<string, FamilyDef>;
  /** Walks a parsed value of the spec's file. */
  readonly walk: Walk;
  /** Fields left out because another field of the spec already has their family's name with another type or unit. */
  readonly conflicts: string[];
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

const child = (ctx: Ctx, f: FieldModel): Ctx => ({ ...ctx, path: [...ctx.path, f.name], raws: [...ctx.raws, rawName(f)], measure: f.measure ?? ctx.measure });

function numberFamily(f: FieldModel, ctx: Ctx, unit: Unit | undefined): FamilyDef | undefined {
  const help = helpText(f.description, ctx.file, [...ctx.raws, rawName(f)], unit);
  return family(ctx, [...ctx.path, f.name], f.measure ?? ctx.measure ?? 'gauge', unit, help, [...ctx.path, f.name].join('.'));
}

/** The walk of a field's value, or undefined when nothing in it is exported. */
function valueWalk(f: FieldModel, v: ValueModel, ctx: Ctx): Walk | undefined {
  switch (v.kind) {
    case 'integer':
    case 'float': {
      const def = numberFamily(f, ctx, v.unit);
      return def === undefined ? undefined : numberWalk(def, v.unit);
    }
    case 'record':
      return objectWalk(recordMembers(v.record, child(ctx, f)));
    case 'pair': {
      const c = child(ctx, f);
      return objectWalk(fieldMembers([v.first, v.second], c));
    }
    case 'list':
      return v.of.kind === 'record' ? rowsWalk(recordMembers(v.of.record, child(ctx, f)), textLabels(recordFields(v.of.record))) : undefined;
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
  if (s !== '' && alike.get(s)! > 1 && f.value.kind === 'record') {
    const walk = objectWalk(recordMembers(f.value.record, { ...ctx, measure: f.measure ?? ctx.measure }));
    const label = labelPair('kind', snake(f.name));
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
      for (const [k, y] of Object.entries(x)) {
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
    if (t.perColumn !== undefined) {
      const m = perColumnMember(t.field, t.perColumn, ctx);
      if (m !== undefined) out.push(m);
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
  const members = recordMembers(f.value.record, c);
  if (e.section?.name !== undefined) {
    const walk = layoutWalk(e.section.layout, { ...c, path: [...c.path, e.section.name], raws: [...c.raws, e.section.name] });
    if (walk !== undefined) members.push({ key: e.section.name, walk });
  }
  const labels = textLabels(recordFields(f.value.record));
  if (e.indexed !== undefined) labels.unshift({ key: e.indexed.name, name: labelName(e.indexed.name) });
  return { key: f.name, walk: rowsWalk(members, labels) };
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
  return [];
}

function layoutWalk(layout: LayoutModel, ctx: Ctx): Walk | undefined {
  switch (layout.kind) {
    case 'table': {
      const tctx: Ctx = { ...ctx, header: layout.header };
      const shapes = 'record' in layout.rows ? [layout.rows.record] : layout.rows.variants.map((v) => v.shape);
      const rows = rowsWalk(union(shapes.map((r) => recordMembers(r, tctx))), textLabels(shapes.flatMap(recordFields)));
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
      const members = union([layout.header ? recordMembers(layout.header, ctx) : [], objectMembers(layout.body, ctx)]);
      const labels = textLabels([...(layout.header ? recordFields(layout.header) : []), ...objectFields(layout.body)]);
      return rowsWalk(members, labels);
    }
    case 'items':
      return undefined;
    default:
      return objectWalk(objectMembers(layout, ctx));
  }
}

const compiled = new WeakMap<SpecModel, SpecFamilies>();

/** The families of a spec and the walk of its values, compiled once per model. */
export function specFamilies(model: SpecModel): SpecFamilies {
  let out = compiled.get(model);
  if (out !== undefined) return out;
  const families = new Map<string, FamilyDef>();
  const conflicts: string[] = [];
  const ctx: Ctx = { spec: model, stem: specStem(model.id), file: specFile(model), families, conflicts, path: [], raws: [], measure: model.measure };
  const walk = layoutWalk(model.layout, ctx) ?? (() => {});
  out = { model, families, walk, conflicts };
  compiled.set(model, out);
  return out;
}
