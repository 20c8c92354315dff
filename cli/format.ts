/**
 * The output formats of `procspec parse`:
 *
 * - `json`: the parsed value (of several files: an object by file name).
 * - `ndjson`: one compact JSON object per logical record (cli/records.ts).
 * - `csv`: a header record, then one record per logical record, nested values
 *   flattened into dotted column names (`device.major`, `some.avg10`; the
 *   items of a list of objects by index: `cpus.0.user`), lists of scalars
 *   joined with spaces. When the columns change from one record to the next
 *   (another variant, an optional field absent) an empty line and a new header
 *   record come before it. Fields holding the delimiter, a quote or a line
 *   break are quoted, quotes doubled (RFC 4180); lines end in `\n`.
 * - `table`: for a person: a single record as aligned key/value lines, nested
 *   groups indented under their name; a list of flat records as aligned
 *   columns (a new header when the columns change), lists of records whose
 *   records nest lists or hold cells wider than 64 characters (zoneinfo,
 *   cpuinfo's flags) as numbered key/value blocks.
 *
 * Bigints are written as decimal digits in every format. With several files,
 * ndjson and csv records start with a `file` column, and table gives each
 * file a `==> file <==` heading.
 */
import { toJson } from '../runtime/core/json.js';
import { isObject, recordsOf, withShared, type Records } from './records.js';
import { alignedLines } from './terminal.js';

export const FORMATS = ['json', 'ndjson', 'csv', 'table'] as const;
export type Format = (typeof FORMATS)[number];

/** One parsed file: the name it was given by and what its parser returned. */
export interface Parsed {
  file: string;
  value: unknown;
}

/** How to write: the format, the CSV delimiter, and whether several files were asked for. */
export interface FormatOptions {
  format: Format;
  delimiter: string;
  several: boolean;
  /** Bigints as JSON numbers with all their digits (parse --bigint), not as strings. */
  digits?: boolean;
}

/** The output of `procspec parse` for the files that parsed, ending in a newline when not empty. */
export function formatParsed(parsed: Parsed[], opts: FormatOptions): string {
  switch (opts.format) {
    case 'json': {
      const value = opts.several ? Object.fromEntries(parsed.map((p) => [p.file, p.value])) : parsed[0]?.value;
      return opts.several || parsed.length > 0 ? `${toJson(value, 2, opts.digits === true)}\n` : '';
    }
    case 'ndjson':
      return rowsOf(parsed, opts.several)
        .map((r) => `${toJson(r, 0, opts.digits === true)}\n`)
        .join('');
    case 'csv':
      return toCsv(rowsOf(parsed, opts.several), opts.delimiter);
    case 'table':
      return parsed.map((p) => [...(opts.several ? [`==> ${p.file} <==`] : []), ...tableLines(recordsOf(p.value)), ''].join('\n')).join('\n');
  }
}

/** Every file's records, header values shared in, with the file name first when there are several files. */
function rowsOf(parsed: Parsed[], several: boolean): Record<string, unknown>[] {
  return parsed.flatMap((p) => withShared(recordsOf(p.value)).map((row) => (several ? { file: p.file, ...row } : row)));
}

/** A scalar, or a list of scalars joined with spaces, as text; bigints in decimal. */
function cellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (Array.isArray(v)) return v.map(cellText).join(' ');
  return String(v);
}

const isInline = (v: unknown): boolean => !isObject(v) && !(Array.isArray(v) && v.some((el) => isObject(el) || Array.isArray(el)));

/** A record as dotted column names and cell texts, in field order. */
export function flatten(value: unknown, prefix = '', out: Record<string, string> = {}): Record<string, string> {
  if (isInline(value)) {
    out[prefix === '' ? 'value' : prefix] = cellText(value);
  } else if (Array.isArray(value)) {
    value.forEach((el, i) => {
      flatten(el, prefix === '' ? String(i) : `${prefix}.${i}`, out);
    });
  } else {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) flatten(v, prefix === '' ? k : `${prefix}.${k}`, out);
  }
  return out;
}

/** One CSV field, quoted when it holds the delimiter, a quote or a line break. */
function csvField(text: string, delimiter: string): string {
  return text.includes(delimiter) || /["\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Records as CSV, with a new header record (after an empty line) whenever the columns change. */
export function toCsv(rows: Record<string, unknown>[], delimiter: string): string {
  const lines: string[] = [];
  let header: string | undefined;
  for (const row of rows) {
    const flat = flatten(row);
    const names = Object.keys(flat)
      .map((k) => csvField(k, delimiter))
      .join(delimiter);
    if (names !== header) {
      if (header !== undefined) lines.push('');
      lines.push(names);
      header = names;
    }
    lines.push(
      Object.values(flat)
        .map((v) => csvField(v, delimiter))
        .join(delimiter),
    );
  }
  return lines.map((l) => `${l}\n`).join('');
}

/** The table view of one file's records. */
function tableLines(records: Records): string[] {
  if (!records.list) return objectLines(records.rows[0] ?? {}, '');
  const shared = objectLines(records.shared, '');
  return [...shared, ...(shared.length > 0 ? [''] : []), ...listLines(records.rows, '')];
}

/** Key/value lines, keys aligned; groups of fields and lists of records under their name, indented. */
function objectLines(obj: Record<string, unknown>, pad: string): string[] {
  const entries = Object.entries(obj);
  const width = Math.max(0, ...entries.filter(([, v]) => isInline(v)).map(([k]) => k.length));
  return entries.flatMap(([k, v]) => {
    if (isInline(v)) return [`${pad}${k.padEnd(width)}  ${cellText(v)}`.trimEnd()];
    const inner = `${pad}  `;
    return [`${pad}${k}`, ...(isObject(v) ? objectLines(v, inner) : listLines(v as unknown[], inner))];
  });
}

const MAX_CELL = 64;

/** A list of records: aligned columns when every record is flat enough, else numbered key/value blocks. */
function listLines(items: unknown[], pad: string): string[] {
  const rows = items.map((el) => (isObject(el) ? el : { value: el }));
  const flats = rows.map((r) => flatten(r));
  const fits = (r: unknown): boolean => isInline(r) || (isObject(r) ? Object.values(r).every(fits) : false);
  if (rows.every(fits) && flats.every((f) => Object.values(f).every((c) => c.length <= MAX_CELL))) return columnLines(flats, pad);
  return rows.flatMap((r, i) => [`${pad}[${i}]`, ...objectLines(r, `${pad}  `)]);
}

const NUMERIC = /^-?\d+(\.\d+)?(e[-+]?\d+)?$/i;

/** Aligned columns (numbers to the right), a header line for each run of rows with the same columns. */
function columnLines(flats: Record<string, string>[], pad: string): string[] {
  const runs: Record<string, string>[][] = [];
  for (const f of flats) {
    const last = runs[runs.length - 1];
    if (last !== undefined && Object.keys(last[0]!).join('\0') === Object.keys(f).join('\0')) last.push(f);
    else runs.push([f]);
  }
  return runs.flatMap((run, i) => {
    const names = Object.keys(run[0]!);
    const cells = run.map((f) => Object.values(f));
    const right = names.map((_, c) => cells.every((row) => row[c] === '' || NUMERIC.test(row[c]!)));
    return [...(i > 0 ? [''] : []), ...alignedLines(names, cells, right).map((l) => `${pad}${l}`)];
  });
}
