/**
 * The scanner's errors (runtime/core/scan.ts): a parse error for the token
 * at the cursor, with file, line, column, what was expected and what was
 * found; inside an attempt at one of several variants, a Miss instead, and
 * of several failed attempts the one that got furthest.
 */
import { parseError, ProcfsError } from '../errors.js';
import * as chars from './chars.js';
import { ScanText } from './text.js';

// Copied into constants of this module once: an import is read through its module cell at every use (see chars.ts).
const { isSpace } = chars;

/** Errors for something required that never appeared (see ScanFailures.furthest). */
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

export class ScanFailures extends ScanText {
  /** Throws the parse error for the token at `ts` (or, with atEnd, for the end of the text). */
  fail(expected: string, atEnd = false): never {
    if (this.trying > 0) throw new Miss(this.ls, this.le, this.ts, this.line, expected, atEnd, false);
    throw this.error(expected, atEnd);
  }

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

  /** Fails for a required key that never appeared in [start, end). */
  missing(what: string): never {
    if (this.trying > 0) throw new Miss(this.ls, this.le, this.ts, this.line, what, true, true);
    const err = this.error(what, true);
    MISSING.add(err);
    throw err;
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
