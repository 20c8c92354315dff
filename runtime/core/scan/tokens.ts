/**
 * Tokens of the scanner (runtime/core/scan.ts): white space, literals,
 * words, the end of the line, the rest of a line, and the fields a pick
 * reads or steps over.
 */
import { ProcfsError } from '../errors.js';
import * as chars from './chars.js';
import * as limits from './limits.js';
import { ScanLines } from './lines.js';

// Copied into constants of this module once: an import is read through its module cell at every use (see chars.ts).
const { isSpace, codeOf, startsAt, bytesAre } = chars;
const { LIST_ROOM } = limits;

/**
 * The longest rest of a line whose tokens Scan.listRoom counts (smaps'
 * VmFlags): the tokens of a longer one (cpuinfo's flags, a thousand
 * characters) cost more to count than the array grown by push costs.
 */
const SHORT_LIST_LINE = 256;

/** What pick() calls read (see Scan.want), per spec (its field index) and fields array. */
const WANT_CACHE = new WeakMap<ReadonlyMap<string, number>, WeakMap<readonly string[], Int32Array>>();

export class ScanTokens extends ScanLines {
  /** Skips spaces and tabs. */
  ws(): void {
    const b = this.b;
    let p = this.pos;
    while (p < this.le && isSpace(b[p]!)) p++;
    this.pos = p;
  }

  /** Skips white space; true when the line has more text. */
  more(): boolean {
    this.ws();
    return this.pos < this.le;
  }

  /** Requires the end of the line (after white space). */
  eol(): void {
    this.ws();
    if (this.pos < this.le) {
      this.ts = this.pos;
      this.fail('end of line');
    }
  }

  /** Requires a token boundary: white space or the end of the line. */
  sep(): void {
    if (this.pos < this.le && !isSpace(this.b[this.pos]!)) {
      this.ts = this.pos;
      this.fail('white space');
    }
  }

  /** Requires `s` at the cursor (after white space) and steps over it. */
  lit(s: string): void {
    this.ws();
    this.ts = this.pos;
    if (!startsAt(this.text, this.pos, this.le, s)) this.fail(JSON.stringify(s));
    this.pos += s.length;
  }

  /**
   * Steps over the word `s` (after white space) when it is there, ending at
   * white space or the end of the line; else leaves the cursor as it was: a
   * unit some kernels print after a number and others leave out.
   */
  optLit(s: string): void {
    const a = this.pos;
    this.ws();
    const e = this.pos + s.length;
    if (startsAt(this.text, this.pos, this.le, s) && (e === this.le || isSpace(this.b[e]!))) {
      this.ts = this.pos;
      this.pos = e;
    } else this.pos = a;
  }

  /**
   * Steps over the character `c` right at the cursor or else requires the end
   * of the line (after white space): a terminator printed only when more
   * tokens follow.
   */
  charOrEnd(c: string): void {
    if (this.pos < this.le && this.b[this.pos] === codeOf(c)) {
      this.pos++;
      return;
    }
    const a = this.pos;
    this.ws();
    if (this.pos < this.le) {
      this.ts = a;
      this.fail(`${JSON.stringify(c)} or the end of the line`);
    }
  }

  /** Requires the character `c` right at the cursor and steps over it. */
  char(c: string): void {
    this.ts = this.pos;
    if (this.pos >= this.le || this.b[this.pos] !== codeOf(c)) this.fail(JSON.stringify(c));
    this.pos++;
  }

  /** True when the cursor is at `c` (no white space skipped). */
  at(c: string): boolean {
    return this.pos < this.le && this.b[this.pos] === codeOf(c);
  }

  /** True when the text at the cursor begins with `t` (a `startsWith` token: nothing is consumed). */
  atText(t: string): boolean {
    if (this.pos + t.length > this.le) return false;
    for (let i = 0; i < t.length; i++) if (this.b[this.pos + i] !== t.charCodeAt(i)) return false;
    return true;
  }

  /** A token up to white space or the end of the line. */
  word(): string {
    const b = this.b;
    const a = this.pos;
    let p = a;
    while (p < this.le && !isSpace(b[p]!)) p++;
    this.ts = a;
    if (p === a) this.fail('a word');
    this.pos = p;
    return this.str(a, p);
  }

  /** A word that also ends at the character `c` (not consumed): an item of a `c`-separated list. */
  wordTo(c: string): string {
    const w = this.wordBefore(c, c);
    if (w === '') this.fail('a word');
    return w;
  }

  /** A word that ends at white space or at either of two characters (not consumed); it may be empty. */
  wordBefore(a1: string, a2: string): string {
    const b = this.b;
    const a = this.pos;
    const c1 = codeOf(a1);
    const c2 = codeOf(a2);
    let p = a;
    while (p < this.le) {
      const x = b[p]!;
      if (x === c1 || x === c2 || isSpace(x)) break;
      p++;
    }
    this.ts = a;
    this.pos = p;
    return this.str(a, p);
  }

  /**
   * True when the token at the cursor (up to white space or the end of the
   * line) is exactly the ASCII text `t`, compared byte by byte: peek() ===
   * t without making the string (a sentinel such as `-1`). The cursor stays.
   */
  atWord(t: string): boolean {
    const e = this.pos + t.length;
    if (e > this.le || (e < this.le && !isSpace(this.b[e]!))) return false;
    return bytesAre(this.b, this.pos, t);
  }

