/**
 * Wide integers of the scanner (runtime/core/scan.ts): counters and sizes
 * that may pass 2^53, read as numbers by default and as bigints in exact
 * mode (a parse with `bigint: true`; docs/numbers.md), and the bigint
 * readers of exact mode.
 */
import * as bigints from './bigints.js';
import * as chars from './chars.js';
import * as limits from './limits.js';
import { ScanNumbers } from './numbers.js';

// Copied into constants of this module once: an import is read through its module cell at every use (see chars.ts).
const { ZERO, NINE, MINUS, PLUS } = chars.CHAR;
const { I64_MIN_DIGITS, SAFE } = limits;
const { bigOf } = bigints;

export class ScanWide extends ScanNumbers {
  /** An unsigned decimal 64-bit integer as a bigint. */
  u64(): bigint {
    const b = this.b;
    const a = this.pos;
    let p = a;
    let n = 0;
    while (p < this.le) {
      const c = b[p]!;
      if (c < ZERO || c > NINE) break;
      n = n * 10 + (c - ZERO);
      p++;
    }
    this.ts = a;
    if (p === a) this.fail('a decimal integer');
    // Up to 15 digits the number is exact, and its bigint much cheaper to make than by parsing text.
    if (p - a <= 15) {
      this.pos = p;
      return bigOf(n);
    }
    const v = BigInt(this.text.slice(a, p));
    if (v > 0xffffffffffffffffn) this.fail('an integer below 2^64');
    this.pos = p;
    return v;
  }

  /** A signed decimal 64-bit integer as a bigint, from -2^63 to 2^64 - 1 (a kernel s64 or u64 printed as is). */
  i64(): bigint {
    const c = this.pos < this.le ? this.b[this.pos] : -1;
    if (c !== MINUS && c !== PLUS) return this.u64();
    const a = this.pos;
    this.pos++;
    const d = this.pos;
    const v = this.u64();
    this.ts = a;
    if (c === PLUS) return v;
    if (this.pos - d > 15 && !this.within(d, this.pos, I64_MIN_DIGITS)) this.fail('an integer of at least -2^63');
    return -v;
  }

  /** An unsigned octal integer of at most 2^64 - 1 as a bigint. */
  oct64(): bigint {
    const a = this.pos;
    const v = this.octNum();
    return v <= SAFE ? bigOf(v) : this.octBig(a, this.pos);
  }

  /** An unsigned wide integer: u(), or in exact mode u64(). */
  w(): number | bigint {
    return this.big ? this.u64() : this.u();
  }

  /** A signed wide integer: i(), or in exact mode i64(). */
  wi(): number | bigint {
    return this.big ? this.i64() : this.i();
  }

  /** A hexadecimal wide integer: hexNum(), or in exact mode hex64(). */
  wHex(): number | bigint {
    return this.big ? this.hex64() : this.hexNum();
  }

  /** An octal wide integer: octNum(), or in exact mode oct64(). */
  wOct(): number | bigint {
    return this.big ? this.oct64() : this.octNum();
  }

  /** A token that is an unsigned wide integer (w(), after white space, before a boundary). */
  tokW(): number | bigint {
    this.ws();
    const v = this.big ? this.u64() : this.u();
    this.sep();
    return v;
  }

  /** A token that is a signed wide integer (wi()). */
  tokWI(): number | bigint {
    this.ws();
    const v = this.big ? this.i64() : this.i();
    this.sep();
    return v;
  }

  /** The wide value of a number read exactly by keyedNumber (at most 2^53): itself, or in exact mode its bigint. */
  wide(v: number): number | bigint {
    return this.big ? bigOf(v) : v;
  }

  /** scale() of a wide value: a bigint is multiplied exactly. */
  scaleW(v: number | bigint, factor: number): number | bigint {
    return typeof v === 'bigint' ? v * BigInt(factor) : v * factor;
  }

  /** uList() of wide integers: in exact mode each a bigint. */
  wList(): Array<number | bigint> {
    if (!this.big) return this.uList();
    const out: bigint[] = [];
    while (this.more()) {
      out.push(this.u64());
      this.sep();
    }
    return out;
  }

  /** uLine() of a wide integer: in exact mode the value is a bigint, scaled exactly. */
  uLineW(factor: number, suffix: string, optional = false): number | bigint {
    if (!this.big) return this.uLine(factor, suffix, optional);
    this.ws();
    const v = this.u64();
    const x = factor === 1 ? v : v * BigInt(factor);
    if (suffix.length !== 0) {
      if (optional) this.optLit(suffix);
      else this.lit(suffix);
    }
    this.eol();
    return x;
  }
}
