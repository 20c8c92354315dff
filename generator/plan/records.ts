/**
 * Plans of records: the locals a record reads into, its token steps (and a
 * pick's: which tokens it may step over), its `key=value` pairs or named
 * columns, and how its object is made.
 */
import type { FieldModel, RecordModel, TokenModel } from '../../runtime/model/model.js';
import type { ColumnsPlan, Local, NamedField, ObjectField, ObjectPlan, PairsPlan, RecordBody, TokenStep } from './ir.js';
import { decodeExpr, decodeLocal, decodeStatement } from './decode.js';
import { skippable, tokenRead, valueRead } from './values.js';

/** What the record planner asks of the module planner. */
export interface RecordContext {
  /** The declared type of field `f` of the shape named `owner`. */
  fieldType(f: FieldModel, owner: string): string;
  /** The type of field `f`'s decoding (generator/decode-shape.ts). */
  decodeType(f: FieldModel): string;
  /** The function reading record `r` (planned on first use). */
  record(r: RecordModel): string;
  /** The key table of the column names record `r` describes (made on first use). */
  columnsTable(r: RecordModel): string;
  /** How an object of `type` is made from its fields, in key order; `catchAll`: the last ones, text the spec does not describe. */
  object(type: string, fields: ObjectField[], catchAll: ObjectField[]): ObjectPlan;
}

/**
 * Per field token of a pick's record: 1 for a plain token (one word that
 * is always there), 2 for a plain one with a literal before it (a run of
 * skipped tokens cannot reach over the literal), 0 for any other (read
 * whether asked for or not, or optional). See Scan.want.
 */
export function plainTokens(r: RecordModel): number[] {
  const out: number[] = [];
  let literal = false;
  for (const t of r.tokens) {
    if (t.kind === 'literal') {
      literal = true;
      continue;
    }
    out.push(skippable(t) && !t.field.optional ? (literal ? 2 : 1) : 0);
    literal = false;
  }
  return out;
}

/** Whether optional token `t` of `r` is read where it stands, by its opening character (see checkTokens), not as a trailing one. */
const recognised = (r: RecordModel, t: TokenModel): boolean => r.tokens.slice(r.tokens.indexOf(t) + 1).some((x) => x.kind === 'field' && !x.field.optional);

/** The locals of a record's fields, v_<name>; in a pick every one may stay undefined and repeated ones are declared too. */
export function recordLocals(ctx: RecordContext, r: RecordModel, owner: string, pick = false): Local[] {
  const out: Local[] = [];
  for (const t of r.tokens) {
    // Repeated tokens declare their array where they are read, except in a pick (its tokens are in a block it may leave early).
    if (t.kind !== 'field' || ((t.repeat || t.perColumn !== undefined) && !pick)) continue;
    const maybe = t.field.optional || pick;
    out.push({ name: `v_${t.field.name}`, type: ctx.fieldType(t.field, owner), maybe, init: pick });
    if (t.field.value.kind === 'inet') out.push({ name: `v_${t.field.name}Raw`, type: 'string', maybe, init: false });
    if (t.trailer) out.push({ name: `v_${t.trailer.name}`, type: 'boolean', maybe, init: false });
  }
  // A decoding is read with its token, outside a pick (which returns the fields asked for only).
  for (const t of r.tokens) {
    const local = t.kind === 'field' && t.field.decode && !pick ? decodeLocal(t.field, ctx.decodeType(t.field)) : undefined;
    if (local) out.push(local);
  }
  for (const f of [...(r.pairs?.fields ?? []), ...(r.columns?.fields ?? [])])
    out.push({ name: `v_${f.name}`, type: ctx.fieldType(f, owner), maybe: true, init: false });
  return out;
}

/** The token steps of a record; with `pick`, plain tokens not asked for are stepped over unread, a run of them in one call. */
export function tokenSteps(ctx: RecordContext, r: RecordModel, owner: string, pick = false): TokenStep[] {
  const out: TokenStep[] = [];
  const plain = plainTokens(r);
  let opened = false;
  let index = -1;
  for (const t of r.tokens) {
    if (t.kind === 'literal') {
      out.push({ kind: 'literal', text: t.text });
      continue;
    }
    index++;
    const base = {
      kind: 'field' as const,
      index,
      local: `v_${t.field.name}`,
      read: tokenRead(t, ctx.fieldType(t.field, owner), (x) => ctx.record(x)),
      predeclared: pick,
      ...(t.trailer ? { trailer: { text: t.trailer.text, local: `v_${t.trailer.name}` } } : {}),
      ...(t.startsWith !== undefined ? { startsWith: t.startsWith } : {}),
      ...(t.field.decode && !pick ? { decode: decodeStatement(t.field, ctx.decodeType(t.field)) } : {}),
    };
    if (t.field.optional && t.enclosed && recognised(r, t)) {
      // An optional token inside delimiters before required ones is there when its opening character is.
      out.push({ ...base, optional: { kind: 'opening', open: t.enclosed.open } });
      continue;
    }
    const optional = t.field.optional ? { optional: { kind: 'trailing' as const, first: !opened } } : {};
    if (t.field.optional) opened = true;
    out.push({
      ...base,
      ...optional,
      ...(pick ? { pick: { field: t.field.name, skippable: skippable(t), runs: plain[index] !== 0, count: plain.length } } : {}),
    });
  }
  return out;
}

