/**
 * Names the object types of a spec: every record, keyed layout, block, pair
 * and section becomes one interface, named after the path that leads to it
 * (ProcStat -> ProcStatCpus). Both the types and the parser emitters use it.
 */
import type { FieldModel, LayoutModel, RecordModel, SpecModel, ValueModel } from '../runtime/model/model.js';
import { decodeType } from './decode-shape.js';
import { compareVersions } from './names.js';

export interface ShapeField {
  name: string;
  type: string;
  optional: boolean;
  doc: string;
  /** The spec field behind it (absent for `extra`, `extraTokens` and index fields). */
  model?: FieldModel;
}

/** The TypeScript type of a scalar value (number, bigint, string or a union of names). */
export function scalarType(v: ValueModel): string {
  switch (v.kind) {
    case 'integer':
    case 'u64':
      // A wide integer is N: number by default, bigint when parsed with `bigint: true`.
      return [v.kind === 'u64' ? 'bigint' : v.wide ? 'N' : 'number', ...v.sentinels.map((s) => JSON.stringify(s.name))].join(' | ');
    case 'float':
      return 'number';
    case 'string':
      return 'string';
    case 'enum':
      return v.values.map((e) => JSON.stringify(e.name)).join(' | ');
    case 'mask':
      return 'bigint';
    case 'cpulist':
      return 'number[]';
    case 'inet':
      return 'string';
    case 'choice':
      return v.unselected ? '{ selected?: string; choices: string[] }' : '{ selected: string; choices: string[] }';
    default:
      throw new Error(`not a scalar: ${v.kind}`);
  }
}

export interface Shape {
  name: string;
  fields: ShapeField[];
  doc: string;
}

export interface Shapes {
  /** Interfaces in emission order. */
  list: Shape[];
  /** The TypeScript type of what each layout returns. */
  layoutType: Map<LayoutModel, string>;
  /** The interface each record is read into. */
  recordType: Map<RecordModel, string>;
  /** The interface of each pair value. */
  pairType: Map<ValueModel, string>;
  /** The type of each token's decoding (generator/decode-shape.ts). */
  decodeType: Map<FieldModel, string>;
  /** Aliases `export type X = Y[]` for table and block layouts. */
  aliases: { name: string; type: string; doc: string }[];
  /**
   * Names of the shapes and aliases that hold a wide integer (type N), here
   * or in a shape they name: the types module gives them a parameter
   * `N extends number | bigint = number`.
   */
  generic: Set<string>;
}

/** `type` with each name of `generic` it mentions given the argument `<N>`. */
export function withN(type: string, generic: ReadonlySet<string>): string {
  if (generic.size === 0) return type;
  const names = [...generic].sort((a, b) => b.length - a.length).join('|');
  return type.replace(new RegExp(`\\b(${names})\\b(?!<)`, 'g'), '$1<N>');
}

/** The names of `shapes` that hold N, directly or through another shape (to a fixed point). */
function genericNames(shapes: Shapes): Set<string> {
  const out = new Set<string>();
  const mentions = (type: string): boolean => /(?<!["\w])N(?!["\w])/.test(type) || [...out].some((n) => new RegExp(`\\b${n}\\b`).test(type));
  for (let grew = true; grew; ) {
    grew = false;
    for (const s of shapes.list) {
      if (!out.has(s.name) && s.fields.some((f) => mentions(f.type))) out.add(s.name), (grew = true);
    }
    for (const a of shapes.aliases) {
      if (!out.has(a.name) && mentions(a.type)) out.add(a.name), (grew = true);
    }
  }
  return out;
}

const pascal = (s: string): string => s[0]!.toUpperCase() + s.slice(1);

const UNIT_WORDS: Record<string, string> = {
  bytes: 'bytes',
  kB: 'bytes',
  pages: 'bytes',
  sectors: 'bytes',
  ticks: 'seconds',
  jiffies: 'seconds',
  ns: 'seconds',
  us: 'seconds',
  ms: 'seconds',
  cs: 'seconds',
  s: 'seconds',
  percent: 'percent',
};

/** The unit a normalised value is in, as a word for docs (`bytes`, `seconds`). */
export function normalisedUnit(v: ValueModel): string | undefined {
  if ((v.kind === 'integer' || v.kind === 'float') && v.unit) return UNIT_WORDS[v.unit];
  return undefined;
}

/**
 * The producers a field's docs name as leaving it out (see
 * passes/presence.ts): none for a field the spec says depends on the
 * configuration (absent anywhere), and no Linux older than its `since`
 * (that says itself).
 */
export function absenceNote(f: FieldModel): string | undefined {
  if (!f.absentIn || f.configDependent) return undefined;
  const since = f.since;
  const named = f.absentIn.filter((p) => !(since !== undefined && /^linux-\d/.test(p) && compareVersions(p.slice('linux-'.length), since) < 0));
  return named.length > 0 ? named.join(', ') : undefined;
}

