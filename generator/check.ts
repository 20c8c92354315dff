/**
 * Semantic checks after the schema: a loaded spec -> a checked SpecModel.
 * Catches what a JSON Schema cannot: duplicate names and keys, unsafe
 * identifiers, a unit on a value that is not a number, since after until,
 * options that do not belong to a type, tokens that cannot follow each other.
 */
import type { LoadedSpec } from './load.js';
import type {
  EnumValue,
  FieldModel,
  KeyedEntry,
  LayoutModel,
  RecordModel,
  Sentinel,
  SpecModel,
  TokenModel,
  ValueModel,
  Variant,
  WriteSpecModel,
} from '../runtime/model/model.js';
import { compareVersions, isSafeFieldName, isSafeSymbolName, parseNameOf, typeNameOf } from './names.js';
import { nameDerivedFrom } from './resolve.js';
import { SpecError } from './spec-error.js';

type Path = (string | number)[];
type Obj = Record<string, unknown>;

const NUMERIC = new Set(['integer', 'u64', 'float']);
const VALUE_KEYS = [
  'unit',
  'suffix',
  'optionalEnd',
  'signed',
  'hex',
  'sentinels',
  'values',
  'of',
  'separator',
  'enclosed',
  'first',
  'second',
  'tokens',
  'pairs',
  'columns',
  'escaped',
  'quoted',
  'verbatim',
  'order',
  'octal',
];

/** A read spec (the usual kind) -> its checked model. */
export function checkSpec(loaded: LoadedSpec, id: string): SpecModel {
  const c = new Checker(loaded);
  const d = loaded.data as Obj;
  if (d.access === 'write') c.fail(['access'], 'a write-only spec has no parser: it is checked by checkWriteSpec');
  if (d.write !== undefined) c.fail(['write'], '"write" belongs to a spec with access: write');
  for (const key of ['sampling', 'layout']) if (d[key] === undefined) c.fail([], `missing required key "${key}"`);
  const layout = c.layout(d.layout as Obj, ['layout']);
  const paths = checkPaths(c, d);
  return {
    id,
    typeName: typeNameOf(id),
    parseName: parseNameOf(id),
    description: d.description as string,
    paths,
    sampling: d.sampling as 'once' | 'sampled',
    ...(d.singleRecord === true ? { singleRecord: true } : {}),
    ...(d.measure !== undefined ? { measure: d.measure as 'counter' | 'gauge' } : {}),
    layout,
    source: `specs/${id}.yaml`,
  };
}

function checkPaths(c: Checker, d: Obj): string[] {
  const paths = d.paths as string[];
  paths.forEach((p, i) => {
    if (!p.startsWith('/proc/') && !p.startsWith('/sys/')) c.fail(['paths', i], 'a path must start with /proc/ or /sys/');
    for (const m of p.matchAll(/\[([^\]]*)\]/g)) {
      if (!/^[a-z]+$/.test(m[1]!)) c.fail(['paths', i], `path parameter [${m[1]}] must be a lower-case word`);
    }
  });
  return paths;
}

/** A write-only spec (`access: write`, a file that takes one of a few values, such as clear_refs) -> its model. */
export function checkWriteSpec(loaded: LoadedSpec, id: string): WriteSpecModel {
  const c = new Checker(loaded);
  const d = loaded.data as Obj;
  if (d.access !== 'write') c.fail(['access'], 'a write spec says access: write');
  if (d.write === undefined) c.fail([], 'missing required key "write"');
  for (const key of ['sampling', 'layout', 'singleRecord']) if (d[key] !== undefined) c.fail([key], `a write-only spec has no "${key}": nothing is read`);
  return {
    id,
    typeName: `${typeNameOf(id)}Value`,
    formatName: `format${typeNameOf(id)}`,
    description: d.description as string,
    paths: checkPaths(c, d),
    values: c.named((d.write as Obj).values as Obj[], ['write', 'values']) as EnumValue[],
    source: `specs/${id}.yaml`,
  };
}

class Checker {
  /** The spec's `measure`, given to every number field that does not say its own. */
  private readonly measure: 'counter' | 'gauge' | undefined;
  /** The spec says `narrow: true`: the kernel keeps every number of the file in 32 bits, so none is wide. */
  private readonly narrow: boolean;

  constructor(private readonly loaded: LoadedSpec) {
    this.measure = (loaded.data as Obj | null)?.measure as 'counter' | 'gauge' | undefined;
    this.narrow = (loaded.data as Obj | null)?.narrow === true;
  }

  fail(path: Path, problem: string): never {
    const at = this.loaded.locate(path);
    throw new SpecError(at.file, at.line, at.path.join('.'), problem, at.column);
  }

