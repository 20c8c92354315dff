/**
 * The last body's pieces in flat arrays, so that a body printing the same
 * pieces in the same order (the usual scrape: same families, same label
 * sets, new values) is written without visiting each piece's objects: per
 * piece, the distance to each piece its matches reach into, as it was when
 * its bits were made, and those bits in one array. A piece whose distances
 * changed (a value between them printed longer or shorter) gets its bits
 * made again, from its tokens kept here in body order and its bytes where
 * the body printed them; the others are copied.
 */
import type { Piece, PieceLog } from '../exposition.js';
import { BitWriter } from './bits.js';
import type { Codes } from './block.js';
import { LITERALS, type PieceCode, SELF, WINDOW } from './tokens.js';

/** A ref index meaning: make this piece's bits again every body. */
const AGAIN = -2;

export class BodyPlan {
  /** The pieces of the body the plan was made from: a body template's runs, which are never changed. */
  private pieces: readonly Piece[] = [];
  /** Codes generation the bits were made with; -1: no plan. */
  private gen = -1;
  /** Per piece, its range in `refIdx` and `refDelta` (one entry per entry of its `refs`). */
  private refStart = new Int32Array(1);
  /** The log index of the piece a ref was placed at (-1: none this body), and how far before this piece it started. */
  private refIdx = new Int32Array(0);
  private refDelta = new Int32Array(0);
  /** Per piece, where its bits start in `flat`, how many bits, and how many words its slot holds. */
  private segStart = new Int32Array(0);
  private segBits = new Int32Array(0);
  private segCap = new Int32Array(0);
  /** Per piece, its length in bytes (kept here: the piece objects themselves are far apart in memory). */
  private lengths = new Int32Array(0);
  private flat = new Uint16Array(0);
  private flatUsed = 0;
  /**
   * Every piece's token triples (tokens.ts PieceCode.toks, as they were when
   * the plan was made), in body order: piece i's are `toks[tokStart[i],
   * tokStart[i + 1])`. A scrape at Prometheus's pace finds more pieces to
   * make again, and reaching each one's own arrays then missed the caches.
   */
  private toks = new Int32Array(0);
  private tokStart = new Int32Array(1);
  private readonly scratch = new BitWriter(1024);
  /** Pieces whose bits were made again in the last body written from the plan. */
  remade = 0;

  /** Whether the body in `log` prints the pieces the plan has, in its order, with codes of generation `gen`. */
  fits(log: PieceLog, gen: number): boolean {
    if (gen !== this.gen || log.count !== this.pieces.length) return false;
    const pieces = this.pieces;
    // The usual body: printed from the same body template, whose runs array is the plan's.
    if (log.pieces === pieces) return true;
    for (let i = 0; i < log.count; i++) if (log.pieces[i] !== pieces[i]) return false;
    return true;
  }

  /** Forgets the plan (the codes changed). */
  drop(): void {
    this.gen = -1;
  }

