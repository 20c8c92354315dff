/**
 * The two exposition formats Prometheus reads: the text format 0.0.4 (the
 * default, and what promtool checks) and OpenMetrics 1.0 (`# UNIT`, a
 * counter's family named without `_total` and its samples with it, `# EOF`).
 * Families with no sample are left out. Values: a bigint as its decimal
 * digits (a 64-bit counter exactly as the kernel printed it), a number as
 * JavaScript prints it (shortest round trip; NaN, +Inf, -Inf).
 */
import type { Sample } from './walks.js';
import type { FamilyDef } from './names.js';

export type Format = { kind: 'text' } | { kind: 'openmetrics'; version: '1.0.0' | '0.0.1' };

export const TEXT: Format = { kind: 'text' };
export const OPENMETRICS: Format = { kind: 'openmetrics', version: '1.0.0' };

/** The Content-Type of a format. */
export function contentType(f: Format): string {
  return f.kind === 'text' ? 'text/plain; version=0.0.4; charset=utf-8' : `application/openmetrics-text; version=${f.version}; charset=utf-8`;
}

/**
 * A sample's value as printed: exact digits for a bigint, the shortest
 * decimal that reads back for a number. A value divided (a percentage made
 * a ratio) is rounded to 15 significant digits, so that 1.53% is 0.0153,
 * not the 0.015300000000000001 the division gives.
 */
export function formatValue(v: number | bigint, div = 1): string {
  let x: number;
  if (typeof v === 'bigint') {
    if (div === 1) return v.toString();
    x = Number(v) / div;
  } else x = div === 1 ? v : v / div;
  if (div !== 1 && Number.isFinite(x)) x = Number(x.toPrecision(15));
  if (Number.isFinite(x)) return String(x);
  return Number.isNaN(x) ? 'NaN' : x > 0 ? '+Inf' : '-Inf';
}

