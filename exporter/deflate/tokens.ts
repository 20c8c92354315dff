/**
 * LZ77 tokens of a body made mostly of constant pieces (exposition.ts's
 * heads and line starts). A piece's tokens are found once, the first time
 * it is printed, and kept with it: a match inside the piece is kept as its
 * distance; a match into an earlier piece as that piece and the offset in
 * it, its distance worked out in each body from where both landed (a piece
 * not printed in this body, or too far back, gives literals instead). The
 * bytes between pieces (values) are literals. A body with a piece not seen
 * before is matched against the pieces before it through hash chains, as
 * zlib does; a body of known pieces only looks its tokens up.
 */
import type { Piece, PieceLog } from '../exposition.js';
import { BitWriter, type Segment } from './bits.js';
import { type Codes, match, type SymbolCounts } from './block.js';

/** Deflate's window: the farthest back a match may reach. */
export const WINDOW = 32768;
/** zlib's TOO_FAR: a 3-byte match farther than this costs more than three literals. */
const FAR_FOR_THREE = 4096;
/** Candidates tried per position when matching a new piece. */
const CHAIN = 48;
const MAX_MATCH = 258;
const HASH_BITS = 15;
/** Bodies a piece may go unprinted before matches into it are dropped for good (so old pieces can be collected). */
const STALE_BODIES = 4;

/** A token triple's kinds besides an index into `refs`. */
export const SELF = -1;
export const LITERALS = -2;
const EMPTY = new Int32Array(0);

/** A piece and its tokens. */
export interface PieceCode {
  readonly bytes: Buffer;
  /** Triples of length, kind (SELF: `off` is the distance; LITERALS: `off` is where in the piece; else an index into `refs`), offset. */
  toks: Int32Array | undefined;
  readonly refs: (PieceCode | undefined)[];
  /** Per triple, the distance a match into another piece had when last placed (0: written as literals). */
  resolved: Int32Array;
  /** The body it was last placed in, where, and its index in that body's log. */
  stamp: number;
  pos: number;
  idx: number;
  /** Its bits as last written, and the generation of codes they were written with. */
  bits: Segment | undefined;
  gen: number;
}

/** Finds the tokens of bodies, keeping what it learnt of the pieces between them. */
export class BodyTokens {
  /** Where this finder keeps a piece's tokens in `Piece.kept` (one per format: a line start's neighbours differ between them). */
  private readonly slot: number;
  /** The tokens of the last body found with `tokens`: `tokens[0, count)`. */
  tokens = new Uint32Array(1 << 16);
  count = 0;
  private stamp = 0;
  /** The pieces of the last body started, in log order. */
  readonly codes: PieceCode[] = [];
  private head = new Int32Array(1 << HASH_BITS);
  private prev = new Int32Array(WINDOW);
  /** The log index of the piece each body position belongs to (valid for positions put in the hash chains). */
  private owner = new Int32Array(0);
  /** The work of the last body: bytes of new pieces matched through the hash chains, pieces written from kept bits, pieces whose bits were made again. */
  readonly work = { matchedBytes: 0, keptPieces: 0, encodedPieces: 0 };
  /** Where a piece's bits are written before they are kept. */
  private readonly scratch = new BitWriter(1024);

  constructor(slot: number) {
    this.slot = slot;
  }

  /** Starts a body: looks up its pieces; whether one of them is new (then only `tokens` may write it). */
  start(log: PieceLog): boolean {
    this.stamp++;
    this.work.matchedBytes = 0;
    this.work.keptPieces = 0;
    this.work.encodedPieces = 0;
    const codes = this.codes;
    codes.length = log.count;
    let missing = false;
    for (let i = 0; i < log.count; i++) {
      const piece: Piece = log.pieces[i]!;
      let c = piece.kept[this.slot] as PieceCode | undefined;
      if (c === undefined) {
        c = { bytes: piece.bytes, toks: undefined, refs: [], resolved: EMPTY, stamp: 0, pos: 0, idx: -1, bits: undefined, gen: -1 };
        piece.kept[this.slot] = c;
      }
      if (c.toks === undefined) missing = true;
      codes[i] = c;
    }
    return missing;
  }