  /** Makes the plan from the pieces of a body just written piece by piece (tokens.ts write: every piece has its bits for `gen`). */
  build(log: PieceLog, codes: readonly PieceCode[], gen: number): void {
    const n = log.count;
    this.pieces = log.pieces.length === n ? log.pieces : log.pieces.slice(0, n);
    this.gen = gen;
    let refs = 0;
    let words = 0;
    let toks = 0;
    for (let i = 0; i < n; i++) {
      const c = codes[i]!;
      refs += c.refs.length;
      words += c.bits!.words.length;
      toks += c.toks!.length;
    }
    this.toks = new Int32Array(toks);
    this.tokStart = new Int32Array(n + 1);
    this.refStart = new Int32Array(n + 1);
    this.refIdx = new Int32Array(refs);
    this.refDelta = new Int32Array(refs);
    this.segStart = new Int32Array(n);
    this.segBits = new Int32Array(n);
    this.segCap = new Int32Array(n);
    this.lengths = Int32Array.from(this.pieces, (p) => p.bytes.length);
    // Room for pieces whose bits grow to be made again at the end.
    this.flat = new Uint16Array(words + (words >> 3) + 64);
    let r = 0;
    let f = 0;
    let t = 0;
    for (let i = 0; i < n; i++) {
      const c = codes[i]!;
      this.refStart[i] = r;
      this.tokStart[i] = t;
      this.toks.set(c.toks!, t);
      t += c.toks!.length;
      for (const ref of c.refs) {
        // A ref placed in this body has its log index; one not placed matches nothing. One placed again after this piece
        // (a piece printed twice) hides where this piece's match went: the piece is made again each body (as literals there).
        const j = ref === undefined || ref.stamp !== c.stamp ? -1 : ref.idx < i ? ref.idx : AGAIN;
        this.refIdx[r] = j;
        this.refDelta[r] = j < 0 ? 0 : log.at[i]! - log.at[j]!;
        r++;
      }
      const seg = c.bits!;
      this.flat.set(seg.words, f);
      this.segStart[i] = f;
      this.segBits[i] = seg.bits;
      this.segCap[i] = seg.words.length;
      f += seg.words.length;
    }
    this.refStart[n] = r;
    this.tokStart[n] = t;
    this.flatUsed = f;
  }

  /** Writes a body that `fits`: values as literals, each piece from its kept bits unless its distances changed. */
  write(body: Uint8Array, log: PieceLog, w: BitWriter, codes: Codes): void {
    this.remade = 0;
    const at = log.at;
    const refStart = this.refStart;
    const refIdx = this.refIdx;
    const refDelta = this.refDelta;
    let end = 0;
    for (let i = 0; i < log.count; i++) {
      const start = at[i]!;
      codes.literals(w, body, end, start);
      let same = true;
      for (let r = refStart[i]!; r < refStart[i + 1]!; r++) {
        const j = refIdx[r]!;
        if (j === AGAIN || (j >= 0 && start - at[j]! !== refDelta[r])) {
          same = false;
          if (j >= 0) refDelta[r] = start - at[j]!;
        }
      }
      if (!same) this.remake(i, body, log, codes);
      w.words(this.flat, this.segStart[i]!, this.segBits[i]!);
      end = start + this.lengths[i]!;
    }
    codes.literals(w, body, end, body.length);
  }

  /** Makes the bits of piece `i` again for where its refs landed in this body, in its slot or at the end of `flat`. */
  private remake(i: number, body: Uint8Array, log: PieceLog, codes: Codes): void {
    this.remade++;
    const toks = this.toks;
    const at = log.at;
    const start = at[i]!;
    const s = this.scratch;
    s.reset();
    let p = start;
    for (let k = this.tokStart[i]!; k < this.tokStart[i + 1]!; k += 3) {
      const len = toks[k]!;
      const kind = toks[k + 1]!;
      let d = 0;
      if (kind === SELF) d = toks[k + 2]!;
      else if (kind !== LITERALS) {
        const j = this.refIdx[this.refStart[i]! + kind]!;
        const src = j < 0 ? -1 : at[j]! + toks[k + 2]!;
        if (j >= 0 && src + len <= start && p - src <= WINDOW) d = p - src;
      }
      if (d > 0) codes.match(s, len, d);
      // The piece's own bytes, as the body printed them.
      else codes.literals(s, body, p, p + len);
      p += len;
    }
    const words = s.words16;
    if (words > this.segCap[i]!) {
      if (this.flatUsed + words > this.flat.length) {
        const bigger = new Uint16Array(2 * (this.flatUsed + words));
        bigger.set(this.flat.subarray(0, this.flatUsed));
        this.flat = bigger;
      }
      this.segStart[i] = this.flatUsed;
      this.segCap[i] = words;
      this.flatUsed += words;
    }
    this.segBits[i] = s.wordsTo(this.flat, this.segStart[i]!);
  }
}