  layout(l: Obj, path: Path): LayoutModel {
    if (l.line !== undefined) {
      const record = this.record(l.line as Obj, [...path, 'line']);
      if (record.columns) this.fail([...path, 'line'], '"columns" are named by a header line: use them in a keyed entry');
      return { kind: 'line', record };
    }
    if (l.table !== undefined) return this.table(l.table as Obj, [...path, 'table']);
    if (l.keyed !== undefined) return this.keyed(l.keyed as Obj, [...path, 'keyed']);
    if (l.variants !== undefined) return this.layoutVariants(l.variants as Obj[], [...path, 'variants']);
    if (l.items !== undefined) return this.items(l.items as Obj, [...path, 'items']);
    const b = l.blocks as Obj;
    const bp = [...path, 'blocks'];
    const splits = [b.blank, b.start, b.startAtHeader].filter((x) => x !== undefined).length;
    if (splits !== 1) this.fail(bp, 'blocks need exactly one of "blank", "start" or "startAtHeader"');
    if (b.header !== undefined && b.blank !== undefined)
      this.fail([...bp, 'header'], 'a header record needs "start" or "startAtHeader" (the header is the start line)');
    if (b.startAtHeader !== undefined) {
      if (b.header === undefined) this.fail(bp, '"startAtHeader" needs a "header" record');
      const first = ((b.header as Obj).tokens as Obj[] | undefined)?.[0];
      if (!first || (first.literal === undefined && !this.recognisable(first))) {
        this.fail(
          [...bp, 'header', 'tokens', 0],
          'with "startAtHeader" the header\'s first token must be recognisable: a literal, or a number (decimal or hex) ended by a "terminator"',
        );
      }
    }
    const body = this.layout(b.body as Obj, [...bp, 'body']);
    if (body.kind === 'line' || body.kind === 'items') this.fail([...bp, 'body'], 'a block body spans lines: use keyed, table, blocks or variants');
    if (b.header !== undefined && body.kind !== 'keyed' && body.kind !== 'variants')
      this.fail([...bp, 'body'], "a block with a header record has a keyed body (the header's fields join its object)");
    const header = b.header === undefined ? undefined : this.record(b.header as Obj, [...bp, 'header']);
    if (header && body.kind === 'keyed' && body.header) this.fail([...bp, 'body', 'keyed', 'header'], "the block's start line is already its header");
    if (header && body.kind === 'keyed') {
      const names = new Set(this.recordNames(header));
      body.entries.forEach((e) => {
        if (names.has(e.field.name)) this.fail([...bp, 'body'], `field name "${e.field.name}" is used by the header too`);
      });
    }
    return {
      kind: 'blocks',
      split: b.blank === true ? { blank: true } : b.start !== undefined ? { start: b.start as string } : { header: true },
      ...(header ? { header } : {}),
      body,
    };
  }

  /** A first header token whose text can be recognised without reading the line: a number with a terminator. */
  recognisable(t: Obj): boolean {
    return t.terminator !== undefined && t.optionalEnd !== true && (t.type === 'integer' || t.type === 'u64') && t.signed !== true;
  }

  table(t: Obj, path: Path): LayoutModel {
    const hasTokens = t.tokens !== undefined || t.pairs !== undefined;
    if (hasTokens === (t.rows !== undefined)) this.fail(path, 'a table needs exactly one of "tokens" (every row alike) or "rows" (variants)');
    const header = t.header === undefined ? undefined : this.record(t.header as Obj, [...path, 'header']);
    if (header?.columns) this.fail([...path, 'header'], 'a table header is read as tokens');
    const headerNames = header ? this.recordNames(header) : [];
    const checkRow = (r: RecordModel, p: Path): void => {
      if (r.columns) this.fail(p, '"columns" are named by a header line: use them in a keyed entry');
      r.tokens.forEach((tok, i) => {
        if (tok.kind !== 'field' || tok.perColumn === undefined) return;
        const h = header?.tokens.find((x) => x.kind === 'field' && x.field.name === tok.perColumn);
        if (h?.kind !== 'field' || !h.repeat)
          this.fail([...p, 'tokens', i, 'perColumn'], `"perColumn" names a repeated token of the table's header, and "${tok.perColumn}" is not one`);
      });
      for (const n of this.recordNames(r)) if (headerNames.includes(n)) this.fail(p, `field name "${n}" is used by the header too`);
    };
    let rows: { record: RecordModel } | { variants: Variant<RecordModel>[] };
    if (t.rows !== undefined) {
      const names = new Set<string>();
      rows = {
        variants: (t.rows as Obj[]).map((v, i) => {
          const p = [...path, 'rows', i];
          const name = v.variant as string;
          if (!isSafeFieldName(name)) this.fail([...p, 'variant'], `"${name}" is not a safe camelCase name`);
          if (names.has(name)) this.fail([...p, 'variant'], `duplicate variant "${name}"`);
          names.add(name);
          const record = this.record(v, p);
          if (v.closed === true) {
            if (record.tokens.some((x) => x.kind === 'field' && (x.repeat || x.rest || x.field.optional)))
              this.fail([...p, 'closed'], 'a closed shape has a fixed number of tokens: no optional, repeat or rest tokens');
            record.closed = true;
          }
          if (this.recordNames(record).includes('kind')) this.fail(p, 'a variant row cannot have a field named "kind": it holds the variant\'s name');
          checkRow(record, p);
          return { name, description: v.description as string, shape: record };
        }),
      };
    } else {
      const record = this.record(t, path);
      checkRow(record, path);
      rows = { record };
    }
    if (header && headerNames.includes('rows')) this.fail([...path, 'header'], 'a header field cannot be named "rows": it holds the rows');
    return { kind: 'table', skip: (t.skip as number | undefined) ?? 0, ...(header ? { header } : {}), rows };
  }

