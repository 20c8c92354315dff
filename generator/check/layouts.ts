/** Checks of a layout (line, table, keyed, variants, items, blocks, tree, binary): the whole spec's shape. */
import type { FieldModel, KeyedEntry, LayoutModel, RecordModel, ValueModel, Variant } from '../../runtime/model/model.js';
import type { Obj, Path } from './base.js';
import { isSafeFieldName } from '../names.js';
import { RecordChecker } from './records.js';
import { checkDecode, withoutDecode } from './decode.js';
import { treeLayout } from './trees.js';
import { binaryLayout } from './binary.js';

/** The checker of a spec: every check, from the layout down to each value. */
export class Checker extends RecordChecker {
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
    if (l.tree !== undefined) return treeLayout(this, l.tree as Obj, [...path, 'tree']);
    if (l.binary !== undefined) {
      if (path.length !== 1) this.fail([...path, 'binary'], 'a binary layout reads the whole file: it is the layout of a spec, not of a part');
      return binaryLayout(this, l.binary as Obj, [...path, 'binary']);
    }
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
      // A line variant reads the whole text (a file of one line, or a link's target): only at the top, and all variants alike.
      const top = path.length === 2 && path[0] === 'layout';
      if (shape.kind === 'line' && !(top && list.every((x) => (x.layout as Obj).line !== undefined)))
        this.fail([...p, 'layout'], "line variants read the whole text: they are the variants of a spec's layout, and every variant is a line");
      if (shape.kind !== 'keyed' && shape.kind !== 'line' && !(shape.kind === 'table' && shape.header))
        this.fail([...p, 'layout'], 'a layout variant is keyed, a table with a header, or a line (its value is an object that can carry "kind")');
      const fieldNames =
        shape.kind === 'keyed'
          ? [...shape.entries.map((e) => e.field.name), shape.others?.name]
          : this.recordNames(shape.kind === 'line' ? shape.record : shape.header!);
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
      const field = this.field(e.options === undefined ? e : withoutDecode(e), p, names, key);
      const entry: KeyedEntry = { key, field };
      // A key's value decoded as a token's is (`options`): the value after the separator, read on its own line.
      if (e.options !== undefined) {
        if (e.repeat === true || e.indexed !== undefined || e.prefix !== undefined)
          this.fail([...p, 'options'], '"options" decodes the value of a plain key (not repeated, indexed or with a prefix)');
        const decode = checkDecode(this, { options: e.options }, p, field, names);
        if (decode) field.decode = decode;
      }
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
    this.labels(
      entries.map((e) => e.field),
      entries.map((_, i) => [...path, 'fields', i]),
    );
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
}
