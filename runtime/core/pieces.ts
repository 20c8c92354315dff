/**
 * Reading a text in pieces: the generated parser of a file made of records
 * (a table's rows, a list of blocks) also parses it a piece at a time, each
 * piece ending where a record begins, with the same result as parsing the
 * whole text. runtime/reading/streamed-read.ts uses it to parse the start of a long
 * file while the rest is still being read.
 */
import type { ParseContext, ReadContext } from './context.js';
import { parseError, ProcfsError } from './errors.js';
import { bytesAre, isSpace, looksLike, Scan } from './scan.js';

/** The parser of a record file, a piece at a time (generated: `pieces<Name>` beside `parse<Name>`). */
export interface Pieces<T, S = unknown> {
  /** Lines before the first record (a header line and lines skipped): they belong to the first piece. */
  readonly lead: number;
  /**
   * Where b[from, to) may be cut: the start of the last record that begins
   * after `from` and whose first line begins far enough before `to` to be
   * told apart, or `from` when there is none.
   */
  cut(b: Uint8Array, from: number, to: number): number;
  /** Parses the first piece: the lead lines and whole records. */
  first(s: Scan, ctx: ParseContext): S;
  /** Parses a later piece's records into `state`. */
  next(s: Scan, ctx: ParseContext, state: S): void;
  /** The value of the whole text. */
  done(state: S): T;
}

/** What the pieces of a record file add up to: the header (if any) and the records so far. */
export interface Piece<H, R> {
  h: H;
  out: R;
}

const NL = 10;

/**
 * Parses a text as it arrives: feed() is given the bytes read so far (the
 * same buffer, or a larger copy of it, each time) and parses the records
 * that are whole, in pieces that end where a record begins; done() gives
 * what parsing the whole text at once gives, and a parse error is that of
 * the whole text (its line counted from the start of the text).
 */
export class PieceParser<T> {
  private from = 0;
  private started = false;
  private state: unknown;

  constructor(
    private readonly pieces: Pieces<T>,
    private readonly spec: string,
    /** The context of the read; with `bigint: true` each piece is read in exact mode. */
    private readonly ctx: ReadContext,
  ) {}

  /** Pieces parsed so far. */
  count = 0;

  /** Bytes parsed so far: the next piece starts here. */
  get parsed(): number {
    return this.from;
  }

  /** Parses the records that are whole in b[0, have), or (at the end of the text) all of it. */
  feed(b: Uint8Array, have: number, end: boolean): void {
    const from = this.from;
    let cut = have;
    if (!end) {
      const view = b.subarray(0, have);
      const min = this.started ? from : afterLines(view, this.pieces.lead);
      cut = min < 0 ? from : this.pieces.cut(view, min, have);
    }
    if (cut <= from && !(end && !this.started)) return;
    const s = new Scan(b.subarray(from, cut), this.ctx.file, this.spec, this.ctx.bigint === true);
    try {
      if (this.started) this.pieces.next(s, this.ctx, this.state);
      else this.state = this.pieces.first(s, this.ctx);
    } catch (err) {
      throw inWholeText(err, b, from);
    }
    this.started = true;
    this.from = cut;
    this.count++;
  }

  /** The value of the whole text (after feed() with `end`). */
  done(): T {
    return this.pieces.done(this.state);
  }
}

/** Index just after the first `n` lines of b, or -1 when b does not hold them whole yet. */
function afterLines(b: Uint8Array, n: number): number {
  let at = 0;
  for (let i = 0; i < n; i++) {
    const nl = b.indexOf(NL, at);
    if (nl < 0) return -1;
    at = nl + 1;
  }
  return at;
}

/** A parse error of the piece starting at byte `from`, renumbered as a line of the whole text. */
function inWholeText(err: unknown, b: Uint8Array, from: number): unknown {
  if (!(err instanceof ProcfsError) || err.code !== 'parse' || err.line === undefined || from === 0) return err;
  let lines = 0;
  for (let i = b.indexOf(NL, 0); i >= 0 && i < from; i = b.indexOf(NL, i + 1)) lines++;
  return parseError(
    { file: err.file ?? '<text>', line: err.line + lines, column: err.column ?? 1, expected: err.expected ?? '', found: err.found ?? '' },
    err.spec,
  );
}

/** Start of the last line that begins in b(from, to) (lines are independent records), or `from`. */
export function lastLine(b: Uint8Array, from: number, to: number): number {
  const i = to > from ? b.lastIndexOf(NL, to - 1) : -1;
  return i >= from ? i + 1 : from;
}

/** Calls `test` on the starts of the lines beginning in b(from, to), last first, until it accepts one: that start, or `from`. */
function lastStart(b: Uint8Array, from: number, to: number, test: (ls: number, le: number) => boolean): number {
  let e = to;
  for (;;) {
    const i = e > from ? b.lastIndexOf(NL, e - 1) : -1;
    if (i < from) return from;
    const ls = i + 1;
    if (ls < to) {
      const n = b.indexOf(NL, ls);
      if (test(ls, n < 0 || n > to ? to : n)) return ls;
    }
    e = i;
  }
}

/** Start of the last block whose first line begins with a number of `cls` then `terminator` (smaps' `7f01-7f02 ...`), or `from`. */
export function lastLike(b: Uint8Array, from: number, to: number, cls: 'dec' | 'hex', terminator: string): number {
  const term = terminator.charCodeAt(0);
  // A header line whose number runs up to `to` is not known to be one yet: looksLike needs the terminator inside.
  return lastStart(b, from, to, (ls, le) => looksLike(b, ls, le, cls, term));
}

/** Start of the last block whose first line begins, after white space, with `prefix`, or `from`. */
export function lastStarting(b: Uint8Array, from: number, to: number, prefix: string): number {
  return lastStart(b, from, to, (ls, le) => {
    let a = ls;
    while (a < le && isSpace(b[a]!)) a++;
    return a + prefix.length <= le && bytesAre(b, a, prefix);
  });
}

/** Start of the last line in b(from, to) that follows a blank line (blocks separated by blank lines), or `from`. */
export function lastAfterBlank(b: Uint8Array, from: number, to: number): number {
  return lastStart(b, from, to, (ls) => {
    // The line before ls: from the newline before its own end.
    const pe = ls - 1;
    const p = pe > 0 ? b.lastIndexOf(NL, pe - 1) : -1;
    if (p + 1 < from) return false;
    for (let k = p + 1; k < pe; k++) if (!isSpace(b[k]!)) return false;
    return true;
  });
}
