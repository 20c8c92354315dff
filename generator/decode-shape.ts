/**
 * The type of a token's decoding (`letters`, `bits`, `options`): an
 * interface of named booleans, or of the keys an `options` decoding names
 * plus `extra`, or a record of every key when it names none.
 */
import type { DecodeModel } from '../runtime/model/model.js';

/** A field of a shape (shapes.ts ShapeField, written here so the two modules do not import each other). */
interface ShapeField {
  name: string;
  type: string;
  optional: boolean;
  doc: string;
}

/** A shape (shapes.ts Shape). */
interface Shape {
  name: string;
  fields: ShapeField[];
  doc: string;
}

/** The doc of what `options` keeps of keys it does not name. */
const EXTRA_DOC = 'Keys the spec does not name, each with its value, or true for a key that comes alone (a null-prototype record).';

const flag = (name: string, description: string, where: string): ShapeField => ({
  name,
  type: 'boolean',
  optional: false,
  doc: `${description.replace(/\.$/, '')}. ${where}`,
});

/**
 * The decoding's TypeScript type; an interface it needs is named `wanted`
 * (made unique by `unique`) and added with `push`.
 */
export function decodeType(d: DecodeModel, wanted: string, unique: (n: string) => string, push: (s: Shape) => void): string {
  if (d.kind === 'options' && d.fields.length === 0) return 'Record<string, string | true>';
  // The name of the number: a union of the names (a number none covers has no name).
  if (d.kind === 'names') return d.values.map((v) => JSON.stringify(v.name)).join(' | ');
  const name = unique(wanted);
  const fields: ShapeField[] =
    d.kind === 'options'
      ? [
          ...d.fields.map((f) => ({
            name: f.name,
            type: f.type === 'integer' ? 'number' : f.type === 'string' ? 'string' : 'true',
            optional: true,
            doc: `${f.description.replace(/\.$/, '')}. Kernel name: \`${f.raw}\`.`,
          })),
          { name: 'extra', type: 'Record<string, string | true>', optional: true, doc: EXTRA_DOC },
        ]
      : d.kind === 'letters'
        ? d.values.map((v) => flag(v.name, v.description, `Letter \`${v.letter}\` (\`${v.clear}\` when off).`))
        : d.values.map((v) => flag(v.name, v.description, `Bit ${v.bit} (0x${(2 ** v.bit).toString(16)}).`));
  push({ name, fields, doc: `${d.description.replace(/\.$/, '')}.` });
  return name;
}
