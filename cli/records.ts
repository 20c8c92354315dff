/**
 * The logical records of a parsed file, for the record-oriented outputs of
 * `procspec parse` (ndjson, csv, table):
 *
 * - a top-level array (net/dev, mounts, mountinfo, smaps, cpuinfo): its
 *   elements, one record each (an element that is not an object becomes
 *   `{ value }`: one argument of cmdline);
 * - a table with a header line (interrupts, softirqs, slabinfo,
 *   net/protocols): an object with exactly one property holding a non-empty
 *   array of objects, every other property being a scalar or an array of
 *   scalars. The records are that array's elements; the other properties are
 *   the header, `shared` by every record (interrupts' `cpus` names the columns
 *   of every row's `counts`);
 * - any other object (meminfo, stat, status, pressure): one record.
 */

/** The records of one parsed file. */
export interface Records {
  /** Values of the table's header line, which belong to every record; empty for other files. */
  shared: Record<string, unknown>;
  /** The records, in the order of the file. */
  rows: Record<string, unknown>[];
  /** Whether the file is a list of records (an array or a table) rather than one record. */
  list: boolean;
}

/** A plain (or null-prototype) object: a record or a nested group of fields. */
export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const isScalar = (v: unknown): boolean => typeof v !== 'object' || v === null;

const asRecord = (v: unknown): Record<string, unknown> => (isObject(v) ? v : { value: v });

/** Splits a parsed value into its logical records (see the module comment). */
export function recordsOf(value: unknown): Records {
  if (Array.isArray(value)) return { shared: {}, rows: value.map(asRecord), list: true };
  if (!isObject(value)) return { shared: {}, rows: [{ value }], list: false };
  const rowKeys = Object.keys(value).filter((k) => {
    const v = value[k];
    return Array.isArray(v) && v.length > 0 && v.every(isObject);
  });
  const headerOnly = Object.entries(value).every(([k, v]) => k === rowKeys[0] || isScalar(v) || (Array.isArray(v) && v.every(isScalar)));
  if (rowKeys.length !== 1 || !headerOnly) return { shared: {}, rows: [value], list: false };
  const shared: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (k !== rowKeys[0]) shared[k] = v;
  return { shared, rows: value[rowKeys[0]!] as Record<string, unknown>[], list: true };
}

/** The records with the shared header values in front of each record's own fields (a field of the record wins over one of the header). */
export function withShared(records: Records): Record<string, unknown>[] {
  const keys = Object.keys(records.shared);
  if (keys.length === 0) return records.rows;
  return records.rows.map((row) => ({ ...records.shared, ...row }));
}
