/**
 * Plans of a token's decoding (`letters`, `bits`, `options`, `names`, see
 * runtime/model/model.ts DecodeModel): the local it is read into, the
 * statement that reads it right after its token (so a parse error points
 * into the token), and the expression of its field in the record's object.
 */
import type { FieldModel } from '../../runtime/model/model.js';
import type { Local } from './ir.js';

const q = (s: string): string => JSON.stringify(s);

/** The local a decoding is read into (none for bits and names: they are taken from the number itself). */
export function decodeLocal(f: FieldModel, type: string): Local | undefined {
  const d = f.decode;
  if (d === undefined || d.kind === 'bits' || d.kind === 'names') return undefined;
  return { name: `v_${d.name}`, type: d.kind === 'letters' ? 'number' : type, maybe: f.optional, init: false };
}

/** The statement reading the decoding, printed right after its token is read. */
export function decodeStatement(f: FieldModel, type: string): string | undefined {
  const d = f.decode;
  if (d === undefined || d.kind === 'bits' || d.kind === 'names') return undefined;
  if (d.kind === 'letters') {
    const on = d.values.map((v) => v.letter).join('');
    const off = d.values.map((v) => v.clear).join('');
    return `v_${d.name} = s.letters(v_${f.name}, ${q(on)}, ${q(off)});`;
  }
  const keys = d.fields.map((k) => `[${q(k.raw)}, ${q(k.name)}, ${q(k.type === 'integer' ? 'i' : k.type === 'string' ? 's' : 'f')}]`);
  return `v_${d.name} = s.options(v_${f.name}, ${q(d.separator)}, [${keys.join(', ')}]) as ${type};`;
}

/** Test of bit `bit` of the number `v`: a 32-bit and for the low 32 bits, a division above them. */
const bitSet = (v: string, bit: number): string => (bit < 32 ? `(${v} & 0x${(2 ** bit).toString(16)}) !== 0` : `Math.floor(${v} / 2 ** ${bit}) % 2 === 1`);

/** The expression of the decoding's field in the record's object (undefined when its token is). */
export function decodeExpr(f: FieldModel): string {
  const d = f.decode!;
  const from = d.kind === 'bits' || d.kind === 'names' ? `v_${f.name}` : `v_${d.name}`;
  if (d.kind === 'options') return from;
  // The name of the number, undefined for a number no name covers (or an absent token).
  if (d.kind === 'names') return `${d.values.map((v) => `${from} === ${v.value} ? ${q(v.name)} : `).join('')}undefined`;
  const flags = d.kind === 'letters' ? d.values.map((v, i) => `${v.name}: ${bitSet(from, i)}`) : d.values.map((v) => `${v.name}: ${bitSet(from, v.bit)}`);
  const object = `{ ${flags.join(', ')} }`;
  return f.optional ? `${from} === undefined ? undefined : ${object}` : object;
}