/** Case arms reading each field named in the line (of `pairs` or `columns`). */
const namedFields = (ctx: RecordContext, fields: FieldModel[]): NamedField[] =>
  fields.map((f) => ({ raw: f.raw, local: `v_${f.name}`, read: valueRead(f.value, 'token', f.name, (x) => ctx.record(x)) }));

function pairsPlan(ctx: RecordContext, r: RecordModel): PairsPlan | undefined {
  if (!r.pairs) return undefined;
  const p = r.pairs;
  return {
    separator: p.separator,
    fields: namedFields(ctx, p.fields),
    required: p.fields.filter((f) => !f.optional).map((f) => ({ local: `v_${f.name}`, expected: `${f.raw}${p.separator}…` })),
  };
}

function columnsPlan(ctx: RecordContext, r: RecordModel): ColumnsPlan | undefined {
  if (!r.columns) return undefined;
  const c = r.columns;
  return {
    others: c.others !== undefined,
    table: ctx.columnsTable(r),
    fields: namedFields(ctx, c.fields),
    required: c.fields.filter((f) => !f.optional).map((f) => ({ local: `v_${f.name}`, expected: `the column "${f.raw}"` })),
  };
}

/** Options of a record function. */
export interface RecordOptions {
  /** A field the caller fills in (an indexed record's index, a table header's rows). */
  omit?: string[];
  /** The variant name the record's `kind` holds. */
  kind?: string;
  /** The type of the table header that `perColumn` tokens count on. */
  header?: string;
}

/** The body of a record function: its fields read into locals, then its object. */
export function recordBody(ctx: RecordContext, r: RecordModel, full: string, type: string, opts: RecordOptions): RecordBody {
  const locals = recordLocals(ctx, r, full);
  const tokens = tokenSteps(ctx, r, full);
  const pairs = pairsPlan(ctx, r);
  const columns = columnsPlan(ctx, r);
  const tail =
    !r.closed &&
    !r.pairs &&
    !r.columns &&
    !r.tokens.some((t) => t.kind === 'field' && ((t.repeat && t.endsAt === undefined) || t.rest || t.field.value.kind === 'choice'));
  // The keys in the order of the type: the variant's kind, the fields in the order the line prints them, the catch-alls.
  const fields: ObjectField[] = opts.kind !== undefined ? [{ name: 'kind', expr: JSON.stringify(opts.kind), optional: false }] : [];
  const field = (name: string, optional: boolean | undefined): ObjectField => ({ name, expr: `v_${name}`, optional: optional === true });
  for (const t of r.tokens) {
    if (t.kind !== 'field') continue;
    fields.push(field(t.field.name, t.field.optional));
    if (t.field.value.kind === 'inet' && !t.repeat) fields.push(field(`${t.field.name}Raw`, t.field.optional));
    if (t.trailer) fields.push(field(t.trailer.name, false));
    if (t.field.decode) fields.push({ name: t.field.decode.name, expr: decodeExpr(t.field), optional: t.field.optional || t.field.decode.kind === 'names' });
  }
  for (const f of [...(r.pairs?.fields ?? []), ...(r.columns?.fields ?? [])]) fields.push(field(f.name, f.optional));
  if (r.columns?.others) fields.push({ name: r.columns.others.name, expr: 'others', optional: false });
  const catchAll: ObjectField[] = [];
  if (tail) catchAll.push({ name: 'extraTokens', expr: 'extraTokens', optional: true });
  if (r.pairs || (r.columns && !r.columns.others)) catchAll.push({ name: 'extra', expr: 'extra', optional: true });
  const object = ctx.object(type, fields, catchAll);
  return { kind: 'record', locals, tokens, ...(pairs ? { pairs } : {}), ...(columns ? { columns } : {}), tail, object };
}
