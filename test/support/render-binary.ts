/**
 * Rendering a binary layout (rt_acct, pid/auxv): records of fixed-width
 * integers written as bytes, in the byte order the parse context says for
 * `host` (little-endian by default), and the value each record must parse
 * to, computed here apart from the generated parser. The text is the bytes
 * one character each (latin1), which is how a parser takes a string.
 */
import fc from 'fast-check';
import type { BinaryLayout, BinaryType, FieldModel } from '../../runtime/model/model.js';
import { bitsOf, nameOf } from './render-decode.js';

/** A rendered file and the value it must parse to (render.ts Sample, written here so the two modules do not import each other). */
interface Sample {
  text: string;
  value: unknown;
}

const BYTES: Record<BinaryType, number> = { u8: 1, u16: 2, u32: 4, u64: 8, ulong: 8 };

/** A value of `bytes` bytes: small ones, ones at the edges, and any. */
function raw(bytes: number): fc.Arbitrary<bigint> {
  const max = 2n ** BigInt(bytes * 8) - 1n;
  return fc.oneof(fc.bigInt({ min: 0n, max: max < 1000n ? max : 1000n }), fc.constantFrom(0n, max, max >> 1n), fc.bigInt({ min: 0n, max }));
}

/** What a field holding `x` parses to (by default, not in exact mode): a bigint for a u64 field, else the nearest number. */
const parsed = (f: FieldModel, x: bigint): unknown => (f.value.kind === 'u64' ? x : Number(x));

function put(out: number[], x: bigint, bytes: number, little: boolean): void {
  const b: number[] = [];
  for (let i = 0; i < bytes; i++) b.push(Number((x >> BigInt(8 * i)) & 0xffn));
  out.push(...(little ? b : b.reverse()));
}

/** Samples of a whole binary file of layout `l`. */
export function binarySample(l: BinaryLayout, littleHost: boolean): fc.Arbitrary<Sample> {
  const little = l.order === 'host' ? littleHost : l.order === 'little';
  const fields = l.record.tokens.flatMap((t) => (t.kind === 'field' ? [t.field] : []));
  const until = l.until;
  const record = fc.tuple(...fields.map((_f, i) => (l.types[i] === null ? fc.constant(0n) : raw(BYTES[l.types[i]!]))));
  const isEnd = (xs: bigint[]): boolean => until !== undefined && xs[fields.findIndex((f) => f.name === until.field)] === BigInt(until.value);
  const rows = fc.array(
    record.filter((xs) => !isEnd(xs)),
    { maxLength: 6 },
  );
  // The end record: its field holds the end value, the others anything.
  const end = record.map((xs) => xs.map((x, i) => (fields[i]!.name === until?.field ? BigInt(until.value) : x)));
  return fc.tuple(rows, end, fc.boolean()).map(([rs, e, empty]): Sample => {
    // With an end record, a file may be empty (no records at all); else it holds the rows and then the end record.
    const all = until === undefined ? rs : empty ? [] : [...rs, e];
    const bytes: number[] = [];
    for (const xs of all) {
      xs.forEach((x, i) => {
        const t = l.types[i];
        if (t !== null && t !== undefined) put(bytes, x, BYTES[t], little);
      });
    }
    const value = (until === undefined || !empty ? rs : []).map((xs, n) => {
      const o: Record<string, unknown> = {};
      fields.forEach((f, i) => {
        o[f.name] = l.types[i] === null ? n : parsed(f, xs[i]!);
        const d = f.decode;
        if (d?.kind === 'names') {
          const name = nameOf(d, Number(xs[i]));
          if (name !== undefined) o[d.name] = name;
        } else if (d?.kind === 'bits') o[d.name] = bitsOf(d, Number(xs[i]));
      });
      return o;
    });
    return { text: Buffer.from(bytes).toString('latin1'), value };
  });
}