  /** The token at the cursor, without moving (empty at the end of the line). */
  peek(): string {
    const b = this.b;
    let p = this.pos;
    while (p < this.le && !isSpace(b[p]!)) p++;
    return this.str(this.pos, p);
  }

  /** The text of the token read last (from `ts` to the cursor). */
  lastToken(): string {
    return this.str(this.ts, this.pos);
  }

  /** The rest of the line exactly as printed, white space included. */
  restVerbatim(): string {
    const s = this.str(this.pos, this.le);
    this.pos = this.le;
    return s;
  }

  /**
   * Steps over one white-space character: the separator before a verbatim
   * value, whose own leading spaces are kept. At the start of a line there
   * is no separator, and nothing is stepped over.
   */
  oneSpace(): void {
    if (this.pos > this.ls && this.pos < this.le && isSpace(this.b[this.pos]!)) this.pos++;
  }

  /** The rest of the line, without surrounding white space (may be empty). */
  rest(): string {
    this.ws();
    const b = this.b;
    let e = this.le;
    while (e > this.pos && isSpace(b[e - 1]!)) e--;
    const s = this.str(this.pos, e);
    this.pos = this.le;
    return s;
  }

  /** Every remaining token, for text the spec does not describe. */
  restTokens(): string[] {
    // Counted first, so the array is made once at its size (a line may hold a hundred thousand tokens).
    const n = this.tokensLeft();
    const out = new Array<string>(n);
    for (let i = 0; i < n; i++) {
      this.ws();
      out[i] = this.word();
    }
    this.ws();
    return out;
  }

  /** The number of tokens from the cursor to the end of the line. */
  tokensLeft(): number {
    const b = this.b;
    let n = 0;
    for (let p = this.pos, inWord = false; p < this.le; p++) {
      const w = !isSpace(b[p]!);
      if (w && !inWord) n++;
      inWord = w;
    }
    return n;
  }

  /**
   * The room to make for a list read from the cursor: the items of one
   * token separated by the byte `sep` (mountinfo's `rw,relatime`: 2), at
   * most LIST_ROOM, or, when `sep` is -1, the tokens left on a line whose
   * rest is at most SHORT_LIST_LINE long (0 for a longer one). A
   * generated parser makes its array at this length and fills it in place,
   * so it holds no unused slots (an array grown by push keeps room for 17
   * or more: in mountinfo's records, a third of their memory), and adds to
   * it by push when the items run on past the estimate (white space around
   * a separator).
   */
  listRoom(sep: number): number {
    if (sep < 0) return this.le - this.pos <= SHORT_LIST_LINE ? this.tokensLeft() : 0;
    const b = this.b;
    let p = this.pos;
    while (p < this.le && isSpace(b[p]!)) p++;
    if (p === this.le) return 0;
    let n = 1;
    for (; p < this.le && n < LIST_ROOM; p++) {
      const x = b[p]!;
      if (x === sep) n++;
      else if (isSpace(x)) break;
    }
    return n;
  }

  /**
   * What a pick reads, by token number (cached per fields array and spec):
   * want[i] is 1 for a field asked for; want[n + i], at the first token of
   * a run of plain tokens not asked for, is the length of the run, stepped
   * over in one skipWords call (0 elsewhere); want[2n] is the number of the
   * last token asked for, after which the pick stops reading. plain[i] is 1 for a plain
   * token (one word, always present), 2 for one that cannot continue the run
   * before it (a literal comes between), 0 for any other. An unknown name is
   * refused rather than silently ignored.
   */
  static want(fields: readonly string[], index: ReadonlyMap<string, number>, plain: readonly number[]): Int32Array {
    let bySpec = WANT_CACHE.get(index);
    if (bySpec === undefined) WANT_CACHE.set(index, (bySpec = new WeakMap()));
    let w = bySpec.get(fields);
    if (w === undefined) {
      const n = plain.length;
      w = new Int32Array(2 * n + 1);
      w[2 * n] = -1;
      for (const f of fields) {
        const i = index.get(f);
        if (i === undefined) throw new ProcfsError('not_found', `no field named ${f} to pick`);
        w[i] = 1;
        if (i > w[2 * n]!) w[2 * n] = i;
      }
      const skipped = (i: number): boolean => w![i] === 0 && plain[i] !== 0;
      for (let i = 0; i < n; i++) {
        if (!skipped(i) || (i > 0 && skipped(i - 1) && plain[i] === 1)) continue;
        let j = i + 1;
        while (j < n && skipped(j) && plain[j] === 1) j++;
        w[n + i] = j - i;
      }
      bySpec.set(fields, w);
    }
    return w;
  }

  /** Steps over `n` words, each after white space (a pick's run of fields not asked for). */
  skipWords(n: number): void {
    const b = this.b;
    const le = this.le;
    let p = this.pos;
    for (let k = 0; k < n; k++) {
      while (p < le && isSpace(b[p]!)) p++;
      const a = p;
      while (p < le && !isSpace(b[p]!)) p++;
      if (p === a) {
        this.pos = p;
        this.ts = p;
        this.fail('a word');
      }
    }
    this.pos = p;
  }
}
