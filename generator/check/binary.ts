/**
 * Checks of a binary layout: a file the kernel writes as bytes (rt_acct,
 * pid/auxv), records of fixed-width integers one after another, in a byte
 * order the spec names. The fields become the tokens of a closed record,
 * which is how the types, the exporter and the round trip see a row.
 */
import type { BinaryLayout, BinaryType, FieldModel, TokenModel } from '../../runtime/model/model.js';
import type { Obj, Path } from './base.js';
import { checkDecode, withoutDecode } from './decode.js';
import type { RecordChecker } from './records.js';

/** Bytes of each C type; ulong is the machine word, 8 bytes where the parser reads a 64-bit machine's file. */
export const CTYPE_BYTES: Readonly<Record<BinaryType, number>> = { u8: 1, u16: 2, u32: 4, u64: 8, ulong: 8 };

const token = (field: FieldModel): TokenModel => ({ kind: 'field', field, repeat: false, rest: false });

export function binaryLayout(c: RecordChecker, b: Obj, path: Path): BinaryLayout {
  const names = new Set<string>();
  const tokens: TokenModel[] = [];
  const types: (BinaryType | null)[] = [];
  const fields: FieldModel[] = [];
  if (b.index !== undefined) {
    const ix = b.index as Obj;
    const p = [...path, 'index'];
    const name = c.name(ix, p, names);
    const field: FieldModel = {
      name,
      raw: name,
      description: ix.description as string,
      optional: false,
      ...(ix.label !== undefined ? { label: ix.label as boolean | string } : {}),
      value: { kind: 'integer', signed: false, sentinels: [], hex: false },
    };
    if (ix.label === false) c.fail([...p, 'label'], '"label: false" is for text fields: the index is a number');
    tokens.push(token(field));
    types.push(null);
    fields.push(field);
  }
  (b.fields as Obj[]).forEach((f, i) => {
    const p = [...path, 'fields', i];
    const ctype = f.ctype as BinaryType;
    const { ctype: _, ...rest } = f;
    const field = c.field(withoutDecode(rest), p, names, undefined, true);
    const decode = checkDecode(c, f, p, field, names);
    if (decode) field.decode = decode;
    if (field.optional) c.fail(p, 'every field of a binary record is there: a record has a fixed size');
    const v = field.value;
    if (v.kind === 'u64' && CTYPE_BYTES[ctype] !== 8) c.fail([...p, 'ctype'], `a u64 field is 8 bytes wide: "${ctype}" is ${CTYPE_BYTES[ctype]}`);
    // A field narrower than 8 bytes never passes 2^32: it is a number, never wide (no "narrow" needed).
    if (v.kind === 'integer' && CTYPE_BYTES[ctype] < 8) {
      if (f.narrow === true) c.fail([...p, 'narrow'], `a ${ctype} field is narrow already: it holds at most 32 bits`);
      delete v.wide;
    }
    tokens.push(token(field));
    types.push(ctype);
    fields.push(field);
  });
  c.labels(
    fields,
    fields.map((_, i) => (b.index !== undefined && i === 0 ? [...path, 'index'] : [...path, 'fields', i - (b.index !== undefined ? 1 : 0)])),
  );
  const out: BinaryLayout = { kind: 'binary', order: b.order as BinaryLayout['order'], record: { tokens, closed: true }, types };
  if (b.until !== undefined) {
    const u = b.until as Obj;
    const at = fields.findIndex((f) => f.name === u.field);
    if (at < 0 || types[at] === null || fields[at]!.value.kind !== 'integer')
      c.fail([...path, 'until', 'field'], `"${String(u.field)}" is not an integer field of the record: the end record is told by one`);
    out.until = { field: u.field as string, value: u.value as number };
  }
  return out;
}