/** HELP text escaped: the text format escapes backslash and line feed; OpenMetrics also the double quote. */
function escapeHelp(text: string, om: boolean): string {
  const t = text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
  return om ? t.replace(/"/g, '\\"') : t;
}

/** Families with their samples, in the order they are printed. */
export type Exposition = Iterable<readonly [FamilyDef, readonly Sample[]]>;

/**
 * What is printed the same every scrape for a family, made once: its HELP,
 * TYPE (and UNIT) lines in each format as UTF-8, and the start of each of
 * its lines (`name{labels} `) by label set, which both formats share.
 */
interface Printed {
  readonly text: Piece;
  readonly om: Piece;
  /** A line's start by its labels, and the body it was last printed in. */
  readonly starts: Map<string, Piece & { seen: number }>;
}

/**
 * Bytes printed the same every time, and what encoders keep with them
 * (deflate/tokens.ts: the piece's LZ77 tokens), each in its own slot.
 */
export interface Piece {
  readonly bytes: Buffer;
  readonly kept: unknown[];
}

const printedOf = new WeakMap<FamilyDef, Printed>();

function printedFor(def: FamilyDef): Printed {
  let p = printedOf.get(def);
  if (p === undefined) {
    const unit = def.unit === '' ? '' : `# UNIT ${def.base} ${def.unit}\n`;
    p = {
      text: { bytes: Buffer.from(`# HELP ${def.name} ${escapeHelp(def.help, false)}\n# TYPE ${def.name} ${def.type}\n`), kept: [] },
      om: { bytes: Buffer.from(`# TYPE ${def.base} ${def.type}\n${unit}# HELP ${def.base} ${escapeHelp(def.help, true)}\n`), kept: [] },
      starts: new Map(),
    };
    printedOf.set(def, p);
  }
  return p;
}

/** Bodies printed so far: a line start not printed in the last few bodies is dropped (label sets of processes or sockets come and go). */
let bodies = 0;
const KEEP_BODIES = 4;

/** The start of a sample's line, `name{labels} `, as UTF-8. */
function lineStart(def: FamilyDef, p: Printed, labels: string): Piece {
  let s = p.starts.get(labels);
  if (s === undefined) {
    s = { bytes: Buffer.from(labels === '' ? `${def.name} ` : `${def.name}{${labels}} `), kept: [], seen: bodies };
    p.starts.set(labels, s);
  } else s.seen = bodies;
  return s;
}

/** How many line starts of a family are kept between bodies. */
export function keptLineStarts(def: FamilyDef): number {
  return printedOf.get(def)?.starts.size ?? 0;
}

/** Drops the line starts of a family not printed lately, once they outnumber its samples. */
function sweep(p: Printed, samples: number): void {
  if (p.starts.size <= 2 * samples + 16) return;
  for (const [labels, s] of p.starts) if (bodies - s.seen >= KEEP_BODIES) p.starts.delete(labels);
}

/** Bytes of the buffer bodies are first printed into, and the most kept after a body. */
const FIRST_SCRATCH = 256 * 1024;
const MAX_SCRATCH = 4 * 1024 * 1024;

/**
 * Where bodies are printed, reused (grown when a body does not fit): a body
 * is written into it piece by piece and copied out once. Joining a string of
 * some 2,000 pieces and encoding it took 1.5-2 ms for a 210 KB body, writing
 * the same pieces here 0.3 ms.
 */
let scratch = Buffer.allocUnsafe(FIRST_SCRATCH);

/** `scratch` with room for `more` bytes after `used`. */
function room(used: number, more: number): Buffer {
  if (used + more > scratch.length) {
    const bigger = Buffer.allocUnsafe(Math.max(scratch.length * 2, used + more));
    scratch.copy(bigger, 0, 0, used);
    scratch = bigger;
  }
  return scratch;
}

/** `log` with its entry `n` set to a piece at `at`; the next entry. */
function logged(log: PieceLog, n: number, piece: Piece, at: number): number {
  log.pieces[n] = piece;
  log.at[n] = at;
  return n + 1;
}

/**
 * Where a body's constant pieces landed (HELP/TYPE/UNIT heads and line
 * starts, kept between bodies so the same Buffer comes back each time): the
 * first `count` entries, in body order. Bytes between pieces are values.
 */
export interface PieceLog {
  pieces: Piece[];
  at: number[];
  count: number;
}

/**
 * The body of a scrape in a format, as UTF-8 bytes. A counter's samples are
 * named with `_total` in both. `log`, when given, is filled with the pieces.
 */
export function renderBytes(families: Exposition, format: Format, log?: PieceLog): Buffer {
  const at = print(families, format, log);
  const body = Buffer.allocUnsafe(at);
  scratch.copy(body, 0, 0, at);
  return body;
}

/**
 * The body as renderBytes prints it, not copied out: a view of the buffer
 * bodies are printed in, good until the next body is printed (for an
 * encoder that reads it at once, such as deflate/gzip-body.ts).
 */
export function renderView(families: Exposition, format: Format, log?: PieceLog): Buffer {
  // Printed first: printing may move the body to a bigger buffer, which `scratch` then names.
  const at = print(families, format, log);
  return scratch.subarray(0, at);
}

/** Digits of the widest whole number wholeOf gives (2^53 - 1), and a sign. */
const MAX_WHOLE_DIGITS = 17;
const SAFE_BIG = BigInt(Number.MAX_SAFE_INTEGER);

/** A value that is a whole number of at most 2^53 - 1 (a bigint too) as a number; undefined for any other. */
function wholeOf(v: number | bigint): number | undefined {
  if (typeof v === 'number') return Number.isSafeInteger(v) ? v : undefined;
  return v <= SAFE_BIG && v >= -SAFE_BIG ? Number(v) : undefined;
}

/**
 * Writes a whole number (|n| < 2^53) in decimal at `at`; the offset after
 * it, in two parts below 10^9 that int32 arithmetic writes.
 */
function writeWhole(buf: Buffer, at: number, n: number): number {
  if (n < 0) {
    buf[at++] = 45;
    n = -n;
  }
  // Exact: the quotient is below 2^27, where doubles lie 2^-26 apart, so rounding never carries a fraction of at most 1 - 10^-8 up to the next whole number.
  const hi = Math.floor(n / 1e8);
  const lo = n - hi * 1e8;
  if (hi === 0) return writeSmall(buf, at, lo, 0);
  at = writeSmall(buf, at, hi, 0);
  return writeSmall(buf, at, lo, 8);
}

/** Writes 0 <= n < 10^9 in decimal, padded with zeros to `width` digits; the offset after it. */
function writeSmall(buf: Buffer, at: number, n: number, width: number): number {
  let digits = 1;
  for (let x = n; x >= 10; x = (x / 10) | 0) digits++;
  if (digits < width) digits = width;
  const end = at + digits;
  for (let i = end - 1; i >= at; i--) {
    const q = (n / 10) | 0;
    buf[i] = 48 + n - q * 10;
    n = q;
  }
  return end;
}

/** An exposition as a Map, whose keys are walked rather than its entries (an array made per family). */
const asMap = (families: Exposition): ReadonlyMap<FamilyDef, readonly Sample[]> =>
  families instanceof Map ? (families as ReadonlyMap<FamilyDef, readonly Sample[]>) : new Map(families);

/** Prints a body into `scratch`; its length. */
function print(families: Exposition, format: Format, log: PieceLog | undefined): number {
  // A body of every socket's row may take megabytes: such a buffer is not kept for the next.
  if (scratch.length > MAX_SCRATCH) scratch = Buffer.allocUnsafe(FIRST_SCRATCH);
  const om = format.kind === 'openmetrics';
  bodies++;
  let at = 0;
  let n = 0;
  const map = asMap(families);
  for (const def of map.keys()) {
    const samples = map.get(def)!;
    if (samples.length === 0) continue;
    const p = printedFor(def);
    const head = om ? p.om : p.text;
    const h = head.bytes;
    if (log) n = logged(log, n, head, at);
    room(at, h.length).set(h, at);
    at += h.length;
    for (const s of samples) {
      const piece = lineStart(def, p, s.labels);
      const start = piece.bytes;
      if (log) n = logged(log, n, piece, at);
      const v = s.value;
      const whole = s.div === 1 ? wholeOf(v) : undefined;
      if (whole !== undefined) {
        // Most values are whole numbers: their digits go straight into the body, with no string made.
        const buf = room(at, start.length + MAX_WHOLE_DIGITS + 2);
        buf.set(start, at);
        at = writeWhole(buf, at + start.length, whole);
        buf[at++] = 10;
        continue;
      }
      const value = formatValue(v, s.div);
      // The value is ASCII (digits, sign, point, exponent, NaN, Inf) and short: a loop costs less than a call to write it.
      const buf = room(at, start.length + value.length + 1);
      buf.set(start, at);
      at += start.length;
      for (let i = 0; i < value.length; i++) buf[at++] = value.charCodeAt(i);
      buf[at++] = 10;
    }
    sweep(p, samples.length);
  }
  if (om) at += room(at, 6).write('# EOF\n', at, 'latin1');
  if (log) log.count = n;
  return at;
}

/** The body of a scrape in a format. A counter's samples are named with `_total` in both. */
export function render(families: Exposition, format: Format): string {
  return renderBytes(families, format).toString('utf8');
}
