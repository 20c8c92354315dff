/**
 * One deflate block with dynamic Huffman codes (RFC 1951 3.2.7) written from
 * tokens: a literal byte, or a match of a length (3-258) at a distance
 * (1-32,768) back. Codes are built from the tokens' own counts.
 */
import { BitWriter, type Segment } from './bits.js';
import { canonicalCodes, codeLengths } from './huffman.js';

/** A token: a literal is its byte (0-255); a match is `length << 16 | distance`. */
export const match = (length: number, distance: number): number => (length << 16) | distance;

const END_OF_BLOCK = 256;
/** Literal/length symbols and distance symbols deflate defines. */
const LITLEN_SYMBOLS = 286;
const DIST_SYMBOLS = 30;

/** The length symbol (257-285) of each length 3-258, and the extra bits' value and count. */
const LEN_SYMBOL = new Uint16Array(259);
const LEN_EXTRA_BITS = new Uint8Array(259);
const LEN_BASE = new Uint16Array(259);
/** The distance symbol of each distance - 1, for distances up to 256 and then by (distance - 1) >> 7. */
const DIST_LOW = new Uint8Array(256);
const DIST_HIGH = new Uint8Array(256);
const DIST_BASE = new Uint16Array(DIST_SYMBOLS);
const DIST_EXTRA = new Uint8Array(DIST_SYMBOLS);

{
  const lengthExtra = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
  let len = 3;
  for (let code = 0; code < 29; code++) {
    const base = code === 28 ? 258 : len;
    for (let k = 0; k < 1 << lengthExtra[code]! && base + k <= 258; k++) {
      LEN_SYMBOL[base + k] = 257 + code;
      LEN_EXTRA_BITS[base + k] = lengthExtra[code]!;
      LEN_BASE[base + k] = base;
    }
    if (code < 28) len += 1 << lengthExtra[code]!;
  }
  let dist = 1;
  for (let code = 0; code < DIST_SYMBOLS; code++) {
    const extra = code < 2 ? 0 : (code >> 1) - 1;
    DIST_BASE[code] = dist;
    DIST_EXTRA[code] = extra;
    for (let k = 0; k < 1 << extra; k++) {
      const d = dist - 1 + k;
      if (d < 256) DIST_LOW[d] = code;
      else DIST_HIGH[d >> 7] = code;
    }
    dist += 1 << extra;
  }
}

const distSymbol = (d: number): number => (d <= 256 ? DIST_LOW[d - 1]! : DIST_HIGH[(d - 1) >> 7]!);

/** Counts of the symbols of tokens, for building the codes. */
export class SymbolCounts {
  readonly litlen = new Uint32Array(LITLEN_SYMBOLS);
  readonly dist = new Uint32Array(DIST_SYMBOLS);

  clear(): void {
    this.litlen.fill(0);
    this.dist.fill(0);
  }

  /** Counts a match token's two symbols. */
  countMatch(length: number, distance: number): void {
    this.litlen[LEN_SYMBOL[length]!]!++;
    this.dist[distSymbol(distance)]!++;
  }
}

/** Order in which the code length code's lengths are stored. */
const CL_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

/** Code lengths run-length coded with symbols 16 (repeat previous 3-6), 17 (3-10 zeros), 18 (11-138 zeros): pairs of symbol, extra value. */
function runLengths(lengths: Uint8Array): number[] {
  const out: number[] = [];
  for (let i = 0; i < lengths.length; ) {
    const l = lengths[i]!;
    let run = 1;
    while (i + run < lengths.length && lengths[i + run] === l) run++;
    i += run;
    if (l === 0) {
      while (run >= 11) {
        const k = Math.min(run, 138);
        out.push(18, k - 11);
        run -= k;
      }
      if (run >= 3) {
        out.push(17, run - 3);
        run = 0;
      }
    } else {
      out.push(l, 0);
      run--;
      while (run >= 3) {
        const k = Math.min(run, 6);
        out.push(16, k - 3);
        run -= k;
      }
    }
    for (; run > 0; run--) out.push(l, 0);
  }
  return out;
}