  layoutVariants(list: Obj[], path: Path): LayoutModel {
    const names = new Set<string>();
    const variants = list.map((v, i) => {
      const p = [...path, i];
      const name = v.variant as string;
      if (!isSafeFieldName(name)) this.fail([...p, 'variant'], `"${name}" is not a safe camelCase name`);
      if (names.has(name)) this.fail([...p, 'variant'], `duplicate variant "${name}"`);
      names.add(name);
      const shape = this.layout(v.layout as Obj, [...p, 'layout']);
      if (shape.kind !== 'keyed' && !(shape.kind === 'table' && shape.header))
        this.fail([...p, 'layout'], 'a layout variant is keyed, or a table with a header (its value is an object that can carry "kind")');
      const fieldNames = shape.kind === 'keyed' ? [...shape.entries.map((e) => e.field.name), shape.others?.name] : this.recordNames(shape.header!);
      if (fieldNames.includes('kind')) this.fail([...p, 'layout'], 'a variant cannot have a field named "kind": it holds the variant\'s name');
      return { name, description: v.description as string, shape };
    });
    return { kind: 'variants', variants };
  }

  items(it: Obj, path: Path): LayoutModel {
    const item = this.field(it.item as Obj, [...path, 'item'], new Set(), undefined);
    const v = item.value;
    const plain = (x: ValueModel): boolean => ['string', 'integer', 'float', 'u64'].includes(x.kind);
    if (!(plain(v) || (v.kind === 'pair' && v.first.value.kind === 'string' && v.second.value.kind === 'string'))) {
      this.fail([...path, 'item'], 'an item is a string, a number, or a pair of strings split at the first separator');
    }
    if (v.kind === 'pair' && v.first.optional) this.fail([...path, 'item', 'first'], 'the first part of a pair is always there');
    return { kind: 'items', separator: '\0', item };
  }

