/**
 * The two exposition formats Prometheus reads: the text format 0.0.4 (the
 * default, and what promtool checks) and OpenMetrics 1.0 (`# UNIT`, a
 * counter's family named without `_total` and its samples with it, `# EOF`).
 * Families with no sample are left out. Values: a bigint as its decimal
 * digits (a 64-bit counter exactly as the kernel printed it), a number as
 * JavaScript prints it (shortest round trip; NaN, +Inf, -Inf).
 */
import { FamilyList, type Sample } from './walks.js';
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
 * TYPE (and UNIT) lines in each format as UTF-8, and the template of its
 * last body in each format.
 */
interface Printed {
  readonly text: Piece;
  readonly om: Piece;
  /** The template of the text format and of OpenMetrics, made again when the family's label sets change. */
  readonly templates: [Template | undefined, Template | undefined];
}

/**
 * A family's body with its values left out, for one sequence of label
 * sets: run 0 is the head and the first line's start (`name{labels} `),
 * run k a line feed and line k's start. The body is each run followed by
 * its value, then a line feed. Scrape after scrape the same runs come
 * back, so the printer copies one piece per sample and encoders keep what
 * they learnt of each run.
 */
interface Template {
  /** The label sets it was made for, in order (the very strings walks.ts keeps, so that most compare by reference). */
  readonly labels: readonly string[];
  readonly runs: readonly Piece[];
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
      templates: [undefined, undefined],
    };
    printedOf.set(def, p);
  }
  return p;
}

/** The family's template in a format for these samples' label sets: the last one when they are the same, else a new one. */
function templateFor(def: FamilyDef, p: Printed, om: boolean, samples: readonly Sample[]): Template {
  const slot = om ? 1 : 0;
  const t = p.templates[slot];
  if (t !== undefined && sameLabels(t.labels, samples)) return t;
  const made = makeTemplate(def, om ? p.om.bytes : p.text.bytes, samples);
  p.templates[slot] = made;
  return made;
}

function sameLabels(labels: readonly string[], samples: readonly Sample[]): boolean {
  if (labels.length !== samples.length) return false;
  for (let i = 0; i < labels.length; i++) if (labels[i] !== samples[i]!.labels) return false;
  return true;
}

/** The runs of a template, cut from one buffer (a family's runs lie together in memory, in body order). */
function makeTemplate(def: FamilyDef, head: Buffer, samples: readonly Sample[]): Template {
  const labels = samples.map((s) => s.labels);
  const starts = labels.map((l, i) => `${i === 0 ? '' : '\n'}${l === '' ? def.name : `${def.name}{${l}}`} `);
  const lengths = starts.map((x) => Buffer.byteLength(x));
  const all = Buffer.allocUnsafe(head.length + lengths.reduce((a, b) => a + b, 0));
  head.copy(all, 0);
  let at = head.length;
  for (const x of starts) at += all.write(x, at, 'utf8');
  const runs: Piece[] = [];
  let from = 0;
  for (let i = 0; i < starts.length; i++) {
    const to = (i === 0 ? head.length : from) + lengths[i]!;
    runs.push({ bytes: all.subarray(from, to), kept: [] });
    from = to;
  }
  return { labels, runs };
}

