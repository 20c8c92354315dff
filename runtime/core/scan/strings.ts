/**
 * Strings of the scanner (runtime/core/scan.ts) that are more than a word:
 * text up to a character or between two, quoted words, fixed-width
 * columns, and the kernel's escapes undone.
 */
import { bytesOf, utf8Text } from '../bytes.js';
import * as chars from './chars.js';
import { ScanTokens } from './tokens.js';

// Copied into constants of this module once: an import is read through its module cell at every use (see chars.ts).
const { isSpace, isOctal, codeOf, findIn, findLastIn } = chars;
const { BACKSLASH, ZERO } = chars.CHAR;

/** Bytes of the kernel's letter escapes (string_escape_mem's ESCAPE_SPACE and ESCAPE_SPECIAL). */
const C_ESCAPES: Record<string, number> = { n: 10, t: 9, r: 13, v: 11, f: 12, a: 7, e: 27, '\\': 92, '"': 34 };

export class ScanStrings extends ScanTokens {
  /**
   * word() of a field the kernel escapes (mangle(): octal \040 for a space,
   * C escapes), decoded. The backslash is looked for in the same pass over
   * the bytes, so a word without one costs what word() does (a separate
   * search of each word took a tenth of a mountinfo parse).
   */
  wordUnescaped(): string {
    return this.unescapedBefore(-1, -1, true);
  }

  /** wordTo() of an escaped field, decoded (see wordUnescaped). */
  wordToUnescaped(c: string): string {
    const code = codeOf(c);
    return this.unescapedBefore(code, code, true);
  }

  /** wordBefore() of an escaped field, decoded (see wordUnescaped). */
  wordBeforeUnescaped(a1: string, a2: string): string {
    return this.unescapedBefore(codeOf(a1), codeOf(a2), false);
  }

  /** The text up to white space, the byte c1 or c2 (-1: none), decoded when it holds a backslash; `nonEmpty`: an empty one is an error. */
  private unescapedBefore(c1: number, c2: number, nonEmpty: boolean): string {
    const b = this.b;
    const a = this.pos;
    let p = a;
    let escaped = false;
    while (p < this.le) {
      const x = b[p]!;
      if (x === c1 || x === c2 || isSpace(x)) break;
      if (x === BACKSLASH) escaped = true;
      p++;
    }
    this.ts = a;
    if (nonEmpty && p === a) this.fail('a word');
    this.pos = p;
    const w = this.str(a, p);
    return escaped ? ScanStrings.unescape(w) : w;
  }

  /**
   * A word that may begin with one of `phrases`, texts that hold white space
   * (numa_maps' `weighted interleave`, `prefer (many)`), longest first: the
   * phrase the text at the cursor begins with is taken whole, then the word
   * runs on to white space or `stop` as word()/wordTo() does, and may end
   * right after the phrase. A text that begins with no phrase is one word.
   */
  wordPhrased(phrases: readonly string[], stop?: string): string {
    const a = this.pos;
    for (const ph of phrases) {
      if (!this.atText(ph)) continue;
      this.pos += ph.length;
      const rest = stop === undefined ? this.wordBefore(' ', ' ') : this.wordBefore(stop, stop);
      this.ts = a;
      return ph + rest;
    }
    return stop === undefined ? this.word() : this.wordTo(stop);
  }

  /**
   * A word in which double-quoted runs may hold spaces, read the way the
   * kernel reads its command line (next_arg in kernel/params.c): it ends at
   * white space outside quotes, or at `stop` (not consumed); a quote that
   * opens it and one that closes it are dropped, quotes inside are kept. It
   * may be empty only when `empty` is set (`name=` with nothing after it).
   */
  quoted(stop?: string, empty = false): string {
    const b = this.b;
    const a = this.pos;
    const stopCode = stop === undefined ? -1 : codeOf(stop);
    const continued = this.quoteOpen;
    this.quoteOpen = false;
    let inQuote = continued;
    let p = a;
    while (p < this.le) {
      const c = b[p]!;
      if (c === stopCode) break;
      if (c === 34) inQuote = !inQuote;
      else if (!inQuote && isSpace(c)) break;
      p++;
    }
    this.ts = a;
    if (inQuote) {
      // `"name=value with spaces"`: the quote opened before the name closes after the value.
      if (p < this.le && b[p] === stopCode) this.quoteOpen = true;
      else this.fail('a closing double quote');
    }
    if (p === a && !empty) this.fail('a word');
    this.pos = p;
    let x = a;
    let y = p;
    const opened = x < y && b[x] === 34;
    if (opened) x++;
    if ((opened || continued) && !this.quoteOpen && y > x && b[y - 1] === 34) y--;
    return this.str(x, y);
  }