  /** The tokens of a started body into `tokens`, their symbols counted into `counts`; new pieces are matched (slow: every byte of a piece is hashed). */
  find(body: Uint8Array, log: PieceLog, counts: SymbolCounts, missing: boolean): void {
    if (this.tokens.length < body.length + 1) this.tokens = new Uint32Array(body.length + 1);
    if (missing) {
      this.head.fill(-1);
      if (this.owner.length < body.length) this.owner = new Int32Array(body.length);
    }
    this.count = 0;
    let at = 0;
    for (let i = 0; i < log.count; i++) {
      const c = this.codes[i]!;
      const start = log.at[i]!;
      this.literals(body, at, start, counts);
      if (c.toks === undefined) {
        c.toks = this.match(body, log, i, start, start + c.bytes.length);
        c.resolved = new Int32Array(c.toks.length / 3);
      } else if (missing) this.insert(body, i, start, start + c.bytes.length);
      this.place(c, i, start);
      this.emit(c, counts);
      at = start + c.bytes.length;
    }
    this.literals(body, at, body.length, counts);
  }

  /**
   * Writes a started body with no new piece as `codes` (generation `gen`)
   * give it: a piece whose matches landed at the same distances as last
   * time is written from its kept bits; values are written as literals.
   */
  write(body: Uint8Array, log: PieceLog, w: BitWriter, codes: Codes, gen: number): void {
    let at = 0;
    for (let i = 0; i < log.count; i++) {
      const c = this.codes[i]!;
      const start = log.at[i]!;
      codes.literals(w, body, at, start);
      const same = this.place(c, i, start) && c.gen === gen && c.bits !== undefined;
      if (!same) {
        const s = this.scratch;
        s.reset();
        this.encode(s, c, codes);
        c.bits = s.segment();
        c.gen = gen;
        this.work.encodedPieces++;
      } else this.work.keptPieces++;
      w.append(c.bits!);
      at = start + c.bytes.length;
    }
    codes.literals(w, body, at, body.length);
  }

  /** Places a piece (log entry `i`) at `start` of this body and works out its matches into other pieces; whether they are as last time. */
  private place(c: PieceCode, i: number, start: number): boolean {
    c.stamp = this.stamp;
    c.pos = start;
    c.idx = i;
    const toks = c.toks!;
    const res = c.resolved;
    let same = true;
    let p = start;
    for (let k = 0; k < toks.length; k += 3) {
      const len = toks[k]!;
      const kind = toks[k + 1]!;
      if (kind >= 0) {
        const ref = c.refs[kind];
        const src = ref === undefined ? -1 : ref.pos + toks[k + 2]!;
        // A piece printed twice in a body is placed at its second place already: a match into it there is not before this one.
        const d = ref !== undefined && ref.stamp === this.stamp && src + len <= start && p - src <= WINDOW ? p - src : 0;
        if (d === 0 && (ref === undefined || this.stamp - ref.stamp >= STALE_BODIES)) {
          toks[k + 1] = LITERALS;
          toks[k + 2] = p - start;
          c.refs[kind] = undefined;
        }
        if (res[k / 3] !== d) {
          res[k / 3] = d;
          same = false;
        }
      }
      p += len;
    }
    return same;
  }

  /** A placed piece's tokens into `tokens`. */
  private emit(c: PieceCode, counts: SymbolCounts): void {
    const toks = c.toks!;
    let p = 0;
    for (let k = 0; k < toks.length; k += 3) {
      const len = toks[k]!;
      const kind = toks[k + 1]!;
      const d = kind === SELF ? toks[k + 2]! : kind === LITERALS ? 0 : c.resolved[k / 3]!;
      if (d > 0) {
        this.tokens[this.count++] = match(len, d);
        counts.countMatch(len, d);
      } else this.literals(c.bytes, p, p + len, counts);
      p += len;
    }
  }

