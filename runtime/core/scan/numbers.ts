/**
 * Numbers of the scanner (runtime/core/scan.ts) as JavaScript numbers:
 * decimal (unsigned, signed, approximate), octal, hexadecimal, with a
 * fraction, scaled by a unit, a line of them, and the tokens that are one.
 * Exact up to 2^53, beyond it the double nearest the text (docs/numbers.md).
 */
import * as bigints from './bigints.js';
import * as chars from './chars.js';
import * as limits from './limits.js';
import { ScanStrings } from './strings.js';

// Copied into constants of this module once: an import is read through its module cell at every use (see chars.ts).
const { isSpace, hexDigit, bytesAre } = chars;
const { SP, ZERO, NINE, MINUS, PLUS } = chars.CHAR;
const { U64_MAX_DIGITS, I64_MIN_DIGITS, U64_MAX, SAFE } = limits;
const { bigOf, bigOfWord } = bigints;

/** 10^k for the fraction digits of f()'s fast path (at most 15), each exact. */
const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

export class ScanNumbers extends ScanStrings {
  /**
   * An unsigned decimal integer of at most 2^64 - 1: exact up to 2^53,
   * beyond it the double nearest the text (docs/numbers.md). Up to 15
   * digits the sum of the loop is exact; a longer number is converted once
   * from its text, correctly rounded (a sum of more digits in doubles would
   * round at each step).
   * (uLine, uList and keyedNumber write out its digit loop, and uList restTokens' count:
   * through shared methods /proc/stat parsed 2-11% slower.)
   */
  u(): number {
    const b = this.b;
    const a = this.pos;
    let p = a;
    let v = 0;
    while (p < this.le) {
      const c = b[p]!;
      if (c < ZERO || c > NINE) break;
      v = v * 10 + (c - ZERO);
      p++;
    }
    this.ts = a;
    if (p === a) this.fail('a decimal integer');
    if (p - a > 15) return this.long(a, p, U64_MAX_DIGITS);
    this.pos = p;
    return v;
  }

  /** The decimal integer b[a, p) of more than 15 digits as the nearest double, when it is at most `limit`. */
  private long(a: number, p: number, limit: string): number {
    if (!this.within(a, p, limit)) this.fail(limit === U64_MAX_DIGITS ? 'an integer below 2^64' : 'an integer of at least -2^63');
    this.pos = p;
    return Number(this.text.slice(a, p));
  }

  /**
   * True when the decimal digits b[a, p) stand for at most the number whose
   * digits are `limit` (no leading zero): exact, where a double could not
   * tell 2^64 - 1 from 2^64.
   */
  protected within(a: number, p: number, limit: string): boolean {
    const b = this.b;
    while (p - a > 1 && b[a] === ZERO) a++;
    if (p - a !== limit.length) return p - a < limit.length;
    const digits = this.text.slice(a, p);
    return digits <= limit;
  }

  /**
   * Unsigned decimal integers up to the end of the line, each after white
   * space and ending at white space or the line's end: a repeated integer
   * token (interrupt counts, a pid list) in one loop over the bytes. The
   * tokens are counted first, so the array is made once at its size (a line
   * may hold a hundred thousand). A token that is not such a number is read
   * again by u and sep, for their errors.
   */
  uList(): number[] {
    const b = this.b;
    const le = this.le;
    let n = 0;
    for (let p = this.pos, inWord = false; p < le; p++) {
      const w = !isSpace(b[p]!);
      if (w && !inWord) n++;
      inWord = w;
    }
    const out = new Array<number>(n);
    let p = this.pos;
    for (let k = 0; k < n; k++) {
      while (p < le && isSpace(b[p]!)) p++;
      const a = p;
      let v = 0;
      while (p < le) {
        const c = b[p]!;
        if (c < ZERO || c > NINE) break;
        v = v * 10 + (c - ZERO);
        p++;
      }
      this.ts = a;
      if (p === a || p - a > 15 || (p < le && !isSpace(b[p]!))) {
        this.pos = a;
        v = this.u();
        this.sep();
        p = this.pos;
      }
      out[k] = v;
    }
    while (p < le && isSpace(b[p]!)) p++;
    this.pos = p;
    return out;
  }

