/**
 * A scrape's body gzipped without compressing all of it anew each time.
 * The HELP, TYPE and UNIT lines of a family never change: each family's are
 * compressed once (raw deflate at the best level, ended by a sync flush so
 * that what follows starts on a byte), and a body is those pieces spliced
 * with its samples in stored (uncompressed) deflate blocks, behind a gzip
 * header and before its CRC-32 and length (RFC 1951 3.2.4, RFC 1952).
 */
import * as zlib from 'node:zlib';
import type { FamilyDef } from './names.js';

/** Where a body's parts are: family i's constant lines are bytes [starts[i], heads[i]), its samples [heads[i], starts[i + 1]) (the body's end after the last). */
export interface Layout {
  readonly defs: FamilyDef[];
  readonly starts: number[];
  readonly heads: number[];
}

type Crc32 = (data: Uint8Array) => number;

/** zlib.crc32 (Node.js 20.15 and later), which the splice needs; undefined before. */
const crc32 = (zlib as unknown as { crc32?: Crc32 }).crc32;

/** Whether bodies can be spliced here (else they are gzipped whole). */
export const canSplice = crc32 !== undefined;

/** gzip header: magic, deflate, no flags, no time, no extra flags, OS unknown. */
const HEADER = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255]);
/** An empty final stored block: the end of the deflate stream. */
const LAST = Buffer.from([1, 0, 0, 0xff, 0xff]);
/** Most bytes a stored block holds. */
const STORED_MAX = 0xffff;

const compressed = new WeakMap<FamilyDef, { text?: Buffer; om?: Buffer }>();

/** A family's constant lines, body[from, to), compressed alone, once per family and format. */
function compressedHead(def: FamilyDef, om: boolean, body: Buffer, from: number, to: number): Buffer {
  let c = compressed.get(def);
  if (c === undefined) compressed.set(def, (c = {}));
  const key = om ? 'om' : 'text';
  let z = c[key];
  if (z === undefined) {
    z = zlib.deflateRawSync(body.subarray(from, to), { level: zlib.constants.Z_BEST_COMPRESSION, finishFlush: zlib.constants.Z_SYNC_FLUSH });
    c[key] = z;
  }
  return z;
}

/** Writes stored blocks of body[from, to) at `at` in `out` (when given); the bytes they take. */
function stored(body: Buffer, from: number, to: number, out: Buffer | undefined, at: number): number {
  let size = 0;
  for (let p = from; p < to; p += STORED_MAX) {
    const n = Math.min(STORED_MAX, to - p);
    if (out !== undefined) {
      // Not final, stored (3 bits, then to the byte's end); LEN and its one's complement, little-endian.
      const h = at + size;
      out[h] = 0;
      out[h + 1] = n & 0xff;
      out[h + 2] = n >> 8;
      out[h + 3] = ~n & 0xff;
      out[h + 4] = (~n >> 8) & 0xff;
      out.set(body.subarray(p, p + n), h + 5);
    }
    size += 5 + n;
  }
  return size;
}

/** The gzip of `body`, laid out as `layout` says: each family's constant lines spliced in compressed, the rest stored. */
export function splicedGzip(body: Buffer, layout: Layout, om: boolean): Buffer {
  const { defs, starts, heads } = layout;
  const zs = defs.map((d, i) => compressedHead(d, om, body, starts[i]!, heads[i]!));
  const end = (i: number) => (i + 1 < starts.length ? starts[i + 1]! : body.length);
  // The size first, then the bytes, into one buffer.
  let size = HEADER.length + stored(body, 0, starts[0] ?? body.length, undefined, 0);
  for (let i = 0; i < defs.length; i++) size += zs[i]!.length + stored(body, heads[i]!, end(i), undefined, 0);
  size += LAST.length + 8;
  const out = Buffer.allocUnsafe(size);
  let at = HEADER.copy(out, 0);
  at += stored(body, 0, starts[0] ?? body.length, out, at);
  for (let i = 0; i < defs.length; i++) {
    out.set(zs[i]!, at);
    at += zs[i]!.length;
    at += stored(body, heads[i]!, end(i), out, at);
  }
  at += LAST.copy(out, at);
  out.writeUInt32LE(crc32!(body) >>> 0, at);
  out.writeUInt32LE(body.length >>> 0, at + 4);
  return out;
}
