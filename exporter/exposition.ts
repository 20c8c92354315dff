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

/** The HELP, TYPE (and UNIT) lines of a family in each format as UTF-8, made once per family. */
const heads = new WeakMap<FamilyDef, { text: Buffer; om: Buffer }>();

function head(def: FamilyDef, om: boolean): Buffer {
  let h = heads.get(def);
  if (h === undefined) {
    const unit = def.unit === '' ? '' : `# UNIT ${def.base} ${def.unit}\n`;
    h = {
      text: Buffer.from(`# HELP ${def.name} ${escapeHelp(def.help, false)}\n# TYPE ${def.name} ${def.type}\n`),
      om: Buffer.from(`# TYPE ${def.base} ${def.type}\n${unit}# HELP ${def.base} ${escapeHelp(def.help, true)}\n`),
    };
    heads.set(def, h);
  }
  return om ? h.om : h.text;
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
 * The body of a scrape in a format, as UTF-8 bytes. A counter's samples are
 * named with `_total` in both.
 */
export function renderBytes(families: Exposition, format: Format): Buffer {
  const om = format.kind === 'openmetrics';
  let at = 0;
  for (const [def, samples] of families) {
    if (samples.length === 0) continue;
    const h = head(def, om);
    room(at, h.length).set(h, at);
    at += h.length;
    const name = def.name;
    const open = `${name}{`;
    for (const s of samples) {
      const line = s.labels === '' ? `${name} ${formatValue(s.value, s.div)}\n` : `${open}${s.labels}} ${formatValue(s.value, s.div)}\n`;
      // A UTF-8 character takes at most 3 bytes per UTF-16 unit.
      at += room(at, line.length * 3).write(line, at, 'utf8');
    }
  }
  if (om) at += room(at, 6).write('# EOF\n', at, 'latin1');
  const body = Buffer.allocUnsafe(at);
  scratch.copy(body, 0, 0, at);
  // A body of every socket's row may take megabytes: such a buffer is not kept for the next.
  if (scratch.length > MAX_SCRATCH) scratch = Buffer.allocUnsafe(FIRST_SCRATCH);
  return body;
}

/** The body of a scrape in a format. A counter's samples are named with `_total` in both. */
export function render(families: Exposition, format: Format): string {
  return renderBytes(families, format).toString('utf8');
}
