/**
 * The read plan of one spec's parser module: its functions (one per record
 * and layout, named in the order they are first needed), the constructors
 * of its objects, its key tables, and its pieces reader and pick when it has
 * them. Function bodies are planned after the layout tree is walked, in the
 * order of the functions, so that names come out in a stable order.
 */
import type { FieldModel, KeyedEntry, LayoutModel, RecordModel, SpecModel, TokenModel } from '../../runtime/model/model.js';
import type { Shapes } from '../shapes.js';
import type { Body, Builder, FnPlan, KeyTable, ModulePlan, ObjectField, ObjectPlan, Param, PiecesPlan, PickPlan, RowsLoop, TableLead, Variants } from './ir.js';
import { keyedBody, type KeyedContext } from './keyed.js';
import { plainTokens, recordBody, recordLocals, tokenSteps, type RecordOptions } from './records.js';
import { valueRead } from './values.js';

const q = (s: string): string => JSON.stringify(s);

/** Whether the parser module of `spec` has a pick function (a one-line file of positional fields). */
export function hasPick(spec: SpecModel): boolean {
  const r = spec.layout.kind === 'line' ? spec.layout.record : undefined;
  // A link's target is read whole (one readlink), and a rest token with a mark at its edges is not stepped over: no pick.
  const marked = r?.tokens.some((t) => t.kind === 'field' && (t.trailer !== undefined || t.startsWith !== undefined));
  return r !== undefined && spec.link !== true && !r.pairs && r.tokens.some((t) => t.kind === 'field') && !marked;
}

/** Whether the parser module of `spec` exports a pieces reader (a file that is one table or one list of blocks). */
export function hasPieces(spec: SpecModel): boolean {
  return spec.layout.kind === 'table' || spec.layout.kind === 'blocks';
}

/** Name of the pieces reader of `spec`. */
export function piecesNameOf(spec: SpecModel): string {
  return spec.parseName.replace(/^parse/, 'pieces');
}

/** Name of the pick function of `spec`. */
export const pickNameOf = (spec: SpecModel): string => `pick${spec.typeName}`;

const SCAN: Param[] = [
  { name: 's', type: 'Scan' },
  { name: 'ctx', type: 'ParseContext' },
];
const LAYOUT: Param[] = [...SCAN, { name: 'end', type: 'number' }];

interface PendingFn extends Omit<FnPlan, 'body'> {
  plan: () => Body;
}

class Planner implements KeyedContext {
  readonly fns: PendingFn[] = [];
  readonly builders: Builder[] = [];
  readonly keyTables: KeyTable[] = [];
  private readonly recordFn = new Map<RecordModel, string>();
  /** The key table of each columns record's names (columnsTable). */
  private readonly columnTables = new Map<RecordModel, string>();
  private readonly layoutFn = new Map<LayoutModel, string>();
  private readonly sectionFns = new Map<KeyedEntry, string>();
  private readonly indexedFns = new Map<KeyedEntry, string>();
  pieces: PiecesPlan | undefined;
  usesVariants = false;

  constructor(
    readonly spec: SpecModel,
    readonly shapes: Shapes,
  ) {}

  decodeType(f: FieldModel): string {
    return this.shapes.decodeType.get(f)!;
  }

  fieldType(f: FieldModel, owner: string): string {
    const shape = this.shapes.list.find((s) => s.name === owner);
    const sf = shape?.fields.find((x) => x.name === f.name);
    if (!sf) throw new Error(`no shape field ${owner}.${f.name}`);
    return sf.type;
  }

  keyTable(keys: string[], bytes: boolean, numbers: KeyTable['numbers']): string {
    const name = `KEYS${this.keyTables.length}`;
    this.keyTables.push({ name, keys, bytes, ...(numbers ? { numbers } : {}) });
    return name;
  }

  columnsTable(r: RecordModel): string {
    let t = this.columnTables.get(r);
    if (t === undefined) {
      t = this.keyTable(
        r.columns!.fields.map((f) => f.raw),
        false,
        undefined,
      );
      this.columnTables.set(r, t);
    }
    return t;
  }

  sectionFn(e: KeyedEntry): string {
    return this.sectionFns.get(e)!;
  }

