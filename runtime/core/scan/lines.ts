/**
 * Lines and items of the scanner (runtime/core/scan.ts): moving from one to
 * the next, marking and coming back, whole lines, and where a block of
 * lines ends.
 */
import * as chars from './chars.js';
import * as limits from './limits.js';
import { ScanFailures } from './failures.js';

// Copied into constants of this module once: an import is read through its module cell at every use (see chars.ts).
const { isSpace, hexDigit, codeOf, findIn, startsAt } = chars;
const { NL, ZERO, NINE } = chars.CHAR;
const { LIST_ROOM } = limits;

/**
 * The longest text whose items itemsLeft counts. Counting is a search per
 * item, done again by nextItem; past a few items the array grown by push
 * costs less (an environ of 1,118 bytes and 27 variables parsed in 1,033 ns
 * against 1,374 ns counted), while a short command line still gets an array
 * of its length, not push's 17 slots.
 */
const SHORT_ITEMS_TEXT = 256;

/** True when b[a, e) begins with digits of `cls` followed by the byte `terminator`. */
export function looksLike(b: Uint8Array, a: number, e: number, cls: 'dec' | 'hex', terminator: number): boolean {
  let i = a;
  if (cls === 'hex' && i + 1 < e && b[i] === ZERO && b[i + 1] === 120) i += 2;
  const d = i;
  while (i < e && (cls === 'hex' ? hexDigit(b[i]!) >= 0 : b[i]! >= ZERO && b[i]! <= NINE)) i++;
  return i > d && i < e && b[i] === terminator;
}

export class ScanLines extends ScanFailures {
  /** Moves to the next line before `end`; false when there is none. */
  nextLine(end: number): boolean {
    if (this.nl >= end) return false;
    const ls = this.nl;
    const e = this.lineEnd(ls, end);
    this.ls = ls;
    this.le = e;
    this.nl = e < this.end ? e + 1 : e;
    if (this.nl > end) this.nl = end;
    this.line++;
    this.pos = ls;
    this.ts = ls;
    return true;
  }

  /**
   * Moves to the next item before `end`, items ending at `sep` instead of a
   * newline (NUL for cmdline and environ); false when there is none. Errors
   * count items as lines.
   */
  nextItem(end: number, sep: string): boolean {
    if (this.nl >= end) return false;
    this.ls = this.nl;
    let e = findIn(this.text, sep, this.ls, end);
    if (e < 0) e = end;
    this.le = e;
    this.nl = e < end ? e + 1 : e;
    this.line++;
    this.pos = this.ls;
    this.ts = this.ls;
    return true;
  }

  /**
   * How many items nextItem(end, sep) has left to give, at most LIST_ROOM (a
   * generated parser makes its array at this length), or 0 past
   * SHORT_ITEMS_TEXT bytes, where the array grows by push.
   */
  itemsLeft(end: number, sep: string): number {
    if (end - this.nl > SHORT_ITEMS_TEXT) return 0;
    const t = this.text;
    let n = 0;
    for (let i = this.nl; i < end && n < LIST_ROOM; n++) {
      const e = findIn(t, sep, i, end);
      if (e < 0) return n + 1;
      i = e + 1;
    }
    return n;
  }

  /** The current item or line as it is, white space included. */
  whole(): string {
    this.pos = this.le;
    return this.str(this.ls, this.le);
  }

  /**
   * Index of the first `sep` in the current item, or -1, with the cursor
   * moved to the item's end: the parser cuts out the parts, str(ls, k) and
   * str(k + 1, le), itself (a `name=value` item of environ).
   */
  itemSep(sep: string): number {
    this.pos = this.le;
    const ls = this.ls;
    if (sep.length !== 1) return findIn(this.text, sep, ls, this.le);
    const code = sep.charCodeAt(0);
    let at = this.sepAt;
    if (code !== this.sepCode || ls < this.sepFrom || at < ls) {
      // indexOf over the rest of the text rather than a slice of the item: the next search starts past what this one finds.
      at = this.text.indexOf(sep, ls);
      if (at < 0) at = this.text.length;
      this.sepCode = code;
      this.sepFrom = ls;
      this.sepAt = at;
    }
    return at < this.le ? at : -1;
  }

  /** The cursor state, to try one reading of the text and come back for another. */
  mark(): number[] {
    return [this.ls, this.le, this.nl, this.line, this.pos, this.ts];
  }

  /** Returns to a state from mark(). */
  reset(m: number[]): void {
    [this.ls, this.le, this.nl, this.line, this.pos, this.ts] = m as [number, number, number, number, number, number];
  }

  /** Steps back so that the current line is read again by nextLine. */
  again(): void {
    this.nl = this.ls;
    this.line--;
  }

  /** Treats the whole text, less one final newline, as a single line. */
  wholeLine(): void {
    this.wholeText();
    const n = this.end;
    this.le = n > 0 && this.b[n - 1] === NL ? n - 1 : n;
  }

  /** Treats the whole text, newlines included, as a single line (a link's target, which readlink gives with no newline added). */
  wholeText(): void {
    const n = this.end;
    this.ls = 0;
    this.le = n;
    this.nl = n;
    this.line = 1;
    this.pos = 0;
    this.ts = 0;
  }

  /**
   * True when the current line begins with a number of class `cls` (decimal
   * or hex digits, hex with an optional 0x) directly followed by `terminator`: how a header line is
   * told from the body lines of a block (smaps' `7f01-7f02 r-xp ...`).
   */
  lineLike(cls: 'dec' | 'hex', terminator: string): boolean {
    return looksLike(this.b, this.ls, this.le, cls, codeOf(terminator));
  }

  /** Index of the next line (after the current one) that lineLike accepts, or `end`. */
  blockEndLike(end: number, cls: 'dec' | 'hex', terminator: string): number {
    const b = this.b;
    const term = codeOf(terminator);
    let i = this.nl;
    while (i < end) {
      const n = this.lineEnd(i, end);
      if (looksLike(b, i, n, cls, term)) return i;
      i = n + 1;
    }
    return end;
  }

  /** True when the current line holds only white space. */
  blank(): boolean {
    const b = this.b;
    for (let i = this.ls; i < this.le; i++) if (!isSpace(b[i]!)) return false;
    return true;
  }

  /** The current line without leading and trailing white space. */
  trimmedLine(): string {
    let a = this.ls;
    let e = this.le;
    const b = this.b;
    while (a < e && isSpace(b[a]!)) a++;
    while (e > a && isSpace(b[e - 1]!)) e--;
    return this.str(a, e);
  }

  /** True when the current line, after leading white space, starts with `prefix`. */
  lineStartsWith(prefix: string): boolean {
    const b = this.b;
    let a = this.ls;
    while (a < this.le && isSpace(b[a]!)) a++;
    return startsAt(this.text, a, this.le, prefix);
  }

  /** Index where the block that starts on the current line ends: the next blank line, or `end`. */
  blockEndBlank(end: number): number {
    const b = this.b;
    let i = this.nl;
    while (i < end) {
      let j = i;
      while (j < end && isSpace(b[j]!)) j++;
      if (j >= end || b[j] === NL) return i;
      i = this.lineEnd(j, end) + 1;
    }
    return end;
  }

  /** Index of the next line (after the current one) that starts with `prefix`, or `end`. */
  blockEndStart(end: number, prefix: string): number {
    const b = this.b;
    let i = this.nl;
    while (i < end) {
      let j = i;
      while (j < end && isSpace(b[j]!)) j++;
      if (startsAt(this.text, j, end, prefix)) return i;
      i = this.lineEnd(j, end) + 1;
    }
    return end;
  }
}
