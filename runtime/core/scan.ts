/**
 * The scanner under every generated parser: a cursor over lines and tokens
 * of one /proc file, with precise parse errors (file, line, column,
 * expected, found). Generated code calls these primitives in the order the
 * spec describes.
 *
 * Scan is a chain of classes in runtime/core/scan/, each adding one group
 * of methods to the one before, each in a module of its own:
 *
 *   ScanText      the text's bytes and Latin-1 view, the cursor's fields, str (text.ts)
 *   ScanFailures  parse errors, misses of variants, the furthest failure (failures.ts)
 *   ScanLines     lines and items, marks, blocks of lines (lines.ts)
 *   ScanTokens    white space, literals, words, rests of lines, picks (tokens.ts)
 *   ScanStrings   text up to or between characters, quoted words, escapes (strings.ts)
 *   ScanNumbers   decimal, octal, hex and fractional numbers as doubles (numbers.ts)
 *   ScanWide      wide integers: a number, or a bigint in exact mode (wide.ts)
 *   ScanKeys      keys of keyed lines, sections, values a spec does not know (keys.ts)
 *   ScanSets      CPU lists and bit masks (sets.ts)
 *   ScanInet      IPv4 and IPv6 addresses (inet.ts)
 *   ScanNesting   depths of indented lines, choice lists (nesting.ts)
 *   ScanDecode    flag letters and key=value items decoded further (decode.ts)
 *
 * beside character classes and searches (chars.ts), number limits
 * (limits.ts) and the table of short strings (short-strings.ts). The chain
 * costs nothing per call: every scanner has the one shape (all fields are
 * ScanText's), so a call to an inherited method is as monomorphic as one to
 * an own method, and V8 skips the subclasses' empty constructors.
 */
import { ScanDecode } from './scan/decode.js';

export { bytesAre, findIn, findLastIn, isSpace } from './scan/chars.js';
export { Miss } from './scan/failures.js';
export { looksLike } from './scan/lines.js';

/** The scanner generated parsers make, one per parse: `new Scan(text, file, spec, big)`. */
export class Scan extends ScanDecode {
  /**
   * A scanner alive as long as the process. V8 reaches the shape of a built
   * scanner only through weak links from the class's own, and drops it at a
   * full GC that finds no scanner alive; with it goes the optimized code of
   * every parser and scanner method, compiled again over the next parses. A
   * program that parses between idle spells (an exporter between scrapes, a
   * monitor between samples) met that after each full GC.
   */
  static readonly kept: Scan = new Scan('', '', '', false);
}
