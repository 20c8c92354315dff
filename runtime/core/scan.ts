/**
 * The scanner under every generated parser: a cursor over lines and tokens
 * of one /proc file, with precise parse errors (file, line, column,
 * expected, found). Generated code calls these primitives in the order the
 * spec describes.
 *
 * It takes the file's bytes, as the readers hand them over (no UTF-8
 * decoding of the whole file), and keeps two views of them with the same
 * indices: the bytes, for the loops over digits and white space (a loop
 * over a byte array costs a third of one over a string's char codes in V8),
 * and a Latin-1 string, for what V8's string builtins do faster than any
 * loop (finding a newline, matching a key) and for cutting out the strings
 * a parser returns; a string with bytes beyond ASCII is decoded as UTF-8,
 * any byte that is not UTF-8 kept as a lone surrogate (runtime/core/bytes.ts).
 * Positions are byte offsets; error columns count characters.
 */
import { isAscii } from 'node:buffer';
import { bytesOf, hasEscapedBytes, utf8Text } from './bytes.js';
import { parseError, ProcfsError } from './errors.js';
import * as chars from './scan/chars.js';
import * as limits from './scan/limits.js';
import * as shortStrings from './scan/short-strings.js';

export { bytesAre, findIn, findLastIn, isSpace } from './scan/chars.js';

// Copied into constants of this module once: an import is read through its module cell at every use (see scan/chars.ts).
const { isSpace, hexDigit, isOctal, codeOf, findIn, findLastIn, bytesAre, startsAt } = chars;
const { SP, NL, COLON, BACKSLASH, ZERO, NINE, MINUS, PLUS } = chars.CHAR;
const { U64_MAX_DIGITS, I64_MIN_DIGITS, U64_MAX, SAFE, LIST_ROOM } = limits;
const { shortString } = shortStrings;

/** CPU and node numbers of a CPU list are below this (see Scan.cpulist). */
const CPULIST_LIMIT = 1 << 20;
/**
 * The longest rest of a line whose tokens Scan.listRoom counts (smaps'
 * VmFlags): the tokens of a longer one (cpuinfo's flags, a thousand
 * characters) cost more to count than the array grown by push costs.
 */
const SHORT_LIST_LINE = 256;

/** Bytes of a text given as a string, reused by each such parse (a parse never runs inside another). */
let scratch = Buffer.allocUnsafe(64 * 1024);

/** Length from which V8 makes a slice of a string a view into it (SlicedString::kMinLength). */
const SLICE_VIEW_MIN = 13;

/** Texts longer than this give strings of their own (see Scan.str): a view may keep at most this much alive. */
const OWN_TEXT_ABOVE = 4096;

/** Largest scratch buffer kept after a parse of a long string. */
const MAX_SCRATCH_BYTES = 4 * 1024 * 1024;

/**
 * Buffer's codec methods without the argument handling of toString and
 * write around them (tens of nanoseconds a call, paid per string cut out of
 * a text): Node's own code calls them, but its type declarations omit them.
 */
interface CodecBuffer extends Buffer {
  latin1Slice(start: number, end: number): string;
  utf8Write(text: string, offset: number): number;
}

/** One 64-bit word seen as two 32-bit halves, for hex64: the halves go in, one bigint comes out. */
const WORD64 = new BigUint64Array(1);
const WORD32 = new Uint32Array(WORD64.buffer);
/** Index in WORD32 of the word's low half (0 on a little-endian machine). */
const LOW = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 0 : 1;

/** Texts of IPv4 addresses read lately, by value (plus 2^32 when read byte-swapped); cleared when it fills. */
const IPV4_TEXT = new Map<number, string>();

/** A Buffer over the same memory as `u` (Buffer methods decode slices natively). */
function asBuffer(u: Uint8Array): Buffer {
  return Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength);
}

