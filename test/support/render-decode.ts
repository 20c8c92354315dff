/**
 * Round-trip samples of a token that has a decoding (`letters`, `bits`,
 * `options`): the text as the kernel prints it, the value as printed and
 * the decoded value, computed here apart from the generated parser.
 */
import fc from 'fast-check';
import type { DecodeModel, TokenModel } from '../../runtime/model/model.js';

type Token = Extract<TokenModel, { kind: 'field' }>;

/** A rendered token: its text, its value as printed, and its decoding. */
export interface DecodedSample {
  text: string;
  value: unknown;
  decoded: unknown;
}

const WORD = fc.stringMatching(/^[a-z][a-z0-9_]{0,9}$/);

/** The booleans of `bits` in `n` (a number up to 2^53), by BigInt arithmetic. */
export function bitsOf(d: Extract<DecodeModel, { kind: 'bits' }>, n: number): Record<string, boolean> {
  const big = BigInt(n);
  return Object.fromEntries(d.values.map((v) => [v.name, ((big >> BigInt(v.bit)) & 1n) === 1n]));
}

/** The object `options` makes of `items`. */
export function optionsOf(d: Extract<DecodeModel, { kind: 'options' }>, items: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const extra: Record<string, unknown> = {};
  for (const item of items) {
    const [key, ...rest] = item.split(d.separator);
    const value = rest.length === 0 ? undefined : rest.join(d.separator);
    const f = d.fields.find((x) => x.raw === key);
    if (f === undefined) extra[key!] = value ?? true;
    else out[f.name] = f.type === 'integer' ? Number(value) : f.type === 'string' ? value : true;
  }
  if (d.fields.length === 0) return extra;
  if (Object.keys(extra).length > 0) out.extra = extra;
  return out;
}

/** The name a `names` decoding gives number `n`, undefined when none covers it. */
export function nameOf(d: Extract<DecodeModel, { kind: 'names' }>, n: number): string | undefined {
  return d.values.find((v) => v.value === n)?.name;
}

/** Samples of token `t`, whose field has a decoding; `item` draws a plain item of the value when the decoding takes the value's own. */
export function decodedToken(t: Token, integer: fc.Arbitrary<{ text: string; value: unknown }>): fc.Arbitrary<DecodedSample> {
  const d = t.field.decode!;
  const pre = t.prefix ?? '';
  if (d.kind === 'letters') {
    return fc.array(fc.boolean(), { minLength: d.values.length, maxLength: d.values.length }).map((on) => {
      const text = d.values.map((v, i) => (on[i] ? v.letter : v.clear)).join('');
      return { text: `${pre}${text}`, value: text, decoded: Object.fromEntries(d.values.map((v, i) => [v.name, on[i]!])) };
    });
  }
  if (d.kind === 'names') {
    const hex = t.field.value.kind === 'integer' && t.field.value.hex;
    // A number a name covers, or anything the integer itself draws (most have no name).
    const drawn = fc.oneof(fc.constantFrom(...d.values.map((v) => ({ text: hex ? v.value.toString(16) : String(v.value), value: v.value }))), integer);
    return drawn.map((x) => ({ text: `${pre}${x.text}`, value: x.value, decoded: nameOf(d, x.value as number) }));
  }
  if (d.kind === 'bits') {
    const named = d.values.reduce((m, v) => m + 2 ** v.bit, 0);
    // Numbers made of named bits, some bits no name covers, or anything the integer itself draws.
    const masks = fc.oneof(
      fc.subarray(d.values).map((vs) => vs.reduce((m, v) => m + 2 ** v.bit, 0)),
      fc.integer({ min: 0, max: 2 ** 32 - 1 }).filter((n) => (n & ~named) !== 0 || named >= 2 ** 31),
    );
    const hex = t.field.value.kind === 'integer' && t.field.value.hex;
    const drawn = fc.oneof(
      masks.map((n) => ({ text: hex ? n.toString(16).padStart(8, '0') : String(n), value: n })),
      integer,
    );
    return drawn.map((x) => ({ text: `${pre}${x.text}`, value: x.value, decoded: bitsOf(d, x.value as number) }));
  }
  const sep = d.separator;
  const listSep = t.field.value.kind === 'list' ? (t.field.value.separator ?? ' ') : ' ';
  const known = d.fields.map((f) =>
    f.type === 'integer'
      ? fc.integer({ min: 0, max: 99999 }).map((n) => `${f.raw}${sep}${n}`)
      : f.type === 'string'
        ? WORD.map((w) => `${f.raw}${sep}${w}`)
        : fc.constant(f.raw),
  );
  // A key the spec does not know: a word that is no field's key (an unknown `id=a=a` where `id` is an integer field
  // would be a malformed known item, which the parser rightly refuses).
  const raws = new Set(d.fields.map((f) => f.raw));
  const KEY = WORD.filter((w) => !raws.has(w));
  const unknown = fc.oneof(
    KEY,
    fc.tuple(KEY, WORD).map(([k, v]) => `${k}${sep}${v}`),
    fc.tuple(KEY, WORD).map(([k, v]) => `${k}${sep}${v}${sep}${v}`),
  );
  const any = known.length > 0 ? fc.oneof(unknown, ...known) : unknown;
  // A list that ends before a token beginning with its marker holds no such item.
  const ends = t.endsAt;
  const item = t.endsBefore && ends !== undefined ? any.filter((x) => !x.startsWith(ends)) : any;
  const min = t.repeat ? 0 : 1;
  return fc.array(item, { minLength: min, maxLength: 6 }).map((items) => {
    const body = items.join(listSep);
    const text = t.repeat ? [...items, ...(t.endsAt !== undefined && !t.endsBefore ? [t.endsAt] : [])].join(' ') : body;
    return { text: `${pre}${text}`, value: items, decoded: optionsOf(d, items) };
  });
}