  indexedRecord(e: KeyedEntry): string {
    return this.indexedFns.get(e)!;
  }

  /**
   * An object of `type` holding `fields`, in order, and then the `catchAll`
   * fields, an optional one only when its value is not undefined (absent
   * fields stay absent). With no optional field but the catch-alls (extra,
   * extraTokens: text the spec does not describe, seldom there) it is a
   * literal, the catch-alls added to it. Otherwise a constructor of the file
   * makes it: the keys of a literal are all V8 keeps inside the object, and
   * each optional key added to it after would land in a property array grown
   * (and copied) a few keys at a time; a constructor's objects get room
   * inside for every key it may set.
   */
  object(type: string, fields: ObjectField[], catchAll: ObjectField[]): ObjectPlan {
    if (!fields.some((f) => f.optional)) return { kind: 'literal', type, fields, catchAll };
    const all = [...fields, ...catchAll];
    const shape = all.map((f) => ({ name: f.name, optional: f.optional }));
    const key = (fs: Builder['fields']): string => fs.map((f) => `${f.name}${f.optional ? '?' : ''}`).join();
    let b = this.builders.find((x) => x.type === type && key(x.fields) === key(shape));
    if (!b) {
      const base = /^(?:Omit<)?(\w+)/.exec(type)![1]!;
      const taken = this.builders.filter((x) => x.name.startsWith(`${base}Object`)).length;
      b = { name: `${base}Object${taken === 0 ? '' : taken}`, type, fields: shape };
      this.builders.push(b);
    }
    return { kind: 'builder', name: b.name, args: all.map((f) => f.expr) };
  }

  private fn(name: string, params: Param[], returnType: string, plan: () => Body): PendingFn {
    const f: PendingFn = { name, params, returnType, plan };
    this.fns.push(f);
    return f;
  }

  record(r: RecordModel, opts: RecordOptions = {}): string {
    const existing = this.recordFn.get(r);
    if (existing) return existing;
    const name = `record${this.recordFn.size}`;
    this.recordFn.set(r, name);
    const full = this.shapes.recordType.get(r)!;
    const type = opts.omit === undefined ? full : `Omit<${full}, ${opts.omit.map(q).join(' | ')}>`;
    const params = [...SCAN];
    // The header line's names, and each one's number in the record's columns table (Scan.columns).
    if (r.columns) params.push({ name: 'names', type: 'readonly string[]' }, { name: 'index', type: 'Int32Array' });
    if (r.tokens.some((t) => t.kind === 'field' && t.perColumn !== undefined)) params.push({ name: 'h', type: opts.header! });
    this.fn(name, params, type, () => recordBody(this, r, full, type, opts));
    return name;
  }

  private variants(calls: string[], use: Variants['use']): Variants {
    this.usesVariants = true;
    return { calls, use };
  }