export class Scan {
  /** Start of the current line. */
  ls = 0;
  /** End of the current line (index of its newline, or the end of the text). */
  le = 0;
  /** Start of the next line. */
  nl = 0;
  /** 1-based number of the current line. */
  line = 0;
  /** Cursor within the current line. */
  pos = 0;
  /** Start of the token read last, for error columns. */
  ts = 0;
  /** The text's bytes (exactly those). */
  readonly b: Buffer;
  /** Length of the text in bytes (the end of the last line). */
  readonly end: number;
  /**
   * The text as Latin-1, one character per byte, so that its indices are
   * the bytes': searched with V8's string builtins (indexOf, startsWith,
   * far faster than a loop), and sliced for the strings a parser returns.
   */
  readonly text: string;
  /** True when every byte is known to be ASCII: no slice needs checking. */
  private readonly ascii: boolean;

  /**
   * `text`: the file's bytes (what the readers hand over), or its text as a
   * string, encoded as UTF-8 here (a byte a decode escaped, U+DC80..U+DCFF
   * alone, as that byte: see runtime/core/bytes.ts).
   */
  constructor(
    text: string | Uint8Array,
    readonly file: string,
    readonly spec: string,
    /** Wide integers (counters and sizes, see docs/numbers.md) are read as bigints: a parse with `bigint: true`. */
    readonly big = false,
  ) {
    if (typeof text === 'string') {
      let buf = scratch;
      if (text.length * 3 > buf.length) {
        const need = Buffer.byteLength(text);
        if (need > buf.length) {
          buf = Buffer.allocUnsafe(2 ** Math.ceil(Math.log2(need + 1)));
          if (buf.length <= MAX_SCRATCH_BYTES) scratch = buf;
        }
      }
      let end = (buf as CodecBuffer).utf8Write(text, 0);
      // Such a byte is one byte, not U+FFFD's three: it fits where utf8Write wrote.
      const escaped = end !== text.length && hasEscapedBytes(text);
      if (escaped) end = bytesOf(text).copy(buf, 0);
      this.end = end;
      this.b = buf.subarray(0, this.end);
      // As many bytes as characters: all of them ASCII, and the string is its own Latin-1 view.
      this.ascii = !escaped && this.end === text.length;
      this.text = this.ascii ? text : (this.b as CodecBuffer).latin1Slice(0, this.end);
    } else {
      this.b = asBuffer(text);
      this.end = text.length;
      this.text = (this.b as CodecBuffer).latin1Slice(0, this.end);
      // A long text is checked at once (by the runtime, at gigabytes a second); a short one slice by slice.
      this.ascii = this.end > 1024 && isAscii(this.b);
    }
  }

  /**
   * The text of b[a, e): a slice of the Latin-1 view when it is ASCII, else
   * decoded as UTF-8, a byte that is not UTF-8 kept as U+DC80 + (byte - 0x80)
   * (see runtime/core/bytes.ts; bytesOf gives the bytes back). V8 makes a slice of 13
   * characters or more a view that keeps the whole text alive as long as it
   * is held: from a text longer than OWN_TEXT_ABOVE such a string is made
   * from the bytes instead, so that a value kept from a large file does not
   * keep the file (20 mount points kept from 868 KB mountinfo texts held
   * 23.6 MiB). A short string of such a text is shared (see
   * scan/short-strings.ts).
   */
  str(a: number, e: number): string {
    if (!this.ascii) {
      const b = this.b;
      for (let i = a; i < e; i++) if (b[i]! > 127) return utf8Text(b, a, e);
    }
    const n = e - a;
    if (n >= SLICE_VIEW_MIN) return this.end > OWN_TEXT_ABOVE ? (this.b as CodecBuffer).latin1Slice(a, e) : this.text.slice(a, e);
    return n < 2 || this.end <= OWN_TEXT_ABOVE ? this.text.slice(a, e) : shortString(this.b, this.text, a, e, n);
  }

  /**
   * Index of the newline ending the line that starts at `i`, or `end` (the
   * text ends at its last byte, so the search stops there at the latest).
   */
  lineEnd(i: number, end: number): number {
    const e = this.text.indexOf('\n', i);
    return e < 0 || e > end ? end : e;
  }

  // ---- lines -------------------------------------------------------------

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

