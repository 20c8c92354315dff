/** Bits kept to be written again: whole 16-bit words, the last one holding what remains of `bits`. */
export interface Segment {
  readonly words: Uint16Array;
  readonly bits: number;
}

/**
 * Bits written least significant first into bytes, as deflate (RFC 1951)
 * packs them. The buffer grows when a write would not fit.
 */
export class BitWriter {
  /** The bytes written so far are `buf[0, at)`. */
  buf: Uint8Array;
  at = 0;
  /** Bits not yet stored, the oldest lowest, and how many (at most 31 between calls). */
  private acc = 0;
  private n = 0;

  constructor(size: number) {
    this.buf = new Uint8Array(Math.max(64, size));
  }

  /** Writes the `len` (0-16) low bits of `value`. */
  bits(value: number, len: number): void {
    this.acc |= value << this.n;
    this.n += len;
    if (this.n >= 16) {
      if (this.at + 2 > this.buf.length) this.grow(2);
      this.buf[this.at++] = this.acc & 255;
      this.buf[this.at++] = (this.acc >>> 8) & 255;
      this.acc >>>= 16;
      this.n -= 16;
    }
  }

  /** Writes a segment's bits. */
  append(seg: Segment): void {
    this.words(seg.words, 0, seg.bits);
  }

  /** Writes `bits` bits kept as 16-bit words from `words[from]` on. */
  words(words: Uint16Array, from: number, bits: number): void {
    const full = bits >>> 4;
    if (this.at + 2 * full + 4 > this.buf.length) this.grow(2 * full + 4);
    // Fewer than 16 bits are pending between calls, so each whole word completes two bytes: kept in locals, the loop does only that.
    const buf = this.buf;
    let acc = this.acc;
    let at = this.at;
    const n = this.n;
    for (let k = from; k < from + full; k++) {
      acc |= words[k]! << n;
      buf[at] = acc & 255;
      buf[at + 1] = (acc >>> 8) & 255;
      at += 2;
      acc >>>= 16;
    }
    this.acc = acc;
    this.at = at;
    const rest = bits & 15;
    if (rest > 0) this.bits(words[from + full]!, rest);
  }

  /** Writes the bytes `from[start, end)` each as its code (`codes[b]`, `lengths[b]` bits). */
  codes(from: Uint8Array, start: number, end: number, codes: Uint16Array, lengths: Uint8Array): void {
    if (this.at + 2 * (end - start) + 4 > this.buf.length) this.grow(2 * (end - start) + 4);
    const buf = this.buf;
    let acc = this.acc;
    let n = this.n;
    let at = this.at;
    for (let p = start; p < end; p++) {
      const b = from[p]!;
      acc |= codes[b]! << n;
      n += lengths[b]!;
      if (n >= 16) {
        buf[at] = acc & 255;
        buf[at + 1] = (acc >>> 8) & 255;
        at += 2;
        acc >>>= 16;
        n -= 16;
      }
    }
    this.acc = acc;
    this.n = n;
    this.at = at;
  }

  /** 16-bit words the bits written since the writer was empty take. */
  get words16(): number {
    return (this.at * 8 + this.n + 15) >>> 4;
  }

  /** Copies the bits written since the writer was empty into `dst` from `from` on, as segment() would hold them; how many bits. */
  wordsTo(dst: Uint16Array, from: number): number {
    for (let k = 0; 2 * k + 1 < this.at; k++) dst[from + k] = this.buf[2 * k]! | (this.buf[2 * k + 1]! << 8);
    // `at` is even here: bytes are stored in pairs, so the pending bits start a word.
    if (this.n > 0) dst[from + (this.at >>> 1)] = this.acc & 0xffff;
    return this.at * 8 + this.n;
  }

  /** The bits written since the writer was empty, as a segment (the writer is left as it was). */
  segment(): Segment {
    const words = new Uint16Array(this.words16);
    return { words, bits: this.wordsTo(words, 0) };
  }

  /** Empties the writer (its buffer is kept). */
  reset(): void {
    this.at = 0;
    this.acc = 0;
    this.n = 0;
  }

  /** Pads to a byte boundary with zero bits. */
  flush(): void {
    while (this.n > 0) {
      if (this.at + 1 > this.buf.length) this.grow(1);
      this.buf[this.at++] = this.acc & 255;
      this.acc >>>= 8;
      this.n = Math.max(0, this.n - 8);
    }
    this.acc = 0;
  }

  /** Room for `more` bytes after `at`. */
  grow(more: number): void {
    const bigger = new Uint8Array(Math.max(this.buf.length * 2, this.at + more));
    bigger.set(this.buf.subarray(0, this.at));
    this.buf = bigger;
  }
}
