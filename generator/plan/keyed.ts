/**
 * The plan of a keyed layout (`Key: value` lines): the locals of its keys,
 * how a line's key is looked up, and how each key's value is read.
 *
 * A switch over many strings compares them one by one, so a layout with many
 * keys looks the key up in a Map to a small integer and switches on that (a
 * jump table). Files print their keys in a fixed order: when keys are matched
 * by their bytes, the key after the last one matched is tried first, then the
 * one after it (a key this kernel does not print), before cutting the key out
 * and looking it up; and when some keys hold a plain number, the expected
 * key's whole line is tried in one pass (Scan.keyedNumber).
 */
import { decodeExpr, decodeLocal, decodeStatement } from './decode.js';
import type { KeyedEntry, LayoutModel, RecordModel } from '../../runtime/model/model.js';
import { scalarType, type Shapes } from '../shapes.js';
import type { EntryCase, EntryRead, KeyedBody, KeyTable, ObjectField } from './ir.js';
import { recordLocals, tokenSteps, type RecordContext } from './records.js';
import { lineNumber, lineNumberRead, valueRead } from './values.js';

type Keyed = Extract<LayoutModel, { kind: 'keyed' }>;

/** Keyed layouts with at least this many plain keys look keys up in a table. */
const MAP_DISPATCH = 8;

export interface KeyedContext extends RecordContext {
  shapes: Shapes;
  /** A new key table, named in the order tables are made. */
  keyTable(keys: string[], bytes: boolean, numbers: KeyTable['numbers']): string;
  /** The function of a section's layout. */
  sectionFn(e: KeyedEntry): string;
  /** The function of an indexed entry's record. */
  indexedRecord(e: KeyedEntry): string;
}

function entryRead(ctx: KeyedContext, e: KeyedEntry, fromLoop: boolean): EntryRead {
  const v = e.field.value;
  const rec = (r: RecordModel): string => ctx.record(r);
  if (e.repeated) {
    // Each line of a repeated key adds one value.
    const itemType = v.kind === 'record' ? ctx.shapes.recordType.get(v.record)! : v.kind === 'pair' ? ctx.shapes.pairType.get(v)! : scalarType(v);
    return {
      kind: 'repeated',
      itemType,
      ...(e.prefix !== undefined ? { prefix: e.prefix } : {}),
      read: valueRead(v, 'line', e.field.name, rec),
      eol: v.kind !== 'record',
    };
  }
  // A key may come in several pairs of lines (IcmpMsg: 16 columns per pair); their columns join.
  if (v.kind === 'record' && v.record.columns) return { kind: 'columns', record: ctx.record(v.record), table: ctx.columnsTable(v.record) };
  // An unsigned number alone on its line, with or without a unit suffix: one call (none when the loop read it already).
  const line = lineNumber(e);
  if (line !== undefined) return { kind: 'number', number: lineNumberRead(line, fromLoop) };
  return {
    kind: 'value',
    space: v.kind === 'string' && v.verbatim ? 'oneSpace' : 'ws',
    ...(e.prefix !== undefined ? { prefix: e.prefix } : {}),
    read: valueRead(v, 'line', e.field.name, rec),
    eol: v.kind !== 'record',
  };
}