/**
 * Huffman codes for one final dynamic block, from symbol counts. Every
 * symbol gets a code (one never counted as if seen once), so the codes of
 * one body can write the next, whose values may use other digits.
 */
export class Codes {
  readonly litLen: Uint8Array;
  readonly litCode: Uint16Array;
  readonly distLen: Uint8Array;
  readonly distCode: Uint16Array;
  /** The block's first bits: last-block flag, type, and the code lengths. */
  readonly header: Segment;

  constructor(counts: SymbolCounts) {
    const lit = Uint32Array.from(counts.litlen, (c) => Math.max(c, 1));
    const dist = Uint32Array.from(counts.dist, (c) => Math.max(c, 1));
    this.litLen = codeLengths(lit, 15);
    this.distLen = codeLengths(dist, 15);
    this.litCode = canonicalCodes(this.litLen, 15);
    this.distCode = canonicalCodes(this.distLen, 15);
    this.header = headerOf(this.litLen, this.distLen);
  }

  literal(w: BitWriter, b: number): void {
    w.bits(this.litCode[b]!, this.litLen[b]!);
  }

  /** Writes the bytes `from[start, end)` as literals. */
  literals(w: BitWriter, from: Uint8Array, start: number, end: number): void {
    w.codes(from, start, end, this.litCode, this.litLen);
  }

  match(w: BitWriter, length: number, distance: number): void {
    const ls = LEN_SYMBOL[length]!;
    w.bits(this.litCode[ls]!, this.litLen[ls]!);
    const le = LEN_EXTRA_BITS[length]!;
    if (le > 0) w.bits(length - LEN_BASE[length]!, le);
    const ds = distSymbol(distance);
    w.bits(this.distCode[ds]!, this.distLen[ds]!);
    const de = DIST_EXTRA[ds]!;
    if (de > 0) w.bits(distance - DIST_BASE[ds]!, de);
  }

  /** Writes tokens (a literal's byte, or `length << 16 | distance`). */
  tokens(w: BitWriter, tokens: Uint32Array, n: number): void {
    for (let i = 0; i < n; i++) {
      const t = tokens[i]!;
      if (t < 256) w.bits(this.litCode[t]!, this.litLen[t]!);
      else this.match(w, t >>> 16, t & 0xffff);
    }
  }

  end(w: BitWriter): void {
    w.bits(this.litCode[END_OF_BLOCK]!, this.litLen[END_OF_BLOCK]!);
  }
}

/** The bits of a final dynamic block's header for these code lengths (every literal/length and distance symbol has one). */
function headerOf(litLen: Uint8Array, distLen: Uint8Array): Segment {
  const all = new Uint8Array(LITLEN_SYMBOLS + DIST_SYMBOLS);
  all.set(litLen);
  all.set(distLen, LITLEN_SYMBOLS);
  const rle = runLengths(all);
  const clFreq = new Uint32Array(19);
  for (let i = 0; i < rle.length; i += 2) clFreq[rle[i]!]!++;
  const clLen = codeLengths(clFreq, 7);
  const clCode = canonicalCodes(clLen, 7);
  let hclen = 19;
  while (hclen > 4 && clLen[CL_ORDER[hclen - 1]!] === 0) hclen--;
  const w = new BitWriter(512);
  w.bits(1, 1); // the last block
  w.bits(2, 2); // dynamic Huffman codes
  w.bits(LITLEN_SYMBOLS - 257, 5);
  w.bits(DIST_SYMBOLS - 1, 5);
  w.bits(hclen - 4, 4);
  for (let i = 0; i < hclen; i++) w.bits(clLen[CL_ORDER[i]!]!, 3);
  for (let i = 0; i < rle.length; i += 2) {
    const sym = rle[i]!;
    w.bits(clCode[sym]!, clLen[sym]!);
    if (sym === 16) w.bits(rle[i + 1]!, 2);
    else if (sym === 17) w.bits(rle[i + 1]!, 3);
    else if (sym === 18) w.bits(rle[i + 1]!, 7);
  }
  return w.segment();
}