  keyed(k: Obj, path: Path): LayoutModel {
    const entries: KeyedEntry[] = [];
    const keys = new Set<string>();
    const names = new Set<string>();
    const list = k.fields as Obj[];
    list.forEach((e, i) => {
      const p = [...path, 'fields', i];
      const hasKey = e.key !== undefined;
      const hasLine = e.line !== undefined;
      if (hasKey === hasLine) this.fail(p, 'an entry needs exactly one of "key" or "line"');
      const key = (hasKey ? e.key : e.line) as string;
      const slot = `${e.indexed !== undefined ? 'indexed:' : hasLine ? 'line:' : 'key:'}${key}`;
      if (keys.has(slot)) this.fail([...p, hasKey ? 'key' : 'line'], `duplicate key "${key}"`);
      keys.add(slot);
      if (hasLine) {
        if (e.section === undefined) this.fail(p, 'a "line" entry opens a section: it needs "section"');
        if ((e.section as Obj).name !== undefined)
          this.fail([...p, 'section', 'name'], 'the section of a "line" entry is the entry\'s own field: name the entry');
        if (e.type !== undefined) this.fail([...p, 'type'], 'a section has a layout, not a type');
        const s = e.section as Obj;
        const name = this.name(e, p, names);
        const layout = this.layout(s.layout as Obj, [...p, 'section', 'layout']);
        const field: FieldModel = {
          name,
          raw: key,
          description: e.description as string,
          optional: this.optional(e, p),
          ...this.versions(e, p),
          value: { kind: 'string', escaped: false },
        };
        entries.push({ key, field, section: { until: (s.until as string[] | undefined) ?? [], layout } });
        return;
      }
      if (e.section !== undefined && e.indexed === undefined)
        this.fail([...p, 'section'], 'a section is opened by a "line" entry or follows each line of an "indexed" entry, not a plain "key" entry');
      if (e.type === undefined) this.fail(p, 'missing required key "type"');
      if (/\s/.test(key) && k.separator === 'space') this.fail([...p, 'key'], 'with separator "space" a key cannot contain white space');
      if (key.includes(':') && k.separator !== 'space') this.fail([...p, 'key'], 'a key cannot contain ":" where ":" ends keys');
      if (e.indexed === undefined && (key.trim() !== key || key === '')) this.fail([...p, 'key'], 'a key is not empty and has no white space at either end');
      const field = this.field(e, p, names, key);
      const entry: KeyedEntry = { key, field };
      if (e.prefix !== undefined) {
        if (e.indexed !== undefined || field.value.kind === 'record') this.fail([...p, 'prefix'], 'a prefix goes before a single value, not a record');
        entry.prefix = e.prefix as string;
      }
      if (e.repeat === true) {
        if (e.indexed !== undefined || e.section !== undefined || (field.value.kind === 'record' && field.value.record.columns))
          this.fail([...p, 'repeat'], '"repeat" collects the values of a plain key that comes on several lines');
        entry.repeated = true;
      }
      if (e.indexed !== undefined) {
        const ix = e.indexed as Obj;
        if (!isSafeFieldName(ix.name as string)) this.fail([...p, 'indexed', 'name'], `"${String(ix.name)}" is not a safe camelCase name`);
        entry.indexed = { name: ix.name as string, description: ix.description as string };
        if (field.value.kind !== 'record') this.fail([...p, 'indexed'], 'an indexed entry holds a record (its index becomes a field of it)');
        if (this.recordNames(field.value.record).includes(entry.indexed.name)) this.fail([...p, 'indexed', 'name'], `duplicate name "${entry.indexed.name}"`);
        if (e.section !== undefined) {
          const sc = e.section as Obj;
          const sp = [...p, 'section'];
          if (sc.name === undefined || sc.description === undefined)
            this.fail(sp, 'the section of an indexed entry needs "name" and "description" (it becomes a field of each record)');
          if (!isSafeFieldName(sc.name as string)) this.fail([...sp, 'name'], `"${String(sc.name)}" is not a safe camelCase name`);
          if ([...this.recordNames(field.value.record), entry.indexed.name].includes(sc.name as string))
            this.fail([...sp, 'name'], `duplicate name "${String(sc.name)}"`);
          entry.section = {
            until: (sc.until as string[] | undefined) ?? [],
            layout: this.layout(sc.layout as Obj, [...sp, 'layout']),
            name: sc.name as string,
            description: sc.description as string,
          };
        }
      }
      entries.push(entry);
    });
    // A key that starts with an indexed key's prefix would be ambiguous only if it ends in digits.
    for (const e of entries) {
      if (!e.indexed) continue;
      for (const o of entries) {
        if (o !== e && o.key.startsWith(e.key) && /^[0-9]+$/.test(o.key.slice(e.key.length))) {
          this.fail(path, `key "${o.key}" is also matched by indexed key "${e.key}"`);
        }
      }
    }
    // Keys whose values are named by a header line come as two lines each; a layout is all of them or none.
    const headed = entries.filter((e) => e.field.value.kind === 'record' && e.field.value.record.columns);
    if (headed.length > 0) {
      entries.forEach((e, i) => {
        if (!headed.includes(e))
          this.fail(
            [...path, 'fields', i],
            'in a layout with "columns" records every key comes as a line of names and a line of values: every entry needs "columns"',
          );
        if (e.indexed || e.prefix !== undefined) this.fail([...path, 'fields', i], 'a "columns" entry is a plain key');
      });
      if (k.others !== undefined) this.fail([...path, 'others'], 'keys of a "columns" layout the spec does not name are kept in "extra"');
    }
    const model: LayoutModel = {
      kind: 'keyed',
      separator: k.separator as 'colon' | 'space' | 'auto',
      entries,
      extra: (k.extra as boolean | undefined) ?? true,
    };
    if (k.header !== undefined) {
      const header = this.record(k.header as Obj, [...path, 'header']);
      if (header.columns) this.fail([...path, 'header'], 'a header is read as tokens');
      for (const n of this.recordNames(header)) if (names.has(n)) this.fail([...path, 'header'], `field name "${n}" is used by the entries too`);
      model.header = header;
    }
    if (k.skip !== undefined) model.skip = k.skip as number;
    if (k.others !== undefined) {
      const o = k.others as Obj;
      this.name(o, [...path, 'others'], names);
      if (k.extra === false) this.fail([...path, 'others'], '"others" collects unknown keys: it cannot go with "extra: false"');
      model.others = { name: o.name as string, description: o.description as string };
    }
    return model;
  }

