/**
 * Keys of the scanner (runtime/core/scan.ts): the key of a keyed line, a
 * key expected next, a keyed number read in one pass, where a section of
 * keys ends, duplicate keys, and the values of keys and columns a spec does
 * not describe.
 */
import * as bigints from './bigints.js';
import * as chars from './chars.js';
import * as limits from './limits.js';
import { ScanWide } from './wide.js';

// Copied into constants of this module once: an import is read through its module cell at every use (see chars.ts).
const { isSpace, findIn, bytesAre, startsAt } = chars;
const { SP, NL, COLON, ZERO, NINE, MINUS } = chars.CHAR;
const { U64_MAX_DIGITS, I64_MIN_DIGITS, SAFE } = limits;
const { bigOf } = bigints;

/**
 * A line of column names (net/snmp's `Tcp: RtoAlgorithm RtoMin ...`): the
 * line as it was printed, its names, and each name's number in the table
 * of the names a spec describes (-1: a column it does not describe).
 */
export interface ColumnHeader {
  readonly line: string;
  readonly names: readonly string[];
  readonly index: Int32Array;
}

/**
 * The header lines read last for each table of column names, most recent
 * last. The kernel prints the same names at every read, so a line is
 * matched against these (one comparison of its text) instead of being cut
 * into names and each name looked up again; a key printed over several
 * pairs of lines (IcmpMsg) has a header of each.
 */
const headersSeen = new WeakMap<ReadonlyMap<string, number>, ColumnHeader[]>();

/** Header lines kept per table. */
const HEADERS_KEPT = 4;

export class ScanKeys extends ScanWide {
  /**
   * The names of the columns from the cursor to the end of the line, and
   * each one's number in `known` (-1 when it is not there); the cursor goes
   * to the line's end. A line seen in one of the last parses is answered
   * from then (see headersSeen).
   */
  columns(known: ReadonlyMap<string, number>): ColumnHeader {
    const a = this.pos;
    const e = this.le;
    let seen = headersSeen.get(known);
    if (seen === undefined) headersSeen.set(known, (seen = []));
    const line = this.text.slice(a, e);
    for (let i = seen.length - 1; i >= 0; i--) {
      const h = seen[i]!;
      if (h.line === line) {
        this.pos = e;
        return h;
      }
    }
    const names = this.restTokens();
    const index = new Int32Array(names.length);
    for (let i = 0; i < names.length; i++) index[i] = known.get(names[i]!) ?? -1;
    // A copy of the line's text, not a slice of the file's (which would keep the whole text alive).
    const h: ColumnHeader = { line: this.b.toString('latin1', a, e), names, index };
    if (seen.length >= HEADERS_KEPT) seen.shift();
    seen.push(h);
    return h;
  }

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
      if (until.has(k) || (indexed !== undefined && ScanKeys.indexed(k, indexed))) return i;
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
      const x = i - a <= 15 ? bigOf(v) : BigInt(this.text.slice(a, i));
      return kB ? x * 1024n : x;
    }
    const n = i - a <= 15 ? v : Number(this.text.slice(a, i));
    return kB ? n * 1024 : n;
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
}

function isPlainRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === null;
}