  layout(l: LayoutModel, header?: RecordModel, kind?: string): string {
    const existing = this.layoutFn.get(l);
    if (existing) return existing;
    const name = `layout${this.layoutFn.size}`;
    this.layoutFn.set(l, name);
    const type = this.shapes.layoutType.get(l)!;
    const fn = this.fn(name, LAYOUT, type, () => ({ kind: 'line', record: '' }));
    switch (l.kind) {
      case 'line': {
        const record = this.record(l.record, kind !== undefined ? { kind } : {});
        fn.plan = () => ({ kind: 'line', record });
        break;
      }
      case 'table':
        this.table(l, fn, type, kind);
        break;
      case 'variants': {
        const bodies = l.variants.map((v) => this.layout(v.shape, header, v.name));
        fn.plan = () => ({
          kind: 'variants',
          variants: this.variants(
            bodies.map((b) => `${b}(s, ctx, end)`),
            'return',
          ),
        });
        break;
      }
      case 'items':
        fn.plan = () => {
          const v = l.item.value;
          const escaped = (f: { value: { kind: string; escaped?: boolean } }): boolean => f.value.kind === 'string' && f.value.escaped === true;
          return {
            kind: 'items',
            type,
            separator: l.separator,
            item:
              v.kind === 'pair'
                ? {
                    kind: 'pair',
                    separator: v.separator,
                    required: !v.second.optional,
                    optional: v.second.optional === true,
                    first: { name: v.first.name, escaped: escaped(v.first) },
                    second: { name: v.second.name, escaped: escaped(v.second) },
                  }
                : { kind: 'value', read: valueRead(v, v.kind === 'string' ? 'item' : 'token', l.item.name, (r) => this.record(r)) },
          };
        };
        break;
      case 'blocks':
        this.blocks(l, fn, name, type);
        break;
      case 'tree': {
        // One row: its record, or a function trying each variant's record in turn.
        const records = 'record' in l.rows ? [this.record(l.rows.record)] : l.rows.variants.map((v) => this.record(v.shape, { kind: v.name }));
        let row = records[0]!;
        if (records.length > 1) {
          row = `${name}Row`;
          const rowType = 'variants' in l.rows ? l.rows.variants.map((v) => this.shapes.recordType.get(v.shape)!).join(' | ') : '';
          this.fn(row, SCAN, rowType, () => ({
            kind: 'variants',
            variants: this.variants(
              records.map((r) => `${r}(s, ctx)`),
              'return',
            ),
          }));
        }
        fn.plan = () => ({ kind: 'tree', type, nodeType: type.slice(0, -2), row: `${row}(s, ctx)`, indent: l.indent, first: l.first });
        break;
      }
      case 'keyed': {
        for (const e of l.entries) if (e.section && !e.indexed) this.sectionFns.set(e, this.layout(e.section.layout));
        for (const e of l.entries) if (!e.section && !e.indexed && e.field.value.kind === 'record') this.record(e.field.value.record);
        for (const e of l.entries) {
          if (e.indexed && e.field.value.kind === 'record') {
            this.indexedFns.set(
              e,
              this.record(e.field.value.record, { omit: e.section?.name !== undefined ? [e.indexed.name, e.section.name] : [e.indexed.name] }),
            );
          }
        }
        for (const e of l.entries) if (e.indexed && e.section) this.sectionFns.set(e, this.layout(e.section.layout));
        fn.plan = () => keyedBody(this, l, type, header, kind);
        break;
      }
    }
    return name;
  }

  /** Functions of a top layout read in pieces: <layout>First (lead lines, then records) and <layout>Rows (records into `out`). */
  private piecesFns(name: string, head: string, rows: string, rowsUseHead: boolean, first: () => Body, rest: () => Body): void {
    this.fn(`${name}First`, [...LAYOUT], `Piece<${head}, ${rows}>`, first);
    this.fn(`${name}Rows`, [...LAYOUT, { name: 'out', type: rows }, ...(rowsUseHead ? [{ name: 'h', type: head }] : [])], 'void', rest);
  }

  private table(l: Extract<LayoutModel, { kind: 'table' }>, fn: PendingFn, type: string, kind: string | undefined): void {
    const name = fn.name;
    const headerType = l.header ? `Omit<${type}, ${kind !== undefined ? '"rows" | "kind"' : '"rows"'}>` : undefined;
    const head = l.header ? this.record(l.header, { omit: kind !== undefined ? ['rows', 'kind'] : ['rows'] }) : undefined;
    const perColumn = (r: RecordModel): boolean => r.tokens.some((t) => t.kind === 'field' && t.perColumn !== undefined);
    const rowRecords = 'record' in l.rows ? [l.rows.record] : l.rows.variants.map((v) => v.shape);
    const rows =
      'record' in l.rows
        ? [this.record(l.rows.record, { header: headerType! })]
        : l.rows.variants.map((v) => this.record(v.shape, { kind: v.name, header: headerType! }));
    const rowType = l.header ? `${type}["rows"]` : type;
    const lead: TableLead = { ...(head ? { head } : {}), skip: Array.from({ length: l.skip }, (_x, i) => i + (head ? 2 : 1)) };
    const calls = rows.map((fnName, i) => `${fnName}(${perColumn(rowRecords[i]!) ? 's, ctx, h' : 's, ctx'})`);
    const loop = (): RowsLoop => {
      if (calls.length > 1) this.variants(calls, 'push');
      return { kind: 'table', rows: calls.map((call) => ({ call })) };
    };
    if (l === this.spec.layout) {
      // The whole file is this table: also readable in pieces (see runtime/core/pieces.ts).
      const rowsUseHead = rowRecords.some(perColumn);
      this.pieces = {
        layout: name,
        lead: (head ? 1 : 0) + l.skip,
        cut: { fn: 'lastLine', args: [] },
        head: headerType ?? 'undefined',
        rows: rowType,
        result: l.header ? 'spread' : 'out',
        rowsUseHead,
      };
      fn.plan = () => ({ kind: 'tableWhole', layout: name, result: l.header ? '{ ...p.h, rows: p.out }' : 'p.out' });
      this.piecesFns(
        name,
        headerType ?? 'undefined',
        rowType,
        rowsUseHead,
        () => ({ kind: 'tableFirst', lead, rowType, layout: name, rowsUseHead }),
        () => ({ kind: 'rows', loop: loop() }),
      );
      return;
    }
    fn.plan = () => ({ kind: 'table', rowType, lead, loop: loop(), ...(l.header ? { header: kind !== undefined ? { kind } : {} } : {}) });
  }