  record(r: Obj, path: Path): RecordModel {
    const tokens: TokenModel[] = [];
    const names = new Set<string>();
    const list = (r.tokens as Obj[] | undefined) ?? [];
    if (r.columns !== undefined) {
      if (list.length > 0 || r.pairs !== undefined) this.fail([...path, 'columns'], 'a record of "columns" has no "tokens" or "pairs"');
      const cols = r.columns as Obj;
      const fields = (cols.fields as Obj[]).map((f, i) => this.field(f, [...path, 'columns', 'fields', i], names, undefined, true));
      const raws = new Set<string>();
      fields.forEach((f, i) => {
        if (raws.has(f.raw)) this.fail([...path, 'columns', 'fields', i], `duplicate column "${f.raw}"`);
        raws.add(f.raw);
        if (!['integer', 'u64', 'float', 'string', 'enum'].includes(f.value.kind))
          this.fail([...path, 'columns', 'fields', i, 'type'], 'a column holds one scalar token');
      });
      if (cols.others !== undefined) {
        const o = cols.others as Obj;
        this.name(o, [...path, 'columns', 'others'], names);
        return { tokens: [], columns: { fields, others: { name: o.name as string, description: o.description as string } } };
      }
      return { tokens: [], columns: { fields } };
    }
    if (list.length === 0 && r.pairs === undefined) this.fail(path, 'a record needs "tokens" or "pairs"');
    let sawOptional = false;
    list.forEach((t, i) => {
      const p = [...path, 'tokens', i];
      if (t.literal !== undefined) {
        if (sawOptional) this.fail(p, 'a literal cannot follow an optional token');
        tokens.push({ kind: 'literal', text: t.literal as string });
        return;
      }
      const field = this.field(t, p, names, undefined, true);
      if (field.value.kind === 'inet') {
        if (names.has(`${field.name}Raw`))
          this.fail([...p, 'name'], `"${field.name}Raw" holds the hex of "${field.name}": another field cannot have that name`);
        names.add(`${field.name}Raw`);
      }
      const repeat = t.repeat === true;
      const rest = t.rest === true;
      const last = i === list.length - 1;
      const endsAt = t.endsAt as string | undefined;
      const perColumn = t.perColumn as string | undefined;
      const width = t.width as number | undefined;
      const untilLast = t.untilLast as string | undefined;
      const terminatorOptional = t.optionalEnd === true && t.terminator !== undefined;
      if (
        terminatorOptional &&
        list.slice(i + 1).some((x) => x.literal !== undefined || (x.optional !== true && x.since === undefined && x.until === undefined))
      ) {
        // Missing, the terminator means the line ends there: whatever follows must be free to be absent.
        this.fail([...p, 'optionalEnd'], 'a token whose "terminator" may be missing ends the line then: the tokens after it must be optional');
      }
      if (terminatorOptional && r.pairs !== undefined)
        this.fail([...p, 'optionalEnd'], 'a token whose "terminator" may be missing ends the line then: no "pairs" after it');
      if (
        untilLast !== undefined &&
        (field.value.kind !== 'string' || repeat || rest || t.width !== undefined || t.enclosed !== undefined || t.terminator !== undefined)
      ) {
        this.fail([...p, 'untilLast'], '"untilLast" reads a string up to the last occurrence of a character: type string, with no other way to end it');
      }
      if (endsAt !== undefined && !repeat) this.fail([...p, 'endsAt'], '"endsAt" ends a "repeat" list');
      if (perColumn !== undefined && (repeat || rest)) this.fail([...p, 'perColumn'], '"perColumn" is its own kind of list: no "repeat" or "rest"');
      if (perColumn !== undefined && !['integer', 'u64', 'float', 'string', 'mask', 'enum'].includes(field.value.kind))
        this.fail([...p, 'type'], '"perColumn" takes scalar tokens');
      if (
        width !== undefined &&
        (field.value.kind !== 'string' || repeat || rest || t.enclosed !== undefined || t.terminator !== undefined || t.prefix !== undefined)
      ) {
        this.fail([...p, 'width'], '"width" reads a padded string column: type string, with no other token option');
      }
      if ((repeat || rest) && !last && endsAt === undefined)
        this.fail(p, `"${repeat ? 'repeat' : 'rest'}" takes the remaining tokens: it must be the last token`);
      if ((repeat || rest) && r.pairs !== undefined && endsAt === undefined) this.fail(p, `"${repeat ? 'repeat' : 'rest'}" leaves nothing for "pairs"`);
      if (perColumn !== undefined && field.optional) this.fail([...p, 'optional'], 'a "perColumn" list is always there (it may be short)');
      if (rest && field.value.kind !== 'string') this.fail([...p, 'type'], '"rest" takes text: its type must be string');
      if (field.value.kind === 'string' && field.value.verbatim && !rest && untilLast === undefined)
        this.fail(
          [...p, 'verbatim'],
          '"verbatim" keeps the white space at the edges of a value that ends at the line\'s end or at its last given character: a "rest" or "untilLast" token, or a keyed value',
        );
      if (repeat && !['integer', 'u64', 'float', 'string', 'mask', 'pair'].includes(field.value.kind))
        this.fail([...p, 'type'], '"repeat" takes scalar or pair tokens');
      if (t.closeAt !== undefined && t.enclosed === undefined) this.fail([...p, 'closeAt'], '"closeAt" goes with "enclosed"');
      if (t.enclosed !== undefined && field.value.kind === 'list')
        this.fail([...p, 'enclosed'], 'an enclosed list token is not supported: enclose the list value');
      // An optional token inside delimiters is recognised by its opening character, so required ones may follow it.
      const recognisable = field.optional && t.enclosed !== undefined;
      if (field.optional && !recognisable) sawOptional = true;
      else if (!field.optional && sawOptional)
        this.fail(p, 'a required token cannot follow an optional one (optional tokens are trailing, unless "enclosed": newer kernels append)');
      const enclosed = t.enclosed as string | undefined;
      tokens.push({
        kind: 'field',
        field,
        ...(enclosed
          ? { enclosed: { open: enclosed[0]!, close: enclosed[1]!, closeAt: (t.closeAt as 'first' | 'last' | 'balanced' | undefined) ?? 'first' } }
          : {}),
        ...(t.terminator !== undefined ? { terminator: t.terminator as string } : {}),
        ...(terminatorOptional ? { terminatorOptional: true } : {}),
        ...(t.prefix !== undefined ? { prefix: t.prefix as string } : {}),
        repeat,
        rest,
        ...(endsAt !== undefined ? { endsAt } : {}),
        ...(perColumn !== undefined ? { perColumn } : {}),
        ...(width !== undefined ? { width } : {}),
        ...(untilLast !== undefined ? { untilLast } : {}),
      });
    });
    const model: RecordModel = { tokens };
    if (r.pairs !== undefined) {
      const pr = r.pairs as Obj;
      const fields = (pr.fields as Obj[]).map((f, i) => this.field(f, [...path, 'pairs', 'fields', i], names, undefined));
      const raws = new Set<string>();
      fields.forEach((f, i) => {
        if (raws.has(f.raw)) this.fail([...path, 'pairs', 'fields', i], `duplicate key "${f.raw}"`);
        raws.add(f.raw);
      });
      model.pairs = { separator: pr.separator as string, fields };
    }
    return model;
  }