  /** until(), or with no `c` left on the line the rest of it (the terminator is printed only when more follows). */
  untilOrEnd(c: string): string {
    const a = this.pos;
    const e = findIn(this.text, c, a, this.le);
    this.ts = a;
    this.pos = e < 0 ? this.le : e + 1;
    return this.str(a, e < 0 ? this.le : e);
  }

  /** A token up to the character `c`, which is consumed; white space is allowed inside. */
  until(c: string): string {
    const a = this.pos;
    const e = findIn(this.text, c, a, this.le);
    this.ts = a;
    if (e < 0) this.fail(`text ending in ${JSON.stringify(c)}`);
    this.pos = e + 1;
    return this.str(a, e);
  }

  /**
   * The text up to the last `c` of the line, without surrounding white
   * space; `verbatim`: as printed but for the one white-space character
   * before `c` (the separator). The cursor stops at that `c`.
   */
  untilLast(c: string, verbatim = false): string {
    const b = this.b;
    const a = this.pos;
    const e = findLastIn(this.text, c, a, this.le);
    this.ts = a;
    if (e < 0) this.fail(`text followed by ${JSON.stringify(c)}`);
    this.pos = e;
    if (verbatim) return this.str(a, e > a && isSpace(b[e - 1]!) ? e - 1 : e);
    let x = a;
    let y = e;
    while (x < y && isSpace(b[x]!)) x++;
    while (y > x && isSpace(b[y - 1]!)) y--;
    return this.str(x, y);
  }

  /** The text between `open` and `close`; `closeAt` picks the first, the last or the balancing `close`. */
  enclosed(open: string, close: string, closeAt: 'first' | 'last' | 'balanced'): string {
    this.char(open);
    const b = this.b;
    const a = this.pos;
    const o = codeOf(open);
    const c = codeOf(close);
    let e = -1;
    if (closeAt === 'first') {
      e = findIn(this.text, close, a, this.le);
    } else if (closeAt === 'last') {
      e = findLastIn(this.text, close, a, this.le);
    } else {
      let depth = 1;
      for (let i = a; i < this.le; i++) {
        const ch = b[i];
        if (ch === o) depth++;
        else if (ch === c && --depth === 0) {
          e = i;
          break;
        }
      }
    }
    this.ts = a;
    if (e < 0) this.fail(`${JSON.stringify(close)} closing ${JSON.stringify(open)}`);
    this.pos = e + 1;
    return this.str(a, e);
  }

  /** A column `width` bytes wide (the kernel pads with printf widths, which count bytes), or up to the end of the line, without its padding. */
  fixed(width: number): string {
    const b = this.b;
    const a = this.pos;
    const e = Math.min(a + width, this.le);
    this.ts = a;
    let x = a;
    let y = e;
    while (x < y && isSpace(b[x]!)) x++;
    while (y > x && isSpace(b[y - 1]!)) y--;
    if (x === y) this.fail(`a column of ${width} characters`);
    this.pos = e;
    return this.str(x, y);
  }

  /**
   * Decodes the kernel's escapes: `\ooo` octal bytes (mountinfo, swaps) and
   * C-style `\n \t \\ ...` (a task's name). The escapes are undone on the
   * bytes the string stands for (bytesOf), which are then decoded as str()
   * decodes, so a byte that is not UTF-8 is kept whether it came escaped or not.
   */
  static unescape(s: string): string {
    if (s.indexOf('\\') < 0) return s;
    const raw = bytesOf(s);
    const out = Buffer.allocUnsafe(raw.length);
    let n = 0;
    for (let i = 0; i < raw.length; i++) {
      const c = raw[i]!;
      if (c === BACKSLASH && i + 1 < raw.length) {
        const d = raw[i + 1]!;
        if (d >= ZERO && d <= 55 && i + 3 < raw.length && isOctal(raw[i + 2]!) && isOctal(raw[i + 3]!)) {
          out[n++] = ((d - ZERO) * 64 + (raw[i + 2]! - ZERO) * 8 + (raw[i + 3]! - ZERO)) & 255;
          i += 3;
          continue;
        }
        const letter = C_ESCAPES[String.fromCharCode(d)];
        if (letter !== undefined) {
          out[n++] = letter;
          i += 1;
          continue;
        }
      }
      out[n++] = c;
    }
    return utf8Text(out, 0, n);
  }
}