/** A field's doc comment: what it means, its unit, its kernel versions and raw name. */
export function fieldDoc(f: FieldModel): string {
  const d = f.description.replace(/\*\//g, '* /');
  const parts = [/[.!?]$/.test(d) ? d : `${d}.`];
  const unit = normalisedUnit(f.value);
  if (unit)
    parts.push(
      `Unit: ${unit}${f.value.kind !== 'string' && 'unit' in f.value && f.value.unit && UNIT_WORDS[f.value.unit] !== f.value.unit ? ` (the kernel prints ${f.value.unit})` : ''}.`,
    );
  if (f.since) parts.push(`Since Linux ${f.since}.`);
  if (f.until) parts.push(`Removed in Linux ${f.until}.`);
  const absent = absenceNote(f);
  if (absent) parts.push(`Not printed by ${absent}.`);
  parts.push(`Kernel name: \`${f.raw.replace(/\*\//g, '* /')}\`.`);
  return parts.join(' ');
}

export function buildShapes(spec: SpecModel): Shapes {
  const shapes: Shapes = {
    list: [],
    layoutType: new Map(),
    recordType: new Map(),
    pairType: new Map(),
    decodeType: new Map(),
    aliases: [],
    generic: new Set(),
  };
  const used = new Set<string>();
  const unique = (name: string): string => {
    let n = name;
    for (let i = 2; used.has(n); i++) n = `${name}${i}`;
    used.add(n);
    return n;
  };

  const valueType = (v: ValueModel, owner: string, fieldName: string): string => {
    switch (v.kind) {
      case 'list': {
        const item = valueType(v.of, owner, fieldName);
        return item.includes('|') ? `Array<${item}>` : `${item}[]`;
      }
      case 'pair': {
        const name = unique(owner + pascal(fieldName));
        shapes.pairType.set(v, name);
        const fields = [v.first, v.second].flatMap((f) => (f.value.kind === 'inet' ? [fieldOf(f, name), rawField(f)] : [fieldOf(f, name)]));
        shapes.list.push({ name, fields, doc: `The two parts of ${fieldName}.` });
        return name;
      }
      case 'record':
        return recordShape(v.record, owner + pascal(fieldName), `The parts of ${fieldName}.`);
      default:
        return scalarType(v);
    }
  };

  /** The hex an inet address was printed as, kept beside its text form. */
  const rawField = (f: FieldModel): ShapeField => ({
    name: `${f.name}Raw`,
    type: 'string',
    optional: f.optional,
    doc: `${f.name} as the kernel printed it (hex digits).`,
  });

  const fieldOf = (f: FieldModel, owner: string): ShapeField => ({
    name: f.name,
    type: valueType(f.value, owner, f.name),
    optional: f.optional,
    doc: fieldDoc(f),
    model: f,
  });

  /** The field of `f`'s decoding, if it has one, after `f` in `shape`. */
  const decoded = (shape: Shape, f: FieldModel): void => {
    const d = f.decode;
    if (!d) return;
    const type = decodeType(d, shape.name + pascal(d.name), unique, (x) => shapes.list.push(x));
    shapes.decodeType.set(f, type);
    shape.fields.push({
      name: d.name,
      type,
      // A number no name covers has none.
      optional: f.optional || d.kind === 'names',
      doc: `${d.description.replace(/\.$/, '')}. Decoded from ${f.name}, which stays as printed.${d.kind === 'names' ? ` ${d.values.map((v) => `${v.value} ${v.name}: ${v.description.replace(/\.$/, '')}.`).join(' ')}` : ''}`,
    });
  };

  const recordShape = (r: RecordModel, wanted: string, doc: string, leading: ShapeField[] = []): string => {
    const name = unique(wanted);
    shapes.recordType.set(r, name);
    const shape: Shape = { name, fields: [...leading], doc };
    shapes.list.push(shape);
    for (const t of r.tokens) {
      if (t.kind !== 'field') continue;
      const sf = fieldOf(t.field, name);
      if (t.repeat || t.perColumn !== undefined) sf.type = sf.type.includes('|') ? `Array<${sf.type}>` : `${sf.type}[]`;
      shape.fields.push(sf);
      if (t.field.value.kind === 'inet' && !t.repeat) shape.fields.push(rawField(t.field));
      if (t.trailer)
        shape.fields.push({
          name: t.trailer.name,
          type: 'boolean',
          optional: false,
          doc: `${t.trailer.description} (${JSON.stringify(t.trailer.text)} after ${t.field.name}).`,
        });
      decoded(shape, t.field);
    }
    for (const f of r.pairs?.fields ?? []) shape.fields.push(fieldOf(f, name));
    for (const f of r.columns?.fields ?? []) shape.fields.push(fieldOf(f, name));
    if (r.columns?.others) {
      shape.fields.push({
        name: r.columns.others.name,
        type: 'Record<string, N | string>',
        optional: false,
        doc: `${r.columns.others.description} By column name (a null-prototype record): an integer as a number (a bigint when parsed with \`bigint: true\`), anything else as text.`,
      });
    } else if (r.columns) {
      shape.fields.push({
        name: 'extra',
        type: 'Record<string, N | string>',
        optional: true,
        doc: 'Columns the spec does not name, by header name (a null-prototype record): an integer as a number (a bigint when parsed with `bigint: true`), anything else as text.',
      });
    } else if (r.pairs) {
      shape.fields.push({
        name: 'extra',
        type: 'Record<string, string>',
        optional: true,
        doc: `\`${r.pairs.separator}\` pairs the spec does not name, by key (a null-prototype record).`,
      });
    } else if (!r.closed && !r.tokens.some((t) => t.kind === 'field' && ((t.repeat && t.endsAt === undefined) || t.rest || t.field.value.kind === 'choice'))) {
      shape.fields.push({
        name: 'extraTokens',
        type: 'string[]',
        optional: true,
        doc: 'Tokens after the last one the spec names (a newer kernel may append fields).',
      });
    }
    return name;
  };

  /** The type of a table's or a tree's rows: one record's shape, or the union of its variants' (told apart by `kind`). */
  const rowShape = (rows: Extract<LayoutModel, { kind: 'table' }>['rows'], wanted: string, rowDoc: string): string => {
    if ('record' in rows) return recordShape(rows.record, `${wanted}Row`, rowDoc);
    const names = rows.variants.map((v) => recordShape(v.shape, wanted + pascal(v.name), `${v.description.replace(/\.$/, '')}.`, [kindField(v.name)]));
    const row = unique(`${wanted}Row`);
    shapes.aliases.push({ name: row, type: names.join(' | '), doc: `${rowDoc} Tell the shapes apart by \`kind\`.` });
    return row;
  };

  const kindField = (name: string): ShapeField => ({ name: 'kind', type: JSON.stringify(name), optional: false, doc: 'Which of the shapes this is.' });

  const layoutShape = (l: LayoutModel, wanted: string, doc: string, header?: RecordModel, leading: ShapeField[] = []): string => {
    switch (l.kind) {
      case 'line': {
        const t = recordShape(l.record, wanted, doc, leading);
        shapes.layoutType.set(l, t);
        return t;
      }
      case 'table': {
        const rowDoc = `One row of ${doc.replace(/\.$/, '')}.`;
        const row = rowShape(l.rows, wanted, rowDoc);
        if (!l.header) {
          const t = `${row}[]`;
          shapes.layoutType.set(l, t);
          return t;
        }
        const name = unique(wanted);
        const shape: Shape = { name, fields: [...leading], doc };
        shapes.list.push(shape);
        shapes.recordType.set(l.header, name);
        for (const t of l.header.tokens) {
          if (t.kind !== 'field') continue;
          const sf = fieldOf(t.field, name);
          if (t.repeat) sf.type = sf.type.includes('|') ? `Array<${sf.type}>` : `${sf.type}[]`;
          shape.fields.push(sf);
          decoded(shape, t.field);
        }
        if (!l.header.tokens.some((t) => t.kind === 'field' && ((t.repeat && t.endsAt === undefined) || t.rest))) {
          shape.fields.push({ name: 'extraTokens', type: 'string[]', optional: true, doc: 'Header tokens after the last one the spec names.' });
        }
        shape.fields.push({ name: 'rows', type: `${row}[]`, optional: false, doc: 'The rows after the header line, in file order.' });
        shapes.layoutType.set(l, name);
        return name;
      }
      case 'variants': {
        const names = l.variants.map((v) => layoutShape(v.shape, wanted + pascal(v.name), `${v.description.replace(/\.$/, '')}.`, header, [kindField(v.name)]));
        const t = unique(`${wanted}Variant`);
        shapes.aliases.push({ name: t, type: names.join(' | '), doc: `${doc} Tell the shapes apart by \`kind\`.` });
        shapes.layoutType.set(l, t);
        return t;
      }
      case 'binary': {
        // Records of fixed-width integers: an array of rows, as a table without a header.
        const t = `${recordShape(l.record, `${wanted}Row`, `One record of ${doc.replace(/\.$/, '')}.`)}[]`;
        shapes.layoutType.set(l, t);
        return t;
      }
      case 'items': {
        const t = `${valueType(l.item.value, wanted, l.item.name)}[]`;
        shapes.layoutType.set(l, t);
        return t;
      }
      case 'tree': {
        // Each row (of one shape, or one of several) is a node: the row's fields, its depth and its children.
        const rowDoc = `One line of ${doc.replace(/\.$/, '')}.`;
        const node = unique(`${wanted}Node`);
        const tree: ShapeField[] = [
          {
            name: 'depth',
            type: 'number',
            optional: false,
            doc: 'How deep the line is nested: 0 for a line at the left edge, one more per level of indentation.',
          },
          { name: 'children', type: `${node}[]`, optional: false, doc: 'The lines nested one level below this one, in file order.' },
        ];
        const row = rowShape(l.rows, wanted, rowDoc);
        shapes.aliases.push({
          name: node,
          type: `${row} & { ${tree.map((f) => `${f.name}: ${f.type}`).join('; ')} }`,
          doc: `${rowDoc} With its depth and the lines nested under it.`,
        });
        const t = `${node}[]`;
        shapes.layoutType.set(l, t);
        return t;
      }
      case 'blocks': {
        const block = layoutShape(l.body, `${wanted}Block`, `One block of ${doc.replace(/\.$/, '')}.`, l.header);
        const t = `${block}[]`;
        shapes.layoutType.set(l, t);
        return t;
      }
      case 'keyed': {
        const name = unique(wanted);
        const shape: Shape = { name, fields: [...leading], doc };
        shapes.list.push(shape);
        const head = l.header ?? header;
        if (head) {
          // The header record (the block's start line, or the layout's first line) is read into the same object.
          shapes.recordType.set(head, name);
          for (const t of head.tokens) {
            if (t.kind !== 'field') continue;
            shape.fields.push(fieldOf(t.field, name));
            decoded(shape, t.field);
          }
        }
        for (const e of l.entries) {
          if (e.section && !e.indexed) {
            const t = layoutShape(e.section.layout, name + pascal(e.field.name), e.field.description);
            shape.fields.push({ name: e.field.name, type: t, optional: e.field.optional, doc: fieldDoc(e.field), model: e.field });
          } else if (e.indexed && e.field.value.kind === 'record') {
            const ix: ShapeField = { name: e.indexed.name, type: 'number', optional: false, doc: e.indexed.description };
            const t = recordShape(e.field.value.record, name + pascal(e.field.name), e.field.description, [ix]);
            if (e.section?.name !== undefined) {
              const rec = shapes.list.find((x) => x.name === t)!;
              const st = layoutShape(e.section.layout, t + pascal(e.section.name), e.section.description!);
              rec.fields.push({ name: e.section.name, type: st, optional: false, doc: e.section.description! });
            }
            shape.fields.push({
              name: e.field.name,
              type: `${t}[]`,
              optional: false,
              doc: `${fieldDoc(e.field)} One entry per \`${e.key}N\` line.`,
              model: e.field,
            });
          } else if (e.repeated) {
            const sf = fieldOf(e.field, name);
            shape.fields.push({
              ...sf,
              type: sf.type.includes('|') ? `Array<${sf.type}>` : `${sf.type}[]`,
              optional: false,
              doc: `${sf.doc} One entry per \`${e.key}\` line, in order.`,
            });
          } else {
            shape.fields.push(fieldOf(e.field, name));
            decoded(shape, e.field);
          }
        }
        if (l.others) {
          shape.fields.push({
            name: l.others.name,
            type: 'Record<string, N | string>',
            optional: false,
            doc: `${l.others.description} By kernel key (a null-prototype record): a plain integer as a number (a bigint when parsed with \`bigint: true\`; a \`kB\` value in bytes), anything else as text.`,
          });
        } else if (l.extra && l.entries.some((e) => e.field.value.kind === 'record' && e.field.value.record.columns)) {
          shape.fields.push({
            name: 'extra',
            type: 'Record<string, Record<string, N | string>>',
            optional: true,
            doc: 'Keys the spec does not name, by kernel key (a null-prototype record), each a record of its columns by header name: an integer as a number (a bigint when parsed with `bigint: true`), anything else as text.',
          });
        } else if (l.extra) {
          shape.fields.push({
            name: 'extra',
            type: 'Record<string, N | string>',
            optional: true,
            doc: 'Keys the spec does not name, by kernel key (a null-prototype record): a plain integer as a number (a bigint when parsed with `bigint: true`; a `kB` value in bytes), anything else as text.',
          });
        }
        shapes.layoutType.set(l, name);
        return name;
      }
    }
  };

  const top = layoutShape(spec.layout, spec.typeName, spec.description);
  if (top !== spec.typeName) shapes.aliases.push({ name: spec.typeName, type: top, doc: spec.description });
  shapes.generic = genericNames(shapes);
  return shapes;
}