export function keyedBody(ctx: KeyedContext, l: Keyed, type: string, outerHeader: RecordModel | undefined, kind: string | undefined): KeyedBody {
  const sections = l.entries.filter((e) => e.section && !e.indexed);
  const indexed = l.entries.filter((e) => e.indexed);
  const plain = l.entries.filter((e) => !e.section && !e.indexed);
  const head = l.header ?? outerHeader;
  const headPlan = head ? { locals: recordLocals(ctx, head, type), tokens: tokenSteps(ctx, head, type) } : undefined;
  const headed = l.entries.some((e) => e.field.value.kind === 'record' && e.field.value.record.columns);
  const sepCode = l.separator === 'colon' ? 58 : l.separator === 'space' ? 32 : undefined;
  const tabled = plain.length >= MAP_DISPATCH;
  const fast = tabled && sepCode !== undefined && sections.length === 0 && plain.some((e) => lineNumber(e)?.constant);
  const sectionPlans = sections.map((e) => ({ key: e.key, local: `v_${e.field.name}`, until: e.section!.until, fn: ctx.sectionFn(e) }));
  let dispatch: KeyedBody['dispatch'] = { kind: 'switch' };
  if (tabled) {
    const numbers = fast
      ? plain.map((e) => {
          const n = lineNumber(e);
          return { factor: n?.constant && !n.optional ? n.factor : '0', suffix: n?.suffix ?? '' };
        })
      : undefined;
    const table = ctx.keyTable(
      plain.map((e) => e.key),
      sepCode !== undefined,
      numbers,
    );
    dispatch = sepCode !== undefined ? { kind: 'bytes', table, sepCode, count: plain.length, fast } : { kind: 'map', table };
  }
  const cases: EntryCase[] = plain.map((e, i) => ({
    key: e.key,
    ...(tabled ? { label: i } : {}),
    local: `v_${e.field.name}`,
    read: entryRead(ctx, e, fast),
    ...(e.field.decode ? { decode: decodeStatement(e.field, ctx.decodeType(e.field)) } : {}),
  }));
  const indexedPlans = indexed.map((e) => ({
    key: e.key,
    local: `v_${e.field.name}`,
    indexName: e.indexed!.name,
    record: ctx.indexedRecord(e),
    ...(e.section ? { section: { name: e.section.name!, until: e.section.until, fn: ctx.sectionFn(e) } } : {}),
  }));
  const fallback: KeyedBody['fallback'] =
    headed && l.extra
      ? { kind: 'extraColumns' }
      : l.others
        ? { kind: 'others' }
        : l.extra
          ? { kind: 'extra' }
          : { kind: 'fail', expected: `one of the keys ${l.entries.map((e) => e.key).join(', ')}` };
  const required = l.entries
    .filter((e) => !e.field.optional && !e.indexed && !e.repeated)
    .map((e) => ({ local: `v_${e.field.name}`, expected: `the key "${e.key}"` }));
  // The keys in the order of the type: the variant's kind, the header's fields, the keys in the order the file prints them, the catch-all.
  const fields: ObjectField[] = kind !== undefined ? [{ name: 'kind', expr: JSON.stringify(kind), optional: false }] : [];
  if (head)
    for (const t of head.tokens) {
      if (t.kind !== 'field') continue;
      fields.push({ name: t.field.name, expr: `v_${t.field.name}`, optional: t.field.optional === true });
      if (t.field.decode) fields.push({ name: t.field.decode.name, expr: decodeExpr(t.field), optional: t.field.optional || t.field.decode.kind === 'names' });
    }
  for (const e of l.entries) {
    fields.push({ name: e.field.name, expr: `v_${e.field.name}`, optional: e.field.optional === true && !e.indexed && !e.repeated });
    if (e.field.decode) fields.push({ name: e.field.decode.name, expr: decodeExpr(e.field), optional: e.field.optional });
  }
  if (l.others) fields.push({ name: l.others.name, expr: 'others', optional: false });
  const object = ctx.object(type, fields, !l.others && l.extra ? [{ name: 'extra', expr: 'extra', optional: true }] : []);
  return {
    kind: 'keyed',
    ...(headPlan ? { head: headPlan } : {}),
    skip: Array.from({ length: l.skip ?? 0 }, (_x, i) => i + (head ? 2 : 1)),
    locals: [
      ...l.entries.map((e) => ({ name: `v_${e.field.name}`, type: ctx.fieldType(e.field, type), list: e.indexed !== undefined || e.repeated === true })),
      ...l.entries.flatMap((e) => {
        const d = e.field.decode ? decodeLocal(e.field, ctx.decodeType(e.field)) : undefined;
        return d ? [{ name: d.name, type: d.type, list: false }] : [];
      }),
    ],
    catchAll: l.others ? 'others' : l.extra && headed ? 'extraColumns' : l.extra ? 'extra' : undefined,
    separator: l.separator,
    dispatch,
    sections: sectionPlans,
    cases,
    indexed: indexedPlans,
    fallback,
    required,
    object,
  };
}