/** How many line starts (runs) a family's templates hold: those of its last body in each format. */
export function keptLineStarts(def: FamilyDef): number {
  const p = printedOf.get(def);
  return (p?.templates[0]?.runs.length ?? 0) + (p?.templates[1]?.runs.length ?? 0);
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

/**
 * Where a body's constant pieces landed (the runs of its families'
 * templates, kept between bodies so the same Buffer comes back each time):
 * the first `count` entries, in body order. Bytes between pieces are values
 * and each family's last line feed.
 */
export interface PieceLog {
  /** The body template's own runs (never changed once made), not a copy. */
  pieces: readonly Piece[];
  /** Kept between bodies and grown when a body has more pieces: nothing is allocated per body. */
  at: Int32Array;
  count: number;
}

/** A log for renderBytes or renderView to fill. */
export const pieceLog = (): PieceLog => ({ pieces: [], at: new Int32Array(1024), count: 0 });

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

/**
 * The last body's templates in one format, flat and in body order: the
 * families, how many samples each, every sample's label set and run. A body
 * of the same families and label sets (the usual scrape) is checked and
 * printed from these arrays alone. Between scrapes a server's other work
 * pushes the families' own objects out of the CPU's caches: reaching each
 * family's template through them cost more than the printing itself (the
 * print of the default set took 1.3-1.5 ms served against 0.45 in a loop).
 */
interface BodyTemplate {
  readonly defs: readonly FamilyDef[];
  readonly counts: Int32Array;
  readonly labels: readonly string[];
  readonly runs: readonly Piece[];
  /** Each run's bytes, one load closer, in one buffer. */
  readonly bytes: readonly Buffer[];
}

/** The body template of the text format and of OpenMetrics. */
const bodyTemplates: [BodyTemplate | undefined, BodyTemplate | undefined] = [undefined, undefined];

/** Whether a body's families and label sets are those of a body template, in its order. */
function fitsBody(t: BodyTemplate, list: FamilyList): boolean {
  const { defs, counts, labels } = t;
  let k = 0;
  let j = 0;
  for (let f = 0; f < list.defs.length; f++) {
    const samples = list.lists[f]!;
    const n = samples.length;
    if (n === 0) continue;
    if (k === defs.length || defs[k] !== list.defs[f] || counts[k] !== n) return false;
    for (let i = 0; i < n; i++) if (labels[j + i] !== samples[i]!.labels) return false;
    k++;
    j += n;
  }
  return k === defs.length;
}

/** The body template of a body, from its families' templates (a family whose label sets did not change keeps its runs). */
function makeBody(list: FamilyList, om: boolean): BodyTemplate {
  const defs: FamilyDef[] = [];
  const counts: number[] = [];
  const labels: string[] = [];
  const runs: Piece[] = [];
  for (let f = 0; f < list.defs.length; f++) {
    const def = list.defs[f]!;
    const samples = list.lists[f]!;
    if (samples.length === 0) continue;
    const t = templateFor(def, printedFor(def), om, samples);
    defs.push(def);
    counts.push(samples.length);
    labels.push(...t.labels);
    runs.push(...t.runs);
  }
  // The runs' bytes copied together in body order: printing then reads one buffer from its start to its end.
  const arena = Buffer.allocUnsafeSlow(runs.reduce((a, r) => a + r.bytes.length, 0));
  let at = 0;
  const bytes = runs.map((r) => {
    r.bytes.copy(arena, at);
    at += r.bytes.length;
    return arena.subarray(at - r.bytes.length, at);
  });
  return { defs, counts: Int32Array.from(counts), labels, runs, bytes };
}

/** Prints a body into `scratch`; its length. */
function print(families: Exposition, format: Format, log: PieceLog | undefined): number {
  // A body of every socket's row may take megabytes: such a buffer is not kept for the next.
  if (scratch.length > MAX_SCRATCH) scratch = Buffer.allocUnsafe(FIRST_SCRATCH);
  const om = format.kind === 'openmetrics';
  const list = FamilyList.of(families);
  const slot = om ? 1 : 0;
  let body = bodyTemplates[slot];
  if (body === undefined || !fitsBody(body, list)) bodyTemplates[slot] = body = makeBody(list, om);
  const { runs, bytes } = body;
  if (log) {
    log.pieces = runs;
    if (log.at.length < runs.length) log.at = new Int32Array(runs.length + (runs.length >> 2));
  }
  const starts = log?.at;
  let at = 0;
  let j = 0;
  let buf: Buffer = scratch;
  const lists = list.lists;
  for (let f = 0; f < lists.length; f++) {
    const samples = lists[f]!;
    if (samples.length === 0) continue;
    for (let i = 0; i < samples.length; i++, j++) {
      const s = samples[i]!;
      const run = bytes[j]!;
      if (starts) starts[j] = at;
      const v = s.value;
      const whole = s.div === 1 ? wholeOf(v) : undefined;
      if (whole !== undefined) {
        // Most values are whole numbers: their digits go straight into the body, with no string made. One byte more for the last line feed.
        buf = room(at, run.length + MAX_WHOLE_DIGITS + 2);
        buf.set(run, at);
        at = writeWhole(buf, at + run.length, whole);
        continue;
      }
      const value = formatValue(v, s.div);
      // The value is ASCII (digits, sign, point, exponent, NaN, Inf) and short: a loop costs less than a call to write it.
      buf = room(at, run.length + value.length + 1);
      buf.set(run, at);
      at += run.length;
      for (let k = 0; k < value.length; k++) buf[at++] = value.charCodeAt(k);
    }
    buf[at++] = 10;
  }
  if (om) at += room(at, 6).write('# EOF\n', at, 'latin1');
  if (log) log.count = j;
  return at;
}

/** The body of a scrape in a format. A counter's samples are named with `_total` in both. */
export function render(families: Exposition, format: Format): string {
  return renderBytes(families, format).toString('utf8');
}
