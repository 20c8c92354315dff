/** Checks of a field and its value: types, units, options that belong to a type, wide integers. */
import type { EnumValue, FieldModel, RecordModel, Sentinel, ValueModel } from '../../runtime/model/model.js';
import { CheckerBase, type Obj, type Path } from './base.js';

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
  'phrases',
  'order',
  'octal',
  'unselected',
];

export abstract class FieldChecker extends CheckerBase {
  /** A record (a value of type record, a token's pairs): checked by RecordChecker. */
  abstract record(r: Obj, path: Path): RecordModel;

  field(f: Obj, p: Path, names: Set<string>, key: string | undefined, inToken = false): FieldModel {
    const name = this.name(f, p, names);
    const raw = key ?? (f.raw as string | undefined) ?? name;
    if (key !== undefined && f.raw !== undefined) this.fail([...p, 'raw'], 'the raw name of a keyed field is its key');
    const value = this.value(f, p, inToken);
    const numeric = value.kind === 'integer' || value.kind === 'u64' || value.kind === 'float';
    if (f.measure !== undefined && !numeric) this.fail([...p, 'measure'], `"measure" says how a number moves: not for a ${value.kind}`);
    // A u64 is a quantity (a limit, a maximum) only when it says its own measure: addresses, masks, ids and inodes say none.
    const measure = (f.measure as 'counter' | 'gauge' | undefined) ?? (numeric && value.kind !== 'u64' ? this.measure : undefined);
    const label = this.label(f, p, value);
    // A label names its row: never a 64-bit count, so never wide.
    const wide = !this.narrow && (label === undefined || label === false) && wideRule(value, measure);
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
      // A label names its row: it does not move, so it has no measure (the inherited one still decides wide, as parsing did).
      ...(measure !== undefined && (label === undefined || label === false) ? { measure } : {}),
      ...(label !== undefined ? { label } : {}),
      value,
    };
  }

  /** A field's `label` marker (what it is to an exporter), checked against its type. */
  label(f: Obj, p: Path, value: ValueModel): boolean | string | undefined {
    const label = f.label as boolean | string | undefined;
    if (label === undefined) return undefined;
    const at = [...p, 'label'];
    const text = value.kind === 'string' || value.kind === 'enum' || value.kind === 'inet';
    if (label === false) {
      if (!text) this.fail(at, `"label: false" says a text field (a string, enum word or address) does not name its row: not for a ${value.kind}`);
      return false;
    }
    if (typeof label === 'string' && !/^[a-z][a-z0-9_]*$/.test(label))
      this.fail(at, `"${label}" is not a label name: lower case letters, digits and _, starting with a letter`);
    if (f.measure !== undefined) this.fail(at, 'a label names its row and does not move: it has no "measure"');
    if (value.kind === 'record') {
      if (label === true)
        this.fail(at, 'a record is labelled by its name under a label the spec names: write "label: <name>" (pressure\'s some and full: stall)');
      return label;
    }
    if (value.kind === 'list') {
      // A list of numbers known by their position (buddyinfo's blocks per order): each item is labelled by its position.
      if (label === true || (value.of.kind !== 'integer' && value.of.kind !== 'float'))
        this.fail(at, 'a list is labelled only when it holds numbers, each by its position under a label the spec names: write "label: <name>"');
      return label;
    }
    if (!text && value.kind !== 'integer' && value.kind !== 'u64')
      this.fail(at, `a label is one word, number or address that names its row: not a ${value.kind}`);
    if (value.kind === 'integer' && value.unit !== undefined) this.fail(at, `a label is a name, not a quantity in ${value.unit}`);
    return label;
  }

  /**
   * The labels of one list of fields: no two name the same label, and
   * records that share a label name are declared alike (they are one set
   * of metric families, told apart by the label).
   */
  labels(fields: readonly FieldModel[], paths: readonly Path[]): void {
    const seen = new Map<string, FieldModel>();
    fields.forEach((f, i) => {
      if (f.label === undefined || f.label === false) return;
      const name = f.label === true ? f.name : f.label;
      const other = seen.get(name);
      if (other === undefined) {
        seen.set(name, f);
        return;
      }
      if (f.value.kind !== 'record' || other.value.kind !== 'record')
        this.fail([...paths[i]!, 'label'], `label "${name}" is also given by field "${other.name}"`);
      if (JSON.stringify(f.value.record) !== JSON.stringify(other.value.record))
        this.fail([...paths[i]!, 'label'], `records sharing label "${name}" are one set of families: "${f.name}" is not declared like "${other.name}"`);
    });
  }

  value(v: Obj, p: Path, inToken = false): ValueModel {
    if (v.type === undefined) this.fail(p, 'missing required key "type"');
    const type = v.type as string;
    const allowed: Record<string, string[]> = {
      integer: ['unit', 'suffix', 'optionalEnd', 'signed', 'hex', 'octal', 'sentinels'],
      u64: ['hex', 'sentinels'],
      float: ['unit', 'suffix', 'optionalEnd'],
      string: ['escaped', 'quoted', 'verbatim', 'phrases'],
      enum: ['values'],
      mask: [],
      cpulist: [],
      choice: ['unselected'],
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
          ...(v.phrases !== undefined ? { phrases: checkPhrases(this, v, p, inToken) } : {}),
        };
      case 'enum': {
        if (v.values === undefined) this.fail(p, 'an enum needs "values"');
        return { kind: 'enum', values: this.named(v.values as Obj[], [...p, 'values']) as EnumValue[] };
      }
      case 'mask':
        return { kind: 'mask' };
      case 'cpulist':
        return { kind: 'cpulist' };
      case 'choice':
        // The words of a choice run to the end of the line: a token of one is the line's last (checkChoice, records.ts).
        return { kind: 'choice', ...(v.unselected === true ? { unselected: true } : {}) };
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
}

/**
 * The `phrases` of a string: texts of printable ASCII that hold a space (a
 * word needs no phrase), each once, on a word of a token or the first part
 * of a pair, read plainly (not quoted, not verbatim); longest first, so the
 * longest one a text begins with is taken.
 */
function checkPhrases(c: FieldChecker, v: Obj, p: Path, inToken: boolean): string[] {
  const list = v.phrases as string[];
  if (!inToken) c.fail([...p, 'phrases'], '"phrases" lets a word of a token run on past a space: not for a keyed value or an item');
  if (v.quoted === true || v.verbatim === true) c.fail([...p, 'phrases'], '"phrases" is for a plain word: not with "quoted" or "verbatim"');
  list.forEach((ph, i) => {
    if (!/^[\x21-\x7e]+( [\x21-\x7e]+)+$/.test(ph))
      c.fail([...p, 'phrases', i], 'a phrase is words of printable ASCII separated by single spaces, at least two of them (a one-word text needs no phrase)');
    if (list.indexOf(ph) !== i) c.fail([...p, 'phrases', i], `phrase "${ph}" is given twice`);
  });
  return [...list].sort((a, b) => b.length - a.length);
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