  /**
   * The rest of a keyed line when it is an unsigned decimal integer (after
   * white space) times `factor`, then `suffix` when it is not empty, then
   * the end of the line: the commonest value of keyed files, read in one
   * call from the parser's big dispatch function and, as printed, in one
   * pass over its bytes. Errors are those of u, scale, lit and eol. With
   * `optional` the suffix may be missing (optLit).
   */
  uLine(factor: number, suffix: string, optional = false): number {
    const b = this.b;
    const le = this.le;
    let p = this.pos;
    while (p < le && isSpace(b[p]!)) p++;
    const a = p;
    let v = 0;
    while (p < le) {
      const c = b[p]!;
      if (c < ZERO || c > NINE) break;
      v = v * 10 + (c - ZERO);
      p++;
    }
    // As the kernel prints it (digits, then one space and the suffix, then the end of the line): read in the one pass.
    const n = suffix.length;
    const bare = n === 0 || (optional && p === le);
    if (p > a && p - a <= 15 && (bare ? p === le : p + 1 + n === le && b[p] === SP && bytesAre(b, p + 1, suffix))) {
      const r = v * factor;
      if (r <= SAFE) {
        this.ts = bare ? a : p + 1;
        this.pos = le;
        return r;
      }
    }
    // Anything else (more white space, an error) is read again step by step, for the exact error.
    this.pos = a;
    const x = factor === 1 ? this.u() : this.scale(this.u(), factor);
    if (n !== 0) {
      if (optional) this.optLit(suffix);
      else this.lit(suffix);
    }
    this.eol();
    return x;
  }

  /**
   * A decimal integer of up to 20 digits as a double, for values about to be
   * divided into seconds (ticks, ns): the result is a float either way, so a
   * count beyond 2^53 is rounded to the nearest double, not refused.
   */
  approx(): number {
    const b = this.b;
    const a = this.pos;
    let p = a;
    const c0 = p < this.le ? b[p]! : -1;
    if (c0 === MINUS || c0 === PLUS) p++;
    const d = p;
    let v = 0;
    while (p < this.le) {
      const c = b[p]!;
      if (c < ZERO || c > NINE) break;
      v = v * 10 + (c - ZERO);
      p++;
    }
    this.ts = a;
    if (p === d) this.fail('a decimal integer');
    if (p - d > 20) this.fail('an integer below 2^64');
    this.pos = p;
    // Up to 15 digits the sum is exact; longer numbers are converted once from the text (correctly rounded).
    if (p - d <= 15) return c0 === MINUS ? -v : v;
    return Number(this.text.slice(a, p));
  }

  /** Like approx, without a sign. */
  approxUnsigned(): number {
    const c = this.pos < this.le ? this.b[this.pos] : -1;
    if (c === MINUS || c === PLUS) {
      this.ts = this.pos;
      this.fail('an unsigned decimal integer');
    }
    return this.approx();
  }

  /** A decimal integer with an optional sign, from -2^63 to 2^64 - 1: exact within ±2^53, else the nearest double. */
  i(): number {
    const c = this.pos < this.le ? this.b[this.pos] : -1;
    if (c === MINUS || c === PLUS) {
      const a = this.pos;
      this.pos++;
      const d = this.pos;
      const v = this.u();
      if (c === MINUS && this.pos - d > 15 && !this.within(d, this.pos, I64_MIN_DIGITS)) {
        this.ts = a;
        this.fail('an integer of at least -2^63');
      }
      this.ts = a;
      return c === MINUS ? -v : v;
    }
    return this.u();
  }

  /**
   * A decimal number with optional fraction and exponent. The usual form
   * (`0.52`, `-3.25`: a sign, at most 15 digits, one point) is read from the
   * bytes as digits / 10^k: both exact, so the one division rounds the exact
   * quotient, which is the double Number() gives (Clinger's fast path);
   * anything else is converted from its text.
   */
  f(): number {
    const b = this.b;
    const a = this.pos;
    let p = a;
    const c0 = p < this.le ? b[p]! : -1;
    if (c0 === MINUS || c0 === PLUS) p++;
    let m = 0;
    let digits = 0;
    let point = -1;
    while (p < this.le) {
      const c = b[p]!;
      if (c >= ZERO && c <= NINE) {
        m = m * 10 + (c - ZERO);
        digits++;
      } else if (c === 46 && point < 0) point = p;
      else break;
      p++;
    }
    const end = p;
    while (p < this.le) {
      const c = b[p]!;
      if ((c >= ZERO && c <= NINE) || c === 46 || c === MINUS || c === PLUS || c === 101 || c === 69) p++;
      else break;
    }
    this.ts = a;
    if (p === end && digits > 0 && digits <= 15) {
      const x = point < 0 ? m : m / POW10[end - point - 1]!;
      this.pos = p;
      return c0 === MINUS ? -x : x;
    }
    const v = p === a ? Number.NaN : Number(this.text.slice(a, p));
    if (!Number.isFinite(v)) this.fail('a decimal number');
    this.pos = p;
    return v;
  }