  /** A placed piece's bits. */
  private encode(w: BitWriter, c: PieceCode, codes: Codes): void {
    const toks = c.toks!;
    let p = 0;
    for (let k = 0; k < toks.length; k += 3) {
      const len = toks[k]!;
      const kind = toks[k + 1]!;
      const d = kind === SELF ? toks[k + 2]! : kind === LITERALS ? 0 : c.resolved[k / 3]!;
      if (d > 0) codes.match(w, len, d);
      else codes.literals(w, c.bytes, p, p + len);
      p += len;
    }
  }

  private literals(from: Uint8Array, start: number, end: number, counts: SymbolCounts): void {
    const t = this.tokens;
    let n = this.count;
    const lit = counts.litlen;
    for (let p = start; p < end; p++) {
      const b = from[p]!;
      t[n++] = b;
      lit[b]!++;
    }
    this.count = n;
  }

  private hash(body: Uint8Array, p: number): number {
    return (((body[p]! << 16) | (body[p + 1]! << 8) | body[p + 2]!) * 2654435761) >>> (32 - HASH_BITS);
  }

  /** Puts the positions of a piece (log entry `i`, at `[start, end)`) into the hash chains. */
  private insert(body: Uint8Array, i: number, start: number, end: number): void {
    const last = Math.min(end, body.length - 2);
    for (let p = start; p < last; p++) {
      const h = this.hash(body, p);
      this.prev[p & (WINDOW - 1)] = this.head[h]!;
      this.head[h] = p;
      this.owner[p] = i;
    }
  }

  /** Tokens of a new piece (log entry `i`, at `[start, end)`) matched against itself and the pieces before it. */
  private match(body: Uint8Array, log: PieceLog, i: number, start: number, end: number): Int32Array {
    const c = this.codes[i]!;
    this.work.matchedBytes += end - start;
    const out: number[] = [];
    let litFrom = -1;
    let p = start;
    while (p < end) {
      let best = 0;
      let bestSrc = 0;
      if (end - p >= 3 && p + 2 < body.length) {
        let cand = this.head[this.hash(body, p)]!;
        for (let tries = CHAIN; cand >= 0 && cand < p && p - cand <= WINDOW && tries > 0; tries--) {
          const o = this.owner[cand]!;
          // Within its own piece a match may run on into the bytes it repeats; into another, it stops at that piece's end.
          const limit = Math.min(end - p, MAX_MATCH, o === i ? end - p : log.at[o]! + log.pieces[o]!.bytes.length - cand);
          if (limit > best && body[cand + best] === body[p + best]) {
            let l = 0;
            while (l < limit && body[cand + l] === body[p + l]) l++;
            if (l > best && (l > 3 || p - cand <= FAR_FOR_THREE)) {
              best = l;
              bestSrc = cand;
              if (l === limit) break;
            }
          }
          const next = this.prev[cand & (WINDOW - 1)]!;
          if (next >= cand) break;
          cand = next;
        }
      }
      if (best >= 3) {
        if (litFrom >= 0) out.push(p - litFrom, LITERALS, litFrom - start);
        litFrom = -1;
        const o = this.owner[bestSrc]!;
        if (o === i) out.push(best, SELF, p - bestSrc);
        else {
          const ref = this.codes[o]!;
          let r = c.refs.indexOf(ref);
          if (r < 0) r = c.refs.push(ref) - 1;
          out.push(best, r, bestSrc - log.at[o]!);
        }
        this.insert(body, i, p, p + best);
        p += best;
      } else {
        if (litFrom < 0) litFrom = p;
        this.insert(body, i, p, p + 1);
        p++;
      }
    }
    if (litFrom >= 0) out.push(end - litFrom, LITERALS, litFrom - start);
    return Int32Array.from(out);
  }
}