  recordNames(r: RecordModel): string[] {
    const out: string[] = [];
    for (const t of r.tokens) if (t.kind === 'field') out.push(t.field.name);
    for (const f of r.pairs?.fields ?? []) out.push(f.name);
    for (const f of r.columns?.fields ?? []) out.push(f.name);
    return out;
  }

  name(f: Obj, p: Path, names: Set<string>): string {
    if (f.name === undefined) this.fail(p, 'missing required key "name" (a field is named after its key, line or raw name when it has one)');
    const name = f.name as string;
    const from = nameDerivedFrom(f);
    if (!isSafeFieldName(name))
      this.fail(
        [...p, 'name'],
        from === undefined
          ? `"${name}" is not a safe camelCase name (letters and digits, starting lower case, not "extra" nor a member of Object.prototype)`
          : `the ${from} "${String(f[from])}" gives the name "${name}", which is not a safe camelCase name: write a "name"`,
      );
    if (names.has(name)) this.fail([...p, 'name'], `duplicate name "${name}"${from === undefined ? '' : ` (the name the ${from} "${String(f[from])}" gives)`}`);
    names.add(name);
    return name;
  }

  versions(f: Obj, p: Path): { since?: string; until?: string } {
    const since = f.since as string | undefined;
    const until = f.until as string | undefined;
    if (since !== undefined && until !== undefined && compareVersions(since, until) >= 0) {
      this.fail([...p, 'until'], `"until" ${until} is not after "since" ${since}`);
    }
    return { ...(since !== undefined ? { since } : {}), ...(until !== undefined ? { until } : {}) };
  }

  optional(f: Obj, p: Path): boolean {
    if (f.optional === false && (f.since !== undefined || f.until !== undefined)) {
      this.fail([...p, 'optional'], 'a field with "since" or "until" is optional: it is absent on other kernels');
    }
    return f.optional === true || f.since !== undefined || f.until !== undefined;
  }

