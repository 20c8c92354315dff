/** Checks of a record: its tokens, pairs and columns, and the names they give. */
import type { RecordModel, TokenModel } from '../../runtime/model/model.js';
import type { Obj, Path } from './base.js';
import { checkDecode, withoutDecode } from './decode.js';
import { FieldChecker } from './fields.js';

export abstract class RecordChecker extends FieldChecker {
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
      this.labels(
        fields,
        fields.map((_, i) => [...path, 'columns', 'fields', i]),
      );
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
      const field = this.field(withoutDecode(t), p, names, undefined, true);
      const decode = checkDecode(this, t, p, field, names);
      if (decode) field.decode = decode;
      if (field.value.kind === 'inet') {
        if (names.has(`${field.name}Raw`))
          this.fail([...p, 'name'], `"${field.name}Raw" holds the hex of "${field.name}": another field cannot have that name`);
        names.add(`${field.name}Raw`);
      }
      const repeat = t.repeat === true;
      if (repeat && field.label === true)
        this.fail([...p, 'label'], 'repeated numbers are labelled each by its position, under a label the spec names: write "label: <name>"');
      const rest = t.rest === true;
      const last = i === list.length - 1;
      if (t.endsAt !== undefined && t.endsBefore !== undefined)
        this.fail([...p, 'endsBefore'], 'a list ends at a lone marker ("endsAt") or before a token that begins with one ("endsBefore"), not both');
      const endsAt = (t.endsAt ?? t.endsBefore) as string | undefined;
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
      if (
        field.value.kind === 'choice' &&
        (!last || r.pairs !== undefined || repeat || rest || t.enclosed !== undefined || t.terminator !== undefined || t.prefix !== undefined)
      )
        this.fail([...p, 'type'], 'a choice is the words up to the end of the line: the last token, plain (no repeat, rest, enclosed, terminator or prefix)');
      if (endsAt !== undefined && !repeat)
        this.fail([...p, t.endsAt !== undefined ? 'endsAt' : 'endsBefore'], `"${t.endsAt !== undefined ? 'endsAt' : 'endsBefore'}" ends a "repeat" list`);
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
      if (
        field.value.kind === 'string' &&
        field.value.phrases !== undefined &&
        (rest || width !== undefined || untilLast !== undefined || t.enclosed !== undefined || t.terminator !== undefined)
      )
        this.fail([...p, 'phrases'], '"phrases" lets a word run on past a space: a token read as a word (no rest, width, untilLast, enclosed or terminator)');
      const trailer = t.trailer as Obj | undefined;
      const startsWith = t.startsWith as string | undefined;
      for (const [key, x] of [
        ['trailer', trailer],
        ['startsWith', startsWith],
      ] as const) {
        if (x !== undefined && (field.value.kind !== 'string' || !rest || field.optional))
          this.fail([...p, key], `"${key}" is a mark at an edge of the rest of the line: a required string token with "rest"`);
      }
      if (trailer !== undefined) {
        this.name(trailer, [...p, 'trailer'], names);
      }
      if (repeat && !['integer', 'u64', 'float', 'string', 'mask', 'pair'].includes(field.value.kind))
        this.fail([...p, 'type'], '"repeat" takes scalar or pair tokens');
      if (t.closeAt !== undefined && t.enclosed === undefined) this.fail([...p, 'closeAt'], '"closeAt" goes with "enclosed"');
      if (t.enclosed === '""' && t.closeAt === 'balanced')
        this.fail([...p, 'closeAt'], 'quotes do not nest: a quoted token closes at its "first" or "last" quote');
      if (t.enclosed !== undefined && !['string', 'list'].includes(field.value.kind))
        this.fail([...p, 'enclosed'], 'an enclosed token is read as text: a number or enum between marks is a "prefix" and a "terminator"');
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
        ...(t.endsBefore !== undefined ? { endsBefore: true } : {}),
        ...(perColumn !== undefined ? { perColumn } : {}),
        ...(width !== undefined ? { width } : {}),
        ...(untilLast !== undefined ? { untilLast } : {}),
        ...(startsWith !== undefined ? { startsWith } : {}),
        ...(trailer !== undefined
          ? { trailer: { text: trailer.text as string, name: trailer.name as string, description: trailer.description as string } }
          : {}),
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
    const all: { field: TokenModel & { kind: 'field' }; at: Path }[] = [];
    tokens.forEach((t, i) => {
      if (t.kind === 'field') all.push({ field: t, at: [...path, 'tokens', i] });
    });
    this.labels(
      [...all.map((a) => a.field.field), ...(model.pairs?.fields ?? [])],
      [...all.map((a) => a.at), ...(model.pairs?.fields ?? []).map((_, i) => [...path, 'pairs', 'fields', i])],
    );
    return model;
  }

  recordNames(r: RecordModel): string[] {
    const out: string[] = [];
    for (const t of r.tokens) if (t.kind === 'field') out.push(t.field.name, ...(t.trailer ? [t.trailer.name] : []));
    for (const f of r.pairs?.fields ?? []) out.push(f.name);
    for (const f of r.columns?.fields ?? []) out.push(f.name);
    return out;
  }
}