  /**
   * A count times a unit size (bytes per kB, page or sector): exact while
   * the product is below 2^53, else the double nearest it (the factors of
   * kB, sectors and pages are powers of two: the product of a double by
   * them is exact).
   */
  scale(v: number, factor: number): number {
    return v * factor;
  }

  /** A token that is an unsigned decimal integer (u(), after white space, before a boundary). */
  tokU(): number {
    this.ws();
    const v = this.u();
    this.sep();
    return v;
  }

  /** A token that is a signed decimal integer (i()). */
  tokI(): number {
    this.ws();
    const v = this.i();
    this.sep();
    return v;
  }

  /** A token read with approx() (a count about to become seconds). */
  tokApprox(): number {
    this.ws();
    const v = this.approx();
    this.sep();
    return v;
  }

  /** A token read with approxUnsigned(). */
  tokApproxUnsigned(): number {
    this.ws();
    const v = this.approxUnsigned();
    this.sep();
    return v;
  }

  /** An unsigned octal integer (open flags, modes: `02004002`) of at most 2^64 - 1: exact below 2^53, else the nearest double. */
  octNum(): number {
    const b = this.b;
    const a = this.pos;
    let p = a;
    let v = 0;
    while (p < this.le) {
      const c = b[p]!;
      if (c < ZERO || c > 55) break;
      v = v * 8 + (c - ZERO);
      p++;
    }
    this.ts = a;
    if (p === a) this.fail('an octal integer');
    this.pos = p;
    // Beyond 2^53 the sum may be rounded: convert the digits at once.
    return v > SAFE ? Number(this.octBig(a, p)) : v;
  }

  /** The octal digits b[a, p) as a bigint, at most 2^64 - 1. */
  protected octBig(a: number, p: number): bigint {
    const x = BigInt(`0o${this.text.slice(a, p)}`);
    if (x > U64_MAX) {
      this.ts = a;
      this.fail('an octal integer below 2^64');
    }
    return x;
  }

  /** Index after an optional `0x` or `0X` at p (before `le`). */
  private hexStart(p: number): number {
    const b = this.b;
    return p + 1 < this.le && b[p] === ZERO && (b[p + 1] === 120 || b[p + 1] === 88) ? p + 2 : p;
  }

  /** An unsigned hexadecimal integer (optional 0x) of at most 16 digits: exact below 2^53, else the nearest double. */
  hexNum(): number {
    const b = this.b;
    const a = this.pos;
    let p = this.hexStart(a);
    const d = p;
    let n = 0;
    while (p < this.le) {
      const h = hexDigit(b[p]!);
      if (h < 0) break;
      n = n * 16 + h;
      p++;
    }
    if (p - d > 13) {
      // Beyond 13 digits (52 bits) the sum may be rounded: the exact value, rounded once (Number of a bigint is the nearest double).
      return Number(this.hex64());
    }
    this.ts = a;
    if (p === d) this.fail('a hexadecimal integer');
    this.pos = p;
    return n;
  }

  /** An unsigned hexadecimal 64-bit integer (optional 0x) as a bigint. */
  hex64(): bigint {
    const b = this.b;
    const a = this.pos;
    let p = this.hexStart(a);
    const d = p;
    while (p < this.le && hexDigit(b[p]!) >= 0) p++;
    this.ts = a;
    if (p === d) this.fail('a hexadecimal integer');
    if (p - d > 16) this.fail('a hexadecimal integer below 2^64');
    this.pos = p;
    if (p - d <= 13) {
      let n = 0;
      for (let i = d; i < p; i++) n = n * 16 + hexDigit(b[i]!);
      return bigOf(n);
    }
    // Two exact halves of at most 8 digits each (32 bits), read as one 64-bit word: one bigint made, no text parsed.
    let hi = 0;
    let lo = 0;
    const m = p - 8;
    for (let i = d; i < m; i++) hi = hi * 16 + hexDigit(b[i]!);
    for (let i = m; i < p; i++) lo = lo * 16 + hexDigit(b[i]!);
    return bigOfWord(hi, lo);
  }
}