  field(f: Obj, p: Path, names: Set<string>, key: string | undefined, inToken = false): FieldModel {
    const name = this.name(f, p, names);
    const raw = key ?? (f.raw as string | undefined) ?? name;
    if (key !== undefined && f.raw !== undefined) this.fail([...p, 'raw'], 'the raw name of a keyed field is its key');
    const value = this.value(f, p, inToken);
    const numeric = value.kind === 'integer' || value.kind === 'u64' || value.kind === 'float';
    if (f.measure !== undefined && !numeric) this.fail([...p, 'measure'], `"measure" says how a number moves: not for a ${value.kind}`);
    const measure = (f.measure as 'counter' | 'gauge' | undefined) ?? (numeric ? this.measure : undefined);
    const wide = !this.narrow && wideRule(value, measure);
    if (f.narrow === true) {
      if (this.narrow) this.fail([...p, 'narrow'], 'the spec says "narrow: true": every field is narrow already');
      if (!wide)
        this.fail([...p, 'narrow'], '"narrow" is for an integer that would be wide (a counter, or a value in a byte unit): this one is narrow already');
    } else if (wide) {
      if (value.kind === 'list') value.of = { ...(value.of as Extract<ValueModel, { kind: 'integer' }>), wide: true };
      else (value as Extract<ValueModel, { kind: 'integer' }>).wide = true;
    }
    return {
      name,
      raw,
      description: f.description as string,
      ...this.versions(f, p),
      optional: this.optional(f, p),
      ...(f.optional === true ? { configDependent: true } : {}),
      ...(measure !== undefined ? { measure } : {}),
      value,
    };
  }

  value(v: Obj, p: Path, inToken = false): ValueModel {
    if (v.type === undefined) this.fail(p, 'missing required key "type"');
    const type = v.type as string;
    const allowed: Record<string, string[]> = {
      integer: ['unit', 'suffix', 'optionalEnd', 'signed', 'hex', 'octal', 'sentinels'],
      u64: ['hex', 'sentinels'],
      float: ['unit', 'suffix', 'optionalEnd'],
      string: ['escaped', 'quoted', 'verbatim'],
      enum: ['values'],
      mask: [],
      cpulist: [],
      inet: ['order'],
      list: ['of', 'separator', 'enclosed'],
      pair: ['separator', 'first', 'second'],
      record: ['tokens', 'pairs', 'columns'],
    };
    for (const k of VALUE_KEYS) {
      if (v[k] === undefined) continue;
      if (inToken && k === 'enclosed') continue; // on a token, "enclosed" wraps the token
      if (inToken && k === 'optionalEnd' && v.terminator !== undefined && v.suffix === undefined) continue; // the token's terminator, whatever its type
      if (!allowed[type]!.includes(k)) {
        const why = k === 'unit' && !NUMERIC.has(type) ? `a unit needs a number, not ${type}` : `"${k}" does not apply to type ${type}`;
        this.fail([...p, k], why);
      }
    }
    // "optionalEnd" makes one end mark optional: a value's suffix or, on a token, its terminator (record() takes that case).
    const suffixOptional = v.optionalEnd === true && v.suffix !== undefined;
    if (v.optionalEnd === true && (v.suffix !== undefined) === (inToken && v.terminator !== undefined)) {
      this.fail(
        [...p, 'optionalEnd'],
        v.suffix !== undefined
          ? '"optionalEnd" makes one end mark optional: this token has a "suffix" and a "terminator"'
          : '"optionalEnd" makes a value\'s "suffix", or a token\'s "terminator", optional: this one has neither',
      );
    }
    const sentinels = (): Sentinel[] => this.named(v.sentinels as Obj[] | undefined, [...p, 'sentinels']);
    switch (type) {
      case 'integer':
        if (v.octal === true && (v.hex === true || v.signed === true)) this.fail([...p, 'octal'], 'an octal integer is unsigned and not hex');
        return {
          kind: 'integer',
          signed: v.signed === true,
          hex: v.hex === true,
          ...(v.octal === true ? { octal: true } : {}),
          sentinels: sentinels(),
          ...(v.unit !== undefined ? { unit: v.unit as never } : {}),
          ...(v.suffix !== undefined ? { suffix: v.suffix as string } : {}),
          ...(suffixOptional ? { suffixOptional: true } : {}),
        };
      case 'u64':
        return { kind: 'u64', hex: v.hex === true, sentinels: sentinels() };
      case 'float':
        return {
          kind: 'float',
          ...(v.unit !== undefined ? { unit: v.unit as never } : {}),
          ...(v.suffix !== undefined ? { suffix: v.suffix as string } : {}),
          ...(suffixOptional ? { suffixOptional: true } : {}),
        };
      case 'string':
        return {
          kind: 'string',
          escaped: v.escaped === true,
          ...(v.quoted === true ? { quoted: true } : {}),
          ...(v.verbatim === true ? { verbatim: true } : {}),
        };
      case 'enum': {
        if (v.values === undefined) this.fail(p, 'an enum needs "values"');
        return { kind: 'enum', values: this.named(v.values as Obj[], [...p, 'values']) as EnumValue[] };
      }
      case 'mask':
        return { kind: 'mask' };
      case 'cpulist':
        return { kind: 'cpulist' };
      case 'inet':
        if (v.order === undefined)
          this.fail(p, 'an inet address needs "order": host (32-bit words in the machine\'s byte order, net/tcp) or network (bytes in order, if_inet6)');
        if (!inToken) this.fail([...p, 'type'], 'an inet address is a token of a record or a part of a pair (its hex is kept beside it)');
        return { kind: 'inet', order: v.order as 'host' | 'network' };
      case 'list': {
        if (v.of === undefined) this.fail(p, 'a list needs "of"');
        const of = typeof v.of === 'string' ? this.value({ type: v.of }, [...p, 'of']) : this.value(v.of as Obj, [...p, 'of']);
        if (!['integer', 'u64', 'float', 'string', 'mask', 'enum'].includes(of.kind)) this.fail([...p, 'of'], 'list items are scalars');
        const enc = inToken ? undefined : (v.enclosed as string | undefined);
        return {
          kind: 'list',
          of,
          separator: (v.separator as string | undefined) ?? null,
          ...(enc ? { open: enc[0]!, close: enc[1]! } : {}),
        };
      }
      case 'pair': {
        if (v.first === undefined || v.second === undefined || v.separator === undefined) this.fail(p, 'a pair needs "separator", "first" and "second"');
        const names = new Set<string>();
        const first = this.field(v.first as Obj, [...p, 'first'], names, undefined, true);
        const second = this.field(v.second as Obj, [...p, 'second'], names, undefined, true);
        for (const [f, k] of [
          [first, 'first'],
          [second, 'second'],
        ] as const) {
          if (!['integer', 'u64', 'float', 'string', 'inet'].includes(f.value.kind)) this.fail([...p, k], 'pair items are numbers, strings or inet addresses');
          if (f.value.kind === 'inet' && names.has(`${f.name}Raw`))
            this.fail([...p, k], `"${f.name}Raw" holds the hex of "${f.name}": another field cannot have that name`);
        }
        if (first.optional) this.fail([...p, 'first'], 'the first part of a pair is always there');
        if (second.optional && first.value.kind !== 'string')
          this.fail([...p, 'second'], "an optional second part needs a string first part (it ends at the separator or the token's end)");
        return { kind: 'pair', separator: v.separator as string, first, second };
      }
      case 'record':
        if (v.tokens === undefined && v.pairs === undefined && v.columns === undefined) this.fail(p, 'a record needs "tokens", "pairs" or "columns"');
        return { kind: 'record', record: this.record(v, p) };
      default:
        this.fail([...p, 'type'], `unknown type ${type}`);
    }
  }

