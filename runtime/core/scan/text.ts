/**
 * The base of the scanner (runtime/core/scan.ts): the text of one /proc
 * file and the cursor's fields.
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
 *
 * Every field of a scanner is declared here and set by this constructor,
 * always in the same order, and the classes built on this one declare none:
 * every scanner then has the one shape, so the calls generated parsers make
 * stay monomorphic, and V8 skips the constructors of the subclasses (a
 * subclass with fields, or a base class with field initialisers, made each
 * `new Scan` a call that costs about 20 ns more).
 */
import { isAscii } from 'node:buffer';
import { bytesOf, hasEscapedBytes, utf8Text } from '../bytes.js';
import * as shortStrings from './short-strings.js';

// Copied into constants of this module once: an import is read through its module cell at every use (see chars.ts).
const { shortString } = shortStrings;

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

/** A Buffer over the same memory as `u` (Buffer methods decode slices natively). */
function asBuffer(u: Uint8Array): Buffer {
  return Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength);
}

export class ScanText {
  /** The file the text is from, for errors. */
  declare readonly file: string;
  /** The spec the text is parsed by, for errors. */
  declare readonly spec: string;
  /** Wide integers (counters and sizes, see docs/numbers.md) are read as bigints: a parse with `bigint: true`. */
  declare readonly big: boolean;
  /** Start of the current line. */
  declare ls: number;
  /** End of the current line (index of its newline, or the end of the text). */
  declare le: number;
  /** Start of the next line. */
  declare nl: number;
  /** 1-based number of the current line. */
  declare line: number;
  /** Cursor within the current line. */
  declare pos: number;
  /** Start of the token read last, for error columns. */
  declare ts: number;
  /** The text's bytes (exactly those). */
  declare readonly b: Buffer;
  /** Length of the text in bytes (the end of the last line). */
  declare readonly end: number;
  /**
   * The text as Latin-1, one character per byte, so that its indices are
   * the bytes': searched with V8's string builtins (indexOf, startsWith,
   * far faster than a loop), and sliced for the strings a parser returns.
   */
  declare readonly text: string;
  /** True when every byte is known to be ASCII: no slice needs checking. */
  declare private readonly ascii: boolean;
  /** A double quote opened before the `stop` of the last quoted() call, still open for the next one (see ScanStrings.quoted). */
  declare quoteOpen: boolean;
  /**
   * Variants being tried around the cursor (nesting depth). A failure inside
   * an attempt is expected and caught, so it throws a Miss, a plain record
   * of where and what, not an Error (whose stack trace costs microseconds,
   * paid on every line a variant does not fit); final() turns the best miss
   * into the parse error.
   */
  declare trying: number;
  /**
   * The last search for an item's separator (Scan.itemSep): the character
   * searched for (-1: none yet), where the search started, and where it
   * found the character (the text's end: nowhere). No such character lies
   * between the start and the find, so an item inside that span is answered
   * without searching again, and each search starts past the last find:
   * the searches of a text together read it once.
   */
  declare sepCode: number;
  declare sepFrom: number;
  declare sepAt: number;

  /**
   * `text`: the file's bytes (what the readers hand over), or its text as a
   * string, encoded as UTF-8 here (a byte a decode escaped, U+DC80..U+DCFF
   * alone, as that byte: see runtime/core/bytes.ts).
   */
  constructor(text: string | Uint8Array, file: string, spec: string, big = false) {
    let b: Buffer;
    let end: number;
    let latin1: string;
    let ascii: boolean;
    if (typeof text === 'string') {
      let buf = scratch;
      if (text.length * 3 > buf.length) {
        const need = Buffer.byteLength(text);
        if (need > buf.length) {
          buf = Buffer.allocUnsafe(2 ** Math.ceil(Math.log2(need + 1)));
          if (buf.length <= MAX_SCRATCH_BYTES) scratch = buf;
        }
      }
      end = (buf as CodecBuffer).utf8Write(text, 0);
      // Such a byte is one byte, not U+FFFD's three: it fits where utf8Write wrote.
      const escaped = end !== text.length && hasEscapedBytes(text);
      if (escaped) end = bytesOf(text).copy(buf, 0);
      b = buf.subarray(0, end);
      // As many bytes as characters: all of them ASCII, and the string is its own Latin-1 view.
      ascii = !escaped && end === text.length;
      latin1 = ascii ? text : (b as CodecBuffer).latin1Slice(0, end);
    } else {
      b = asBuffer(text);
      end = text.length;
      latin1 = (b as CodecBuffer).latin1Slice(0, end);
      // A long text is checked at once (by the runtime, at gigabytes a second); a short one slice by slice.
      ascii = end > 1024 && isAscii(b);
    }
    // Every field, in this order, whatever the text (see above).
    this.file = file;
    this.spec = spec;
    this.big = big;
    this.ls = 0;
    this.le = 0;
    this.nl = 0;
    this.line = 0;
    this.pos = 0;
    this.ts = 0;
    this.b = b;
    this.end = end;
    this.text = latin1;
    this.ascii = ascii;
    this.quoteOpen = false;
    this.trying = 0;
    this.sepCode = -1;
    this.sepFrom = 0;
    this.sepAt = 0;
  }

  /**
   * The text of b[a, e): a slice of the Latin-1 view when it is ASCII, else
   * decoded as UTF-8, a byte that is not UTF-8 kept as U+DC80 + (byte - 0x80)
   * (see runtime/core/bytes.ts; bytesOf gives the bytes back). V8 makes a slice of 13
   * characters or more a view that keeps the whole text alive as long as it
   * is held: from a text longer than OWN_TEXT_ABOVE such a string is made
   * from the bytes instead, so that a value kept from a large file does not
   * keep the file (20 mount points kept from 868 KB mountinfo texts held
   * 23.6 MiB). A string of 2 to 12 characters is shared with the parses
   * before (see short-strings.ts): cpuinfo's flags, mount options and limit
   * units repeat in every value kept (retained heap per cpuinfo value of 2
   * CPUs: 3,948 B against 8,748 B when each was a copy).
   */
  str(a: number, e: number): string {
    if (!this.ascii) {
      const b = this.b;
      for (let i = a; i < e; i++) if (b[i]! > 127) return utf8Text(b, a, e);
    }
    const n = e - a;
    if (n >= SLICE_VIEW_MIN) return this.end > OWN_TEXT_ABOVE ? (this.b as CodecBuffer).latin1Slice(a, e) : this.text.slice(a, e);
    return n < 2 ? this.text.slice(a, e) : shortString(this.b, this.text, a, e, n);
  }

  /**
   * Index of the newline ending the line that starts at `i`, or `end` (the
   * text ends at its last byte, so the search stops there at the latest).
   */
  lineEnd(i: number, end: number): number {
    const e = this.text.indexOf('\n', i);
    return e < 0 || e > end ? end : e;
  }
}