  /** How many items nextItem(end, sep) has left to give, at most LIST_ROOM (a generated parser makes its array at this length). */
  itemsLeft(end: number, sep: string): number {
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

  /** Splits the current item at the first `sep`: [before, after], or [all] when there is none. */
  splitItem(sep: string): [string, string | undefined] {
    const k = findIn(this.text, sep, this.ls, this.le);
    this.pos = this.le;
    if (k < 0) return [this.str(this.ls, this.le), undefined];
    return [this.str(this.ls, k), this.str(k + 1, this.le)];
  }

  /** The cursor state, to try one reading of the text and come back for another. */
  mark(): number[] {
    return [this.ls, this.le, this.nl, this.line, this.pos, this.ts];
  }

  /** Returns to a state from mark(). */
  reset(m: number[]): void {
    [this.ls, this.le, this.nl, this.line, this.pos, this.ts] = m as [number, number, number, number, number, number];
  }

  /**
   * Of two failed readings, the one that got further into the text (its error
   * is the most telling); anything but a parse error is thrown on.
   */
  static furthest(best: Miss | ProcfsError | undefined, err: unknown): Miss | ProcfsError {
    if (!(err instanceof Miss) && (!(err instanceof ProcfsError) || err.code !== 'parse')) throw err;
    if (!best) return err;
    // A required key or token that never came says "not this shape" more than where reading stopped.
    const a = rank(best);
    const b = rank(err);
    for (let i = 0; i < 3; i++) if (b[i] !== a[i]) return b[i]! > a[i]! ? err : best;
    return best;
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

  /** Steps back so that the current line is read again by nextLine. */
  again(): void {
    this.nl = this.ls;
    this.line--;
  }

  /** Treats the whole text, less one final newline, as a single line. */
  wholeLine(): void {
    const n = this.end;
    this.ls = 0;
    this.le = n > 0 && this.b[n - 1] === NL ? n - 1 : n;
    this.nl = n;
    this.line = 1;
    this.pos = 0;
    this.ts = 0;
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

  /**
   * Index of the next line (after the current one) whose key is in `until`,
   * or is `indexed` followed by digits, or `end`.
   */
  sectionEnd(end: number, sep: 'colon' | 'space' | 'auto', until: ReadonlySet<string>, indexed?: string): number {
    if (until.size === 0 && indexed === undefined) return end;
    let i = this.nl;
    while (i < end) {
      const n = this.lineEnd(i, end);
      const k = this.keyOf(i, n, sep);
      if (until.has(k) || (indexed !== undefined && Scan.indexed(k, indexed))) return i;
      i = n + 1;
    }
    return end;
  }

  /** The key of the line [a, e) under a separator rule, without moving the cursor. */
  private keyOf(a: number, e: number, sep: 'colon' | 'space' | 'auto'): string {
    const b = this.b;
    if (sep !== 'space') {
      const c = findIn(this.text, ':', a, e);
      if (c >= 0) {
        let x = a;
        let y = c;
        while (x < y && isSpace(b[x]!)) x++;
        while (y > x && isSpace(b[y - 1]!)) y--;
        return this.str(x, y);
      }
      if (sep === 'colon') return '';
    }
    while (a < e && isSpace(b[a]!)) a++;
    let k = a;
    while (k < e && !isSpace(b[k]!)) k++;
    return this.str(a, k);
  }

  // ---- keys --------------------------------------------------------------

  /** Reads the key of a keyed line and leaves the cursor after its separator. */
  key(sep: 'colon' | 'space' | 'auto'): string {
    const b = this.b;
    if (sep !== 'space') {
      const c = findIn(this.text, ':', this.ls, this.le);
      if (c >= 0) {
        let a = this.ls;
        let e = c;
        while (a < e && isSpace(b[a]!)) a++;
        while (e > a && isSpace(b[e - 1]!)) e--;
        this.ts = a;
        if (a === e) this.fail('a key before ":"');
        this.pos = c + 1;
        return this.str(a, e);
      }
      if (sep === 'colon') {
        this.ws();
        this.fail('a key followed by ":"');
      }
    }
    this.ws();
    if (this.pos >= this.le) this.fail('a key');
    return this.word();
  }

  /**
   * Whether the line starts with the key `expect` (its bytes, from
   * Scan.keyBytes; no white space before it) followed by `sep` (58 for ":",
   * 32 for white space or the end of the line); if so, steps past the
   * separator, as key() would. Lets a keyed parser try the key that usually
   * comes next without cutting the key out of the text and looking it up;
   * compared byte by byte, a short key costs less than a startsWith call.
   */
  keyIs(expect: Uint8Array, sep: number): boolean {
    const b = this.b;
    const a = this.ls;
    const n = expect.length;
    const e = a + n;
    if (e > this.le) return false;
    for (let i = 0; i < n; i++) if (b[a + i] !== expect[i]) return false;
    if (sep === 58) {
      if (e === this.le || b[e] !== 58) return false;
      this.pos = e + 1;
    } else {
      if (e < this.le && !isSpace(b[e]!)) return false;
      this.pos = e;
    }
    this.ts = a;
    return true;
  }

  /**
   * The next line, read whole in one pass when it is exactly `key`, the
   * separator (58: a colon; 32: white space), white space, an unsigned
   * decimal number of up to 15 digits, and ` suffix` when there is one, up to
   * its newline or `end`: the cursor moves past the line and the value times
   * `factor` comes back. Anything else (another key, more white space, a
   * number too long, a factor of 0) gives -1 with the cursor where it was,
   * for the caller to read the line step by step (nextLine, keyIs, uLine) and
   * report any error exactly. Spares the search for the newline before the
   * line is read: most lines of a keyed file are such lines.
   */
  keyedNumber(end: number, key: Uint8Array, sep: number, factor: number, suffix: string): number {
    const b = this.b;
    const ls = this.nl;
    const n = key.length;
    let p = ls + n;
    if (factor <= 0 || p >= end) return -1;
    for (let i = 0; i < n; i++) if (b[ls + i] !== key[i]) return -1;
    if (sep === COLON) {
      if (b[p] !== COLON) return -1;
      p++;
    } else if (!isSpace(b[p]!)) return -1;
    while (p < end && isSpace(b[p]!)) p++;
    const a = p;
    let v = 0;
    while (p < end) {
      const c = b[p]!;
      if (c < ZERO || c > NINE) break;
      v = v * 10 + (c - ZERO);
      p++;
    }
    if (p === a || p - a > 15) return -1;
    const m = suffix.length;
    let ts = a;
    if (m > 0) {
      if (p + 1 + m > end || b[p] !== SP || !bytesAre(b, p + 1, suffix)) return -1;
      ts = p + 1;
      p += 1 + m;
    }
    if (p < end && b[p] !== NL) return -1;
    const r = v * factor;
    if (r > SAFE) return -1;
    this.ls = ls;
    this.le = p;
    this.nl = p < this.end ? p + 1 : p;
    if (this.nl > end) this.nl = end;
    this.line++;
    this.pos = p;
    this.ts = ts;
    return r;
  }

  /** The UTF-8 bytes of each key, for keyIs. */
  static keyBytes(keys: readonly string[]): Uint8Array[] {
    return keys.map((k) => Buffer.from(k, 'utf8'));
  }

  /** True when `key` is `prefix` followed by decimal digits only. */
  static indexed(key: string, prefix: string): boolean {
    if (key.length <= prefix.length || !key.startsWith(prefix)) return false;
    for (let i = prefix.length; i < key.length; i++) {
      const c = key.charCodeAt(i);
      if (c < ZERO || c > NINE) return false;
    }
    return true;
  }

  /** The index of an indexed key (`cpu12` -> 12). */
  index(key: string, prefix: string): number {
    const n = Number(key.slice(prefix.length));
    if (!Number.isSafeInteger(n)) this.fail(`an index after "${prefix}"`);
    return n;
  }

  /** Fails for a key that appears twice where it may appear once. */
  duplicate(key: string): never {
    this.ts = this.ls;
    while (this.ts < this.le && isSpace(this.b[this.ts]!)) this.ts++;
    return this.fail(`each key once, but "${key}" appears again`);
  }

  /** Fails for a required key that never appeared in [start, end). */
  missing(what: string): never {
    if (this.trying > 0) throw new Miss(this.ls, this.le, this.ts, this.line, what, true, true);
    const err = this.error(what, true);
    MISSING.add(err);
    throw err;
  }

  /**
   * The value of a key the spec does not know: a number when it is a plain
   * decimal integer (in bytes when followed by `kB`), otherwise the text.
   */
  extraValue(): number | bigint | string {
    this.ws();
    const b = this.b;
    let e = this.le;
    while (e > this.pos && isSpace(b[e - 1]!)) e--;
    const a = this.pos;
    this.pos = e;
    let i = a;
    let v = 0;
    while (i < e) {
      const c = b[i]!;
      if (c < ZERO || c > NINE) break;
      v = v * 10 + (c - ZERO);
      i++;
    }
    const kB = i < e && e - i === 3 && startsAt(this.text, i, e, ' kB');
    // Text beyond 64 bits is no integer the kernel prints: it is kept as text.
    if (i === a || (i !== e && !kB) || (i - a > 15 && !this.within(a, i, U64_MAX_DIGITS))) return this.str(a, e);
    if (this.big) {
      const x = i - a <= 15 ? BigInt(v) : BigInt(this.text.slice(a, i));
      return kB ? x * 1024n : x;
    }
    const n = i - a <= 15 ? v : Number(this.text.slice(a, i));
    return kB ? n * 1024 : n;
  }

  /**
   * True when the decimal digits b[a, p) stand for at most the number whose
   * digits are `limit` (no leading zero): exact, where a double could not
   * tell 2^64 - 1 from 2^64.
   */
  private within(a: number, p: number, limit: string): boolean {
    const b = this.b;
    while (p - a > 1 && b[a] === ZERO) a++;
    if (p - a !== limit.length) return p - a < limit.length;
    const digits = this.text.slice(a, p);
    return digits <= limit;
  }

  /**
   * Values of a line named by a header line's words (net/snmp): each as a
   * number when it is a decimal integer, otherwise as text.
   */
  extraColumns(names: readonly string[]): Record<string, number | bigint | string> {
    const out = Object.create(null) as Record<string, number | bigint | string>;
    for (const name of names) {
      if (!this.more()) {
        this.ts = this.pos;
        this.fail(`a value for the column "${name}"`);
      }
      if (Object.hasOwn(out, name)) this.duplicate(name);
      out[name] = this.extraToken();
    }
    this.eol();
    return out;
  }

  /**
   * Joins the columns of a key's second pair of lines into those of its
   * first: a column in both is a duplicate; records of unnamed columns merge.
   */
  joinColumns<T extends object>(a: T, b: T): T {
    const x = a as Record<string, unknown>;
    for (const [k, v] of Object.entries(b)) {
      const old = x[k];
      if (isPlainRecord(old) && isPlainRecord(v)) {
        for (const [ck, cv] of Object.entries(v)) {
          if (Object.hasOwn(old, ck)) this.duplicate(ck);
          old[ck] = cv;
        }
      } else if (old !== undefined) this.duplicate(k);
      else x[k] = v;
    }
    return a;
  }

  /**
   * One token the spec does not describe: a number when it is a decimal
   * integer the kernel may print (within 64 bits; a bigint in exact mode),
   * otherwise the text.
   */
  extraToken(): number | bigint | string {
    const w = this.word();
    const b = this.b;
    const a = this.ts;
    let i = a;
    if (b[i] === MINUS) i++;
    const d = i;
    while (i < this.pos) {
      const c = b[i]!;
      if (c < ZERO || c > NINE) return w;
      i++;
    }
    if (i === d) return w;
    if (i - d > 15 && !this.within(d, i, d > a ? I64_MIN_DIGITS : U64_MAX_DIGITS)) return w;
    return this.big ? BigInt(w) : Number(w);
  }

  // ---- tokens ------------------------------------------------------------

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
    return escaped ? Scan.unescape(w) : w;
  }

  /** A double quote opened before the `stop` of the last quoted() call, still open for the next one. */
  quoteOpen = false;

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

  /** The token at the cursor, without moving (empty at the end of the line). */
  peek(): string {
    const b = this.b;
    let p = this.pos;
    while (p < this.le && !isSpace(b[p]!)) p++;
    return this.str(this.pos, p);
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

  // ---- numbers -----------------------------------------------------------

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
  private octBig(a: number, p: number): bigint {
    const x = BigInt(`0o${this.text.slice(a, p)}`);
    if (x > U64_MAX) {
      this.ts = a;
      this.fail('an octal integer below 2^64');
    }
    return x;
  }

  /** An unsigned octal integer of at most 2^64 - 1 as a bigint. */
  oct64(): bigint {
    const a = this.pos;
    const v = this.octNum();
    return v <= SAFE ? BigInt(v) : this.octBig(a, this.pos);
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
    // Up to 15 digits the number is exact, and BigInt(number) is much cheaper than parsing text; 0n needs no allocation.
    if (p - a <= 15) {
      this.pos = p;
      return n === 0 ? 0n : BigInt(n);
    }
    const v = BigInt(this.text.slice(a, p));
    if (v > 0xffffffffffffffffn) this.fail('an integer below 2^64');
    this.pos = p;
    return v;
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
      return BigInt(n);
    }
    // Two exact halves of at most 8 digits each (32 bits), read as one 64-bit word: one bigint made, no text parsed.
    let hi = 0;
    let lo = 0;
    const m = p - 8;
    for (let i = d; i < m; i++) hi = hi * 16 + hexDigit(b[i]!);
    for (let i = m; i < p; i++) lo = lo * 16 + hexDigit(b[i]!);
    if (hi === 0 && lo === 0) return 0n;
    WORD32[LOW] = lo;
    WORD32[1 - LOW] = hi;
    return WORD64[0]!;
  }

  /** A bit mask in hexadecimal, possibly in comma-separated 32-bit groups, as a bigint. */
  mask(): bigint {
    const b = this.b;
    const a = this.pos;
    let p = a;
    let from = a;
    // Leading zero digits are skipped (Mems_allowed prints hundreds of them):
    // `sig` counts significant digits and `n` holds them while they fit a double.
    let sig = 0;
    let sigStart = -1;
    let n = 0;
    while (p < this.le) {
      const c = b[p]!;
      if (c === 44) {
        if (p === from) break;
        from = p + 1;
      } else {
        const d = hexDigit(c);
        if (d < 0) break;
        if (sig > 0 || d > 0) {
          if (sig === 0) sigStart = p;
          sig++;
          if (sig <= 13) n = n * 16 + d;
        }
      }
      p++;
    }
    this.ts = a;
    if (p === from) this.fail('a hexadecimal mask');
    this.pos = p;
    if (sig <= 13) return BigInt(n);
    const t = this.text;
    let digits = '';
    let run = sigStart;
    for (let i = sigStart; i < p; i++) {
      if (b[i] === 44) {
        digits += t.slice(run, i);
        run = i + 1;
      }
    }
    digits += t.slice(run, p);
    return BigInt(`0x${digits}`);
  }

  /** The text of the token read last (from `ts` to the cursor). */
  lastToken(): string {
    return this.str(this.ts, this.pos);
  }

  /**
   * An IPv4 (8 hex digits) or IPv6 (32 hex digits) address printed in hex,
   * as its usual text form. `host`: 32-bit words in the byte order of the
   * machine that printed them (net/tcp, net/route); `network`: bytes in
   * order (if_inet6, ipv6_route).
   */
  inet(order: 'host' | 'network', littleEndian: boolean): string {
    const b = this.b;
    const a = this.pos;
    let p = a;
    while (p < this.le && hexDigit(b[p]!) >= 0) p++;
    this.ts = a;
    const n = p - a;
    if (n !== 8 && n !== 32) this.fail('an address of 8 or 32 hex digits');
    const swap = order === 'host' && littleEndian;
    this.pos = p;
    if (n === 8) {
      // The four bytes as printed; in host order on a little-endian machine the word's bytes are reversed.
      const b0 = hexDigit(b[a]!) * 16 + hexDigit(b[a + 1]!);
      const b1 = hexDigit(b[a + 2]!) * 16 + hexDigit(b[a + 3]!);
      const b2 = hexDigit(b[a + 4]!) * 16 + hexDigit(b[a + 5]!);
      const b3 = hexDigit(b[a + 6]!) * 16 + hexDigit(b[a + 7]!);
      // A table's addresses repeat (the local ones, 0.0.0.0 of listeners): each text is made once.
      const key = (swap ? 2 ** 32 : 0) + ((b0 << 24) >>> 0) + (b1 << 16) + (b2 << 8) + b3;
      let text = IPV4_TEXT.get(key);
      if (text === undefined) {
        text = swap ? `${b3}.${b2}.${b1}.${b0}` : `${b0}.${b1}.${b2}.${b3}`;
        if (IPV4_TEXT.size >= 4096) IPV4_TEXT.clear();
        IPV4_TEXT.set(key, text);
      }
      return text;
    }
    const bytes = new Array<number>(16);
    for (let w = 0; w < 4; w++) {
      for (let i = 0; i < 4; i++) {
        const at = a + w * 8 + (swap ? (3 - i) * 2 : i * 2);
        bytes[w * 4 + i] = hexDigit(b[at]!) * 16 + hexDigit(b[at + 1]!);
      }
    }
    return ipv6Text(bytes);
  }

  /** A decimal number with optional fraction and exponent. */
  f(): number {
    const b = this.b;
    const a = this.pos;
    let p = a;
    while (p < this.le) {
      const c = b[p]!;
      if ((c >= ZERO && c <= NINE) || c === 46 || c === MINUS || c === PLUS || c === 101 || c === 69) p++;
      else break;
    }
    this.ts = a;
    const v = p === a ? Number.NaN : Number(this.text.slice(a, p));
    if (!Number.isFinite(v)) this.fail('a decimal number');
    this.pos = p;
    return v;
  }

  /**
   * A CPU or node list such as `0-3,8,10-11`, expanded to ascending numbers.
   * The kernel prints the set bits of a mask in order, and no kernel has
   * 2^20 CPUs or nodes (NR_CPUS stops at 8192): so every number is below
   * CPULIST_LIMIT and each part starts above the one before, which bounds
   * the list by the limit whatever the text (a range at 2^53 would
   * otherwise never end: past 2^53 a double's `c++` is `c`).
   */
  cpulist(): number[] {
    const out: number[] = [];
    const a = this.pos;
    if (this.pos >= this.le || isSpace(this.b[this.pos]!)) {
      return out;
    }
    let last = -1;
    for (;;) {
      const lo = this.cpuNumber(last);
      let hi = lo;
      if (this.at('-')) {
        this.pos++;
        hi = this.cpuNumber(lo - 1);
      }
      last = hi;
      for (let c = lo; c <= hi; c++) out.push(c);
      if (!this.at(',')) break;
      this.pos++;
    }
    this.ts = a;
    return out;
  }
  /** One number of a CPU list: above `after` and below CPULIST_LIMIT. */
  private cpuNumber(after: number): number {
    const a = this.pos;
    const n = this.u();
    if (n <= after || n >= CPULIST_LIMIT) {
      this.ts = a;
      this.pos = a;
      this.fail(after < 0 ? `a CPU or node number below ${CPULIST_LIMIT}` : `a CPU or node number above ${after} and below ${CPULIST_LIMIT}`);
    }
    return n;
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

  // ---- wide integers: a number by default, a bigint in exact mode (docs/numbers.md) ----

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
    return this.big ? BigInt(v) : v;
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

  // ---- errors ------------------------------------------------------------

  /** Throws the parse error for the token at `ts` (or, with atEnd, for the end of the text). */
  fail(expected: string, atEnd = false): never {
    if (this.trying > 0) throw new Miss(this.ls, this.le, this.ts, this.line, expected, atEnd, false);
    throw this.error(expected, atEnd);
  }

  /**
   * Variants being tried around the cursor (nesting depth). A failure inside
   * an attempt is expected and caught, so it throws a Miss, a plain record
   * of where and what, not an Error (whose stack trace costs microseconds,
   * paid on every line a variant does not fit); final() turns the best miss
   * into the parse error.
   */
  trying = 0;

  /** The error to throw when every variant failed: the best miss itself inside an outer attempt, else its parse error. */
  final(best: Miss | ProcfsError): Miss | ProcfsError {
    if (this.trying > 0 || best instanceof ProcfsError) return best;
    const err = this.errorAt(best.ls, best.le, best.ts, best.line, best.expected, best.atEnd);
    if (best.missing) MISSING.add(err);
    return err;
  }

  error(expected: string, atEnd = false): ProcfsError {
    return this.errorAt(this.ls, this.le, this.ts, this.line, expected, atEnd);
  }

  /** 1-based column, in characters, of byte offset `at` of the line starting at `ls`. */
  private column(ls: number, at: number): number {
    return this.str(ls, at).length + 1;
  }

  /** The parse error for the token at `ts` of the line [ls, le) numbered `line` (or, with atEnd, for the line's end). */
  private errorAt(ls: number, le: number, ts: number, line: number, expected: string, atEnd: boolean): ProcfsError {
    const b = this.b;
    if (atEnd) {
      return parseError({ file: this.file, line: Math.max(line, 1), column: this.column(ls, le), expected, found: '' }, this.spec);
    }
    // The token found, up to what the message shows (a token may be a megabyte long), not cutting a UTF-8 sequence.
    let e = ts;
    while (e < le && e - ts <= 40 && !isSpace(b[e]!)) e++;
    if (e === ts && e < le) e++;
    while (e < le && (b[e]! & 0xc0) === 0x80) e++;
    const found = this.str(ts, Math.min(e, le)).replace(/[\r\0]/g, (c) => (c === '\r' ? '\\r' : '\\0'));
    return parseError({ file: this.file, line: Math.max(line, 1), column: this.column(ls, ts), expected, found }, this.spec);
  }
}

/**
 * RFC 5952 text of an IPv6 address: lower-case groups without leading
 * zeros, the longest run of two or more zero groups as `::` (the first such
 * run on a tie), and an IPv4-mapped address as `::ffff:a.b.c.d`.
 */
function ipv6Text(b: number[]): string {
  const g: number[] = [];
  for (let i = 0; i < 16; i += 2) g.push(b[i]! * 256 + b[i + 1]!);
  if (g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0xffff) {
    return `::ffff:${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
  }
  let bestAt = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      bestAt = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (xs: number[]): string => xs.map((x) => x.toString(16)).join(':');
  if (bestAt < 0) return hex(g);
  return `${hex(g.slice(0, bestAt))}::${hex(g.slice(bestAt + bestLen))}`;
}

/** Bytes of the kernel's letter escapes (string_escape_mem's ESCAPE_SPACE and ESCAPE_SPECIAL). */
const C_ESCAPES: Record<string, number> = { n: 10, t: 9, r: 13, v: 11, f: 12, a: 7, e: 27, '\\': 92, '"': 34 };

/** True when b[a, e) begins with digits of `cls` followed by the byte `terminator`. */
export function looksLike(b: Uint8Array, a: number, e: number, cls: 'dec' | 'hex', terminator: number): boolean {
  let i = a;
  if (cls === 'hex' && i + 1 < e && b[i] === ZERO && b[i + 1] === 120) i += 2;
  const d = i;
  while (i < e && (cls === 'hex' ? hexDigit(b[i]!) >= 0 : b[i]! >= ZERO && b[i]! <= NINE)) i++;
  return i > d && i < e && b[i] === terminator;
}

function isPlainRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === null;
}

/** What pick() calls read (see Scan.want), per spec (its field index) and fields array. */
const WANT_CACHE = new WeakMap<ReadonlyMap<string, number>, WeakMap<readonly string[], Int32Array>>();

/** Errors for something required that never appeared (see Scan.furthest). */
const MISSING = new WeakSet<ProcfsError>();

/** A failed attempt at a variant: where the reading stopped and what it expected (made into a ProcfsError only if it is the one reported). */
export class Miss {
  constructor(
    readonly ls: number,
    readonly le: number,
    readonly ts: number,
    readonly line: number,
    readonly expected: string,
    readonly atEnd: boolean,
    /** A required key or token that never came. */
    readonly missing: boolean,
  ) {}
}

/** How far a failed reading got: [not a missing key, line, column]. */
function rank(e: Miss | ProcfsError): [number, number, number] {
  if (e instanceof Miss) return [e.missing ? 0 : 1, Math.max(e.line, 1), (e.atEnd ? e.le : e.ts) - e.ls + 1];
  return [MISSING.has(e) ? 0 : 1, e.line ?? 0, e.column ?? 0];
}