  named(list: Obj[] | undefined, p: Path): Sentinel[] {
    const out: Sentinel[] = [];
    const raws = new Set<string>();
    const names = new Set<string>();
    (list ?? []).forEach((e, i) => {
      const name = e.name as string;
      if (!isSafeSymbolName(name)) this.fail([...p, i, 'name'], `"${name}" is not a safe name (lower case letters, digits and _)`);
      if (names.has(name)) this.fail([...p, i, 'name'], `duplicate name "${name}"`);
      if (raws.has(e.raw as string)) this.fail([...p, i, 'raw'], `duplicate raw value "${String(e.raw)}"`);
      names.add(name);
      raws.add(e.raw as string);
      out.push({ raw: e.raw as string, name, description: e.description as string });
    });
    return out;
  }
}

const BYTE_UNITS: ReadonlySet<string> = new Set(['bytes', 'kB', 'pages', 'sectors']);

/**
 * Whether an integer is wide by the rule of docs/numbers.md: a decimal,
 * hex or octal integer in a byte unit, or one whose measure is counter and
 * that is not turned into seconds (ticks, jiffies, ns: those stay numbers).
 * A list is wide when its items are in a byte unit. Pids, ids and levels
 * that the rule catches are marked `narrow` in their spec.
 */
export function wideRule(value: ValueModel, measure: 'counter' | 'gauge' | undefined): boolean {
  const v = value.kind === 'list' ? value.of : value;
  if (v.kind !== 'integer') return false;
  if (v.unit !== undefined && BYTE_UNITS.has(v.unit)) return true;
  return value.kind === 'integer' && measure === 'counter' && (v.unit === undefined || v.unit === 'percent');
}