  private blocks(l: Extract<LayoutModel, { kind: 'blocks' }>, fn: PendingFn, name: string, type: string): void {
    const body = this.layout(l.body, l.header);
    const first = l.header?.tokens[0];
    // How a block's first line is told: after a blank line, by a number and its terminator (smaps' address range), or by a start word.
    const v = first?.kind === 'field' ? first.field.value : undefined;
    const like =
      'header' in l.split && first?.kind === 'field'
        ? { cls: (v?.kind === 'u64' || v?.kind === 'integer') && v.hex ? 'hex' : 'dec', terminator: first.terminator! }
        : undefined;
    const start = 'blank' in l.split || like ? undefined : 'start' in l.split ? l.split.start : (first as { text: string }).text;
    const loop: RowsLoop = {
      kind: 'blocks',
      body,
      start: like ? { kind: 'like', ...like } : start !== undefined ? { kind: 'start', word: start } : { kind: 'blank' },
    };
    if (l === this.spec.layout) {
      // The whole file is these blocks: also readable in pieces (see runtime/core/pieces.ts).
      const cut = like
        ? { fn: 'lastLike', args: [like.cls, like.terminator] }
        : start !== undefined
          ? { fn: 'lastStarting', args: [start] }
          : { fn: 'lastAfterBlank', args: [] };
      this.pieces = { layout: name, lead: 0, cut, head: 'undefined', rows: type, result: 'out', rowsUseHead: false };
      fn.plan = () => ({ kind: 'blocksWhole', layout: name });
      this.piecesFns(
        name,
        'undefined',
        type,
        false,
        () => ({ kind: 'blocksFirst', type, layout: name }),
        () => ({ kind: 'rows', loop }),
      );
      return;
    }
    fn.plan = () => ({ kind: 'blocks', type, loop });
  }

  pick(): PickPlan | undefined {
    if (!hasPick(this.spec) || this.spec.layout.kind !== 'line') return undefined;
    // A pick: the same reading, keeping only the fields asked for (pid/stat for a process table needs a third of them).
    const r = this.spec.layout.record;
    const type = this.shapes.recordType.get(r)!;
    const fieldTokens = r.tokens.filter((t): t is Extract<TokenModel, { kind: 'field' }> => t.kind === 'field');
    return {
      name: pickNameOf(this.spec),
      type,
      fieldNames: fieldTokens.map((t) => t.field.name),
      plain: plainTokens(r),
      locals: recordLocals(this, r, type, true),
      tokens: tokenSteps(this, r, type, true),
    };
  }
}

export function planModule(spec: SpecModel, shapes: Shapes): ModulePlan {
  const p = new Planner(spec, shapes);
  const top = p.layout(spec.layout);
  const pick = p.pick();
  const fns: FnPlan[] = [];
  // Bodies are planned in the order of the functions; planning one may add functions (records of nested values).
  for (let i = 0; i < p.fns.length; i++) {
    const f = p.fns[i]!;
    fns.push({ name: f.name, params: f.params, returnType: f.returnType, body: f.plan() });
  }
  return {
    top,
    fns,
    builders: p.builders,
    keyTables: p.keyTables,
    ...(p.pieces ? { pieces: p.pieces } : {}),
    ...(pick ? { pick } : {}),
    usesVariants: p.usesVariants,
  };
}
